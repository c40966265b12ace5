"""Run the generated service's own tools in a subprocess, isolated from our test settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
_TOTAL = re.compile(r"^TOTAL\s+\d+\s+\d+\s+(\d+)%", re.MULTILINE)


def run(
    args: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 240,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command with a clean environment: no inherited database or coverage settings."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "COV_CORE", "COVERAGE", "PYTEST"))
    }
    base |= {"PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run(
        args,
        cwd=cwd,
        env=base,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_with_coverage(
    service: Path, data_file: Path
) -> tuple[subprocess.CompletedProcess[str], int]:
    """The generated suite under `--cov=app`, and the TOTAL percentage it reports (-1 if none)."""
    result = run(
        [sys.executable, "-m", "pytest", "-q", "--cov=app", "--cov-report=term-missing", "-x"],
        service,
        {"COVERAGE_FILE": str(data_file)},
    )
    total = _TOTAL.search(result.stdout)
    return result, int(total.group(1)) if total else -1
