"""Print the CPU time of common `issuebot` calls next to `python -c pass`.

Targets: `--version` and `--help` under 0.3 s of CPU, `spec validate` under 0.6 s.
Each command runs in a fresh interpreter; the figure is the median of the children's
user + system time (wall time on a loaded machine says little).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ISSUEBOT = [sys.executable, "-m", "bot.cli.main"]
CALLS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "issuebot --version": [*ISSUEBOT, "--version"],
    "issuebot --help": [*ISSUEBOT, "--help"],
    "issuebot spec validate": [
        *ISSUEBOT,
        "spec",
        "validate",
        "specs/examples/every_field_type.json",
    ],
}


def cpu_seconds(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        argv,
        cwd=ROOT,
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(repeat: int = 5) -> None:
    for name, argv in CALLS.items():
        cpu_seconds(argv)  # warm the OS file cache and bytecode
        figures = [cpu_seconds(argv) for _ in range(repeat)]
        print(
            f"{name:<26} median {statistics.median(figures):.3f} s CPU "
            f"(min {min(figures):.3f}, max {max(figures):.3f}, n={repeat})"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
