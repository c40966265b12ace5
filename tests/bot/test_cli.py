"""The command line answers mistakes in one line with the usage exit code, never 'a bug'."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def issuebot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bogus",), "No such command 'bogus'"),
        (("generate", "--bogus"), "No such option: --bogus"),
        (("implement", "--repo", "acme/widgets"), "Missing option '--issue'"),
        (("implement", "--repo", "acme/widgets", "--issue", "abc"), "Invalid value for '--issue'"),
    ],
)
def test_a_usage_mistake_exits_2_with_the_reason(args: tuple[str, ...], message: str) -> None:
    result = issuebot(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "internal-error" not in result.stderr
    assert "Traceback" not in result.stderr


def test_version_and_help() -> None:
    version = issuebot("--version")
    assert version.returncode == 0 and version.stdout.startswith("issuebot ")
    help_text = issuebot("--help")
    assert help_text.returncode == 0
    for command in ("demo", "generate", "implement", "serve", "init", "emulator", "runs"):
        assert command in help_text.stdout


def test_a_known_failure_is_one_line_with_its_taxonomy_code(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text("{not json")
    result = issuebot("spec", "validate", str(spec))
    assert result.returncode == 12
    assert "Traceback" not in result.stderr


def test_a_worker_without_redis_says_so_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "worker", "--burst"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **os.environ,
            "QUEUE_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "DATABASE_URL": f"sqlite:///{tmp_path / 'runs.db'}",
        },
    )
    assert result.returncode == 40
    assert "queue-unavailable: cannot reach Redis" in result.stderr
    assert "Traceback" not in result.stderr


def test_each_spec_problem_is_printed_once(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(
        '{"version": 1, "entities": [{"name": "bad name",'
        ' "fields": [{"name": "x", "type": "nope"}]}]}'
    )
    result = issuebot("spec", "validate", str(spec))
    assert result.returncode == 12
    lines = result.stderr.strip().splitlines()
    assert sum("unknown type 'nope'" in line for line in lines) == 1
    assert sum("not a PascalCase name" in line for line in lines) == 1
    assert lines[-1] == f"spec-invalid: 2 problems (fix {spec})"


def test_help_loads_no_area_of_the_bot() -> None:
    """`issuebot --help` must start at once: no command imports its area until it runs."""
    probe = (
        "import sys\n"
        "from bot.cli.main import main\n"
        "sys.argv = ['issuebot', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('fastapi', 'sqlalchemy', 'github', 'git', 'inflect', 'alembic', 'uvicorn',"
        " 'rq', 'redis', 'jinja2', 'bot.pipeline', 'bot.server', 'bot.store', 'bot.emulator',"
        " 'bot.events', 'bot.gates', 'generators')\n"
        "print('LOADED', sorted({m.split('.')[0] if not m.startswith(('bot.', 'generators'))"
        " else '.'.join(m.split('.')[:2]) for m in sys.modules if m.startswith(heavy)}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    loaded = next(line for line in result.stdout.splitlines() if line.startswith("LOADED"))
    assert loaded == "LOADED []", loaded
