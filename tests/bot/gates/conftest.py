"""Fixtures of the gate's emulator stories: one emulator per module, a repository per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.store import RunStore
from tests.bot.gates.botpr import CHECKS, CONFIG, TargetRepo


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    yield store
    store.engine.dispose()


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorHandle]:
    """One emulator for the module; every test gets its own repository in it."""
    with start_emulator() as handle:
        yield handle


@pytest.fixture
def target(emulator: EmulatorHandle, tmp_path: Path, store: RunStore) -> TargetRepo:
    target = TargetRepo(emulator, tmp_path, runs=store)
    emulator.set_required_checks(target.name, "main", list(CHECKS))
    target.push_to_main(
        {".github/CODEOWNERS": "* @maintainer\n", ".github/issuebot.yml": CONFIG}, "bot config"
    )
    return target
