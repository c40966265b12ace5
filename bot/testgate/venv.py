"""A per-repository virtualenv for the test gate, cached by the hash of its requirements.

When the target declares `requirements.txt`, its tests run in a venv built for exactly that
file. The venv is layered over the bot's own environment (a `.pth` file), so requirements
the bot already satisfies cost nothing and need no network; anything else is installed into
the venv only. Built in a scratch directory and renamed into place, so concurrent runs
never see a half-built venv.
"""

from __future__ import annotations

import hashlib
import shutil
import site
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass
from pathlib import Path

REQUIREMENTS = "requirements.txt"
_PIP_FLAGS = ("--no-input", "--disable-pip-version-check", "--retries", "1", "--timeout", "20")


@dataclass(frozen=True)
class Interpreter:
    """The Python the tests run with; ``error`` is set when the venv could not be built."""

    python: str
    error: str | None = None


def _base_paths() -> list[str]:
    return [p for p in site.getsitepackages() if Path(p).is_dir()]


def venv_key(requirements: str, base_python: str = sys.executable) -> str:
    """The cache key: requirements text, the base interpreter and what it layers over."""
    material = "\n".join([requirements, base_python, sys.version, *_base_paths()])
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _python_in(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def interpreter_for(workdir: Path, cache_dir: Path, *, timeout_seconds: float) -> Interpreter:
    """Our interpreter if the repo declares no requirements, else its cached venv's."""
    requirements = workdir / REQUIREMENTS
    if not requirements.is_file():
        return Interpreter(sys.executable)
    text = requirements.read_text("utf-8", errors="replace")
    target = cache_dir / venv_key(text)
    if _python_in(target).is_file():
        return Interpreter(str(_python_in(target)))
    cache_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=cache_dir))
    try:
        venv.EnvBuilder(with_pip=False, symlinks=sys.platform != "win32").create(scratch)
        ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        purelib = subprocess.run(
            [str(_python_in(scratch)), "-c", ask],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout.strip()  # fmt: skip
        (Path(purelib) / "_issuebot_base.pth").write_text("\n".join(_base_paths()) + "\n")
        (scratch / REQUIREMENTS).write_text(text, encoding="utf-8")
        pip = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(_python_in(scratch)), "install",
             *_PIP_FLAGS, "-q", "-r", str(scratch / REQUIREMENTS)],
            check=False, capture_output=True, text=True, timeout=timeout_seconds,
        )  # fmt: skip
        if pip.returncode != 0:
            output = (pip.stdout + pip.stderr).strip()
            return Interpreter(sys.executable, f"installing {REQUIREMENTS} failed:\n{output}")
        try:
            scratch.rename(target)
        except OSError:  # another run finished the same venv first: use theirs
            shutil.rmtree(scratch, ignore_errors=True)
        return Interpreter(str(_python_in(target)))
    except subprocess.TimeoutExpired:
        return Interpreter(sys.executable, f"installing {REQUIREMENTS} timed out")
    finally:
        if scratch.exists() and scratch != target:
            shutil.rmtree(scratch, ignore_errors=True)
