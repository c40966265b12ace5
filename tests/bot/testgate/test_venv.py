"""A repo that declares requirements gets its own cached venv, layered over ours."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from bot.testgate import interpreter_for, resolve_sandbox, run_tests


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


def test_an_uninstallable_requirement_is_an_environment_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # the operator's pip settings reach the download
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("issuebot-no-such-package==1.0\n")
    result = interpreter_for(repo, tmp_path / "venvs", repo="acme/a", timeout_seconds=120)
    assert result.error is not None and result.error.startswith("installing requirements.txt")
    assert "issuebot-no-such-package" in result.error
    assert not any((tmp_path / "venvs" / "acme__a").iterdir())  # nothing half-built is left behind


@pytest.mark.parametrize(
    "line",
    [
        "--index-url http://127.0.0.1:6379/",
        "--extra-index-url=http://evil.invalid/simple",
        "-e .",
        "-r ../../other/requirements.txt",
        "evil @ file:///etc/passwd",
        "git+https://example.invalid/evil.git",
        "./local-package",
    ],
)
def test_requirements_may_only_name_packages(tmp_path: Path, line: str) -> None:
    """Options, URLs and paths would let repository text steer the bot's own pip."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text(f"pytest>=8\n{line}\n")
    result = interpreter_for(repo, tmp_path / "venvs", repo="acme/a", timeout_seconds=60)
    assert result.error is not None and result.error.startswith("requirements.txt refused: line 2")
    assert not any((tmp_path / "venvs" / "acme__a").iterdir())


def wheel(where: Path, name: str, version: str = "1.0") -> Path:
    """A minimal pure-Python wheel, as a registry would serve it."""
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"WHERE = {name!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in files) + f"{info}/RECORD,,\n"
    path = where / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


def test_a_missing_package_comes_as_a_wheel_and_installs_offline_in_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = tmp_path / "index"
    links.mkdir()
    wheel(links, "issuebot_tinypkg")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))  # the operator's index
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "requirements.txt").write_text("issuebot_tinypkg==1.0  # a comment\n")
    (repo / "tests" / "test_it.py").write_text(
        "import issuebot_tinypkg\n\ndef test_it():\n    assert issuebot_tinypkg.WHERE\n"
    )
    found = interpreter_for(repo, tmp_path / "venvs", repo="acme/a", timeout_seconds=120,
                            sandbox=resolve_sandbox("bwrap"))  # fmt: skip
    assert found.error is None, found.error
    report = run_tests(repo, command=("python", "-m", "pytest", "-q"), timeout_seconds=120,
                       python=found.python)  # fmt: skip
    assert report.passed, report.output
