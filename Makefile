# Every target creates what it needs itself: a fresh clone only needs python3 (>= 3.11), git and npm.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint typecheck unit bench golden clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# GitHub's recorded webhook payloads and its OpenAPI description: installed, never vendored.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/issuebot demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# Two workers on the 2-core machine; the slowest tests are printed so they stay visible.
unit: setup
	$(BIN)/pytest -n auto --durations=15

test: lint typecheck unit

bench: setup
	$(BIN)/python bench/generate.py

# Rewrite the golden files under tests/data/expected/ after an intended generator change.
golden: setup
	$(BIN)/python -m tests.generators.regenerate_golden

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
