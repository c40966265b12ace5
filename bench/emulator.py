"""Print how fast `issuebot emulator` starts answering and how fast a signal stops it.

Target: the first answer (``GET /_emulator/health``) within 2 s of the process starting,
and a stop within 2 s of SIGINT/SIGTERM. Each run is a fresh `issuebot emulator --port 0`.
Wall time depends on what else the machine runs, so the child's CPU time until its first
answer is printed too (from /proc), with the load average the figures were taken under.

    .venv/bin/python bench/emulator.py [RUNS]
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ISSUEBOT = Path(sys.executable).with_name("issuebot")
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def one_run(sig: signal.Signals) -> tuple[float, float, float]:
    """(seconds to first answer, CPU seconds until then, seconds to stop after ``sig``)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(ISSUEBOT), "emulator", "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        match = re.search(r"http://[\d.]+:\d+", proc.stdout.readline())
        assert match, "the emulator printed no URL"
        while True:
            try:
                httpx.get(f"{match.group(0)}/_emulator/health", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.005)
        answered = time.monotonic() - started
        cpu = _cpu_seconds(proc.pid)
        stopping = time.monotonic()
        proc.send_signal(sig)
        proc.wait(timeout=30)
        return answered, cpu, time.monotonic() - stopping
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _line(name: str, figures: list[float]) -> str:
    return (
        f"{name:<34} median {statistics.median(figures):.3f} s "
        f"(min {min(figures):.3f}, max {max(figures):.3f}, n={len(figures)})"
    )


def main(runs: int = 5) -> None:
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    results = [one_run(signal.SIGINT if i % 2 else signal.SIGTERM) for i in range(runs)]
    print(_line("start -> first answer (wall)", [r[0] for r in results]))
    print(_line("start -> first answer (CPU)", [r[1] for r in results]))
    print(_line("signal -> exited (wall)", [r[2] for r in results]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
