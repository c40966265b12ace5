"""Print how long the generated service's own test suite takes for 1, 10 and 50 entities.

Each run generates the example entity under distinct names, writes the service to a scratch
folder and runs `python -m pytest -q` there (SQLite), as the test gate does. Target: 10
entities in under 15 s on the 2-core development machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import spec_with  # noqa: E402
from bot.codegen import write_generated  # noqa: E402
from generators.service import generate_service  # noqa: E402


def suite_seconds(count: int) -> tuple[float, str]:
    """Wall time of the generated suite for `count` entities, and pytest's summary line."""
    with tempfile.TemporaryDirectory() as tmp:
        write_generated(Path(tmp), generate_service(spec_with(count)))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "PYTEST"))}
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=tmp,
            env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    return elapsed, lines[-1] if lines else done.stderr.strip()[-200:]


def main() -> None:
    counts = [int(arg) for arg in sys.argv[1:]] or [1, 10, 50]
    print(f"{'entities':>8}  {'suite':>8}  {'load':>5}  pytest")
    for count in counts:
        load = os.getloadavg()[0]  # the machine is shared: a busy one inflates the figure
        seconds, summary = suite_seconds(count)
        print(f"{count:>8}  {seconds:>7.1f}s  {load:>5.1f}  {summary}")


if __name__ == "__main__":
    main()
