"""A repo that declares requirements gets its own cached venv, layered over ours."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.testgate import interpreter_for, run_tests


def test_no_requirements_means_our_interpreter(tmp_path: Path) -> None:
    found = interpreter_for(tmp_path, tmp_path / "venvs", repo="acme/a", timeout_seconds=60)
    assert found.python == sys.executable and found.venv is None


def test_declared_requirements_get_a_cached_venv_of_their_own(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "requirements.txt").write_text("pytest>=8\npytest-cov>=5\n")
    (repo / "tests" / "test_where.py").write_text(
        "import sys\n\ndef test_runs_in_the_repo_venv():\n    assert 'venvs' in sys.prefix\n"
    )
    cache = tmp_path / "venvs"

    first = interpreter_for(repo, cache, repo="acme/a", timeout_seconds=120)
    assert first.error is None and first.python != sys.executable
    assert Path(first.python).is_relative_to(cache)
    again = interpreter_for(repo, cache, repo="acme/a", timeout_seconds=120)
    assert again.python == first.python
    assert [p.name for p in (cache / "acme__a").iterdir()] == [Path(first.python).parents[1].name]

    report = run_tests(
        repo, command=("python", "-m", "pytest", "-q"), timeout_seconds=120, python=first.python
    )
    assert report.passed, report.output


def test_an_uninstallable_requirement_is_an_environment_failure(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("--no-index\nissuebot-no-such-package==1.0\n")
    result = interpreter_for(repo, tmp_path / "venvs", repo="acme/a", timeout_seconds=120)
    assert result.error is not None and result.error.startswith("installing requirements.txt")
    assert "issuebot-no-such-package" in result.error
    assert not any((tmp_path / "venvs" / "acme__a").iterdir())  # nothing half-built is left behind
