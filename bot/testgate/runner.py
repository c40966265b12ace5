"""Run the target repository's tests in a sandbox: bounded in time, isolated from the bot.

The tests run on a copy of the working tree (without `.git`) in a scratch directory, inside
the sandbox `tests.sandbox` picked: they see the system read-only, their venv read-only, the
copy writable, and nothing of the bot's (no environment, no work dir, no run store). The copy
is thrown away afterwards, so nothing the tests write (a `.git/hooks/post-commit`, stray
files, coverage data) reaches the tree the bot commits.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.testgate.classify import Diagnosis, classify_failure
from bot.testgate.sandbox import Sandbox, resolve_sandbox
from bot.testgate.wrap import SANDBOX_HOME, SANDBOX_PATH, SANDBOX_TMP, Job, Mount

_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")
_FINAL = re.compile(r"\bin [0-9.]+s\b")
MAX_OUTPUT = 200_000
EXIT_NO_TESTS = 5


@dataclass(frozen=True)
class TestReport:
    """The outcome of one test run, with output already redacted."""

    __test__ = False  # not a pytest class

    passed: bool
    exit_code: int | None
    timed_out: bool
    duration_s: float
    output: str
    counts: dict[str, int] = field(default_factory=dict)
    coverage: float | None = None
    coverage_min: int = 0
    command: tuple[str, ...] = ()
    sandbox: str = ""

    @property
    def coverage_ok(self) -> bool:
        """Whether coverage meets the configured minimum (unknown coverage passes)."""
        return self.coverage is None or self.coverage + 1e-9 >= self.coverage_min

    def diagnosis(self) -> Diagnosis:
        """Why this run failed (only meaningful when ``passed`` is False)."""
        diag = classify_failure(self.output, timed_out=self.timed_out)
        if self.exit_code == 0 and not self.coverage_ok:
            return Diagnosis("coverage", diag.failed_tests, diag.excerpt)
        return diag

    def summary(self) -> str:
        """`12 passed, 1 failed in 3.2s` style line for comments and check runs."""
        parts = [f"{n} {k}" for k, n in self.counts.items() if n]
        text = ", ".join(parts) or "no test results"
        where = f" (sandbox: {self.sandbox})" if self.sandbox else ""
        return f"{text} in {self.duration_s:.1f}s{where}"


def resolve_command(command: Sequence[str], python: str) -> list[str]:
    """Point a bare `python` at the interpreter whose environment has the deps."""
    argv = list(command)
    if argv and argv[0] in {"python", "python3"}:
        argv[0] = python
    return argv


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A minimal environment built from scratch: nothing of the worker's reaches the tests."""
    env = {
        "PATH": SANDBOX_PATH,
        "HOME": SANDBOX_HOME,
        "TMPDIR": SANDBOX_TMP,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "CI": "true",
    }
    env.update(extra or {})
    return env


def keep_end(text: str, limit: int) -> str:
    """The last ``limit`` characters, from a line start: a cut secret would escape redaction."""
    if len(text) <= limit:
        return text
    return text[-limit:].partition("\n")[2]


def venv_of(python: str) -> Path | None:
    """The venv directory ``python`` lives in, if any (mounted read-only into the sandbox)."""
    env_dir = Path(python).parent.parent
    return env_dir if (env_dir / "pyvenv.cfg").is_file() else None


def parse_counts(output: str) -> dict[str, int]:
    """Counts from pytest's final line (`1 failed, 3 passed in 0.1s`)."""
    for line in reversed(output.splitlines()):
        if _FINAL.search(line) and _COUNT.search(line):
            counts: dict[str, int] = {}
            for number, kind in _COUNT.findall(line):
                key = "errors" if kind.startswith("error") else kind
                counts[key] = counts.get(key, 0) + int(number)
            return counts
    return {}


def has_pytest_config(workdir: Path) -> bool:
    """Whether the target repo configures pytest itself (else ours must not leak in)."""
    if (workdir / "pytest.ini").is_file() or (workdir / ".pytest.ini").is_file():
        return True
    for name, section in (("pyproject.toml", "[tool.pytest"), ("tox.ini", "[pytest]"),
                          ("setup.cfg", "[tool:pytest]")):  # fmt: skip
        path = workdir / name
        if path.is_file() and section in path.read_text("utf-8", errors="replace"):
            return True
    return False


def _is_pytest(argv: list[str]) -> bool:
    return "pytest" in argv[:3] or any(Path(a).name in {"pytest", "py.test"} for a in argv[:1])


def run_tests(
    workdir: Path,
    *,
    command: Sequence[str],
    timeout_seconds: float,
    coverage_source: str | None = None,
    coverage_min: int = 0,
    python: str = sys.executable,
    redact: Callable[[str], str] = lambda text: text,
    sandbox: Sandbox | None = None,
) -> TestReport:
    """Run ``command`` on a copy of ``workdir`` in ``sandbox``; never raises for red tests."""
    box = sandbox or resolve_sandbox("auto")
    argv = resolve_command(command, python)
    with tempfile.TemporaryDirectory(prefix="issuebot-tests-") as scratch_dir:
        scratch = Path(scratch_dir)
        tree = scratch / "src"
        shutil.copytree(workdir, tree, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        out = scratch / "out"
        out.mkdir()
        cov_json = out / "coverage.json"
        env = child_env({"COVERAGE_FILE": str(out / ".coverage")})
        if _is_pytest(argv):
            argv += ["-rfE", "-p", "no:cacheprovider", f"--rootdir={tree}"]
            if not has_pytest_config(tree):  # pytest would climb to a parent's config
                empty = out / "pytest.ini"  # pytest 9 refuses `-c /dev/null`
                empty.write_text("[pytest]\n", encoding="utf-8")
                argv += ["-c", str(empty)]
            if coverage_source:
                argv += [f"--cov={coverage_source}", f"--cov-report=json:{cov_json}"]
        venv = venv_of(python)
        job = Job(
            argv,
            cwd=tree,
            env=env,
            mounts=(Mount(scratch, writable=True),),
            extra_readonly=(venv,) if venv else (),
            name=f"issuebot-tests-{scratch.name}",
        )
        started = time.monotonic()
        outcome = box.run(job, timeout_seconds)
        duration = time.monotonic() - started
        text = keep_end(outcome.output.decode("utf-8", errors="replace"), MAX_OUTPUT)
        if outcome.timed_out:
            text += f"\nTimeout: the test run was stopped after {timeout_seconds:g}s"
        coverage = _coverage(cov_json)
    output = redact(text)
    report = TestReport(
        passed=False,
        exit_code=outcome.returncode,
        timed_out=outcome.timed_out,
        duration_s=duration,
        output=output,
        counts=parse_counts(output),
        coverage=coverage,
        coverage_min=coverage_min if coverage_source else 0,
        command=tuple(resolve_command(command, "python")),
        sandbox=box.mode,
    )
    passed = outcome.returncode == 0 and report.coverage_ok
    return dataclasses.replace(report, passed=passed)


def _coverage(path: Path) -> float | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return round(float(data["totals"]["percent_covered"]), 1)
    except (OSError, ValueError, KeyError, TypeError):
        return None
