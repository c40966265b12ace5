"""The hard gate: a failing target repo is explained by kind, with secrets redacted."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from bot.testgate import Redactor, classify_failure, run_tests
from bot.testgate.runner import parse_counts

PYTEST = ("python", "-m", "pytest", "-q")


def target(tmp_path: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(textwrap.dedent(text))
    return tmp_path


def test_a_green_suite_passes_with_counts_and_coverage(tmp_path: Path) -> None:
    repo = target(
        tmp_path,
        {
            "pkg/__init__.py": "def add(a, b):\n    return a + b\n",
            "tests/test_add.py": """
                from pkg import add

                def test_add():
                    assert add(1, 2) == 3
            """,
        },
    )
    report = run_tests(
        repo, command=PYTEST, timeout_seconds=60, coverage_source="pkg", coverage_min=90
    )
    assert report.passed, report.output
    assert report.counts == {"passed": 1}
    assert report.coverage == 100.0
    assert "1 passed" in report.summary()
    assert not (repo / ".coverage").exists()  # nothing left behind for the commit


def test_an_assertion_failure_names_the_test_and_quotes_the_line(tmp_path: Path) -> None:
    repo = target(tmp_path, {"tests/test_x.py": "def test_math():\n    assert 1 + 1 == 3\n"})
    report = run_tests(repo, command=PYTEST, timeout_seconds=60)
    assert not report.passed and report.exit_code == 1
    diagnosis = report.diagnosis()
    assert diagnosis.kind == "assertion"
    assert diagnosis.failed_tests == ("tests/test_x.py::test_math",)
    assert ">       assert 1 + 1 == 3" in diagnosis.excerpt


def test_an_import_error_is_classified_as_such(tmp_path: Path) -> None:
    repo = target(
        tmp_path, {"tests/test_x.py": "import not_a_module_anywhere\n\ndef test_a():\n    pass\n"}
    )
    report = run_tests(repo, command=PYTEST, timeout_seconds=60)
    assert report.diagnosis().kind == "import"
    assert "tests/test_x.py" in report.diagnosis().failed_tests


def test_a_database_error_is_classified_as_such(tmp_path: Path) -> None:
    repo = target(
        tmp_path,
        {
            "tests/test_db.py": """
                import sqlite3

                def test_query():
                    sqlite3.connect(":memory:").execute("select * from widgets")
            """
        },
    )
    report = run_tests(repo, command=PYTEST, timeout_seconds=60)
    assert report.diagnosis().kind == "database"
    assert any("no such table" in line for line in report.diagnosis().excerpt)


def test_a_hanging_suite_is_killed_and_called_a_timeout(tmp_path: Path) -> None:
    repo = target(
        tmp_path, {"tests/test_slow.py": "import time\n\ndef test_s():\n    time.sleep(60)\n"}
    )
    report = run_tests(repo, command=PYTEST, timeout_seconds=2)
    assert report.timed_out and not report.passed
    assert report.diagnosis().kind == "timeout"


def test_coverage_below_the_minimum_fails_the_gate(tmp_path: Path) -> None:
    repo = target(
        tmp_path,
        {
            "pkg/__init__.py": "def a():\n    return 1\n\n\ndef b():\n    return 2\n",
            "tests/test_a.py": "from pkg import a\n\ndef test_a():\n    assert a() == 1\n",
        },
    )
    report = run_tests(
        repo, command=PYTEST, timeout_seconds=60, coverage_source="pkg", coverage_min=95
    )
    assert not report.passed and report.exit_code == 0
    assert report.diagnosis().kind == "coverage"


def test_the_childs_environment_has_no_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_shouldneverleakintotests000")
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot-store")
    repo = target(
        tmp_path,
        {
            "tests/test_env.py": """
                import os

                def test_env():
                    assert "GITHUB_TOKEN" not in os.environ
                    assert "DATABASE_URL" not in os.environ
            """
        },
    )
    assert run_tests(repo, command=PYTEST, timeout_seconds=60).passed


def test_secrets_and_sensitive_values_never_reach_the_diagnosis(tmp_path: Path) -> None:
    repo = target(
        tmp_path,
        {
            "tests/test_leak.py": """
                def test_leak():
                    body = {"name": "src", "connection_string": "postgres://admin:hunter2@db/prod"}
                    token = "ghs_AbCdEfGhIjKlMnOpQrStUvWx123456"
                    assert body == {"name": token}
            """
        },
    )
    redact = Redactor(secrets=["hunter2"], sensitive_fields=["connection_string"])
    report = run_tests(repo, command=PYTEST, timeout_seconds=60, redact=redact)
    assert not report.passed
    text = report.output + "\n".join(report.diagnosis().excerpt)
    assert "hunter2" not in text and "ghs_AbCdEf" not in text
    assert "postgres://admin" not in text
    assert "[REDACTED]" in text


def test_counts_come_from_the_final_line() -> None:
    assert parse_counts("x\n2 failed, 10 passed, 1 error in 3.21s\n") == {
        "failed": 2,
        "passed": 10,
        "errors": 1,
    }
    assert parse_counts("=== 4 passed, 2 warnings in 0.5s ===") == {"passed": 4}


def test_classification_without_a_summary_still_quotes_the_tail() -> None:
    diagnosis = classify_failure("Traceback\nRuntimeError: boom\n")
    assert diagnosis.kind == "error"
    assert "RuntimeError: boom" in diagnosis.excerpt


def test_bare_python_means_our_interpreter() -> None:
    from bot.testgate.runner import resolve_command

    assert resolve_command(["python", "-m", "pytest"], sys.executable)[0] == sys.executable


def test_a_parent_directorys_pytest_config_does_not_leak_in(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-flag-anywhere\n")
    repo = target(tmp_path / "work" / "repo", {"tests/test_ok.py": "def test_ok():\n    pass\n"})
    report = run_tests(repo, command=PYTEST, timeout_seconds=60)
    assert report.passed, report.output
