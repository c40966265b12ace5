"""A per-repository virtualenv for the test gate, cached by repository and requirements hash.

When the target declares `requirements.txt`, its tests run in a venv built for exactly that
file, under `<cache>/<owner>__<name>/<hash>`: one repository's venvs are never another's.
The venv is layered over the bot's own environment (a `.pth` file), so requirements the bot
already satisfies cost nothing and need no network; anything else comes as wheels (the bot's
pip downloads them from the operator's index: no package code runs with network, and sdists,
whose build runs code, are refused), then pip installs them in the sandbox with no network.
Built in a scratch directory and renamed into place, so concurrent runs never see a
half-built venv; test runs mount it read-only.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import site
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass
from pathlib import Path

from bot.testgate.runner import child_env
from bot.testgate.sandbox import Sandbox, resolve_sandbox
from bot.testgate.wrap import Job, Mount

REQUIREMENTS = "requirements.txt"
CHECKED = "requirements.checked.txt"  # only the lines that passed `requirement_lines`
MAX_REQUIREMENT_LINES = 2000
_PIP_FLAGS = ("--no-input", "--disable-pip-version-check", "--retries", "1", "--timeout", "20")


@dataclass(frozen=True)
class Interpreter:
    """The Python the tests run with; ``error`` is set when the venv could not be built."""

    python: str
    error: str | None = None
    venv: Path | None = None


def _base_paths() -> list[str]:
    return [p for p in site.getsitepackages() if Path(p).is_dir()]


def venv_key(requirements: str, base_python: str = sys.executable) -> str:
    """The cache key: requirements text, the base interpreter and what it layers over."""
    material = "\n".join([requirements, base_python, sys.version, *_base_paths()])
    return hashlib.sha256(material.encode()).hexdigest()[:16]


_REPO = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")
# The operator's pip settings (index, wheels, certificates) reach pip; nothing else does.
_PIP_ENV = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CERT",
            "PIP_TRUSTED_HOST", "PIP_DEFAULT_TIMEOUT", "PIP_NO_INDEX", "HTTP_PROXY",
            "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")  # fmt: skip


def repo_cache(cache_dir: Path, repo: str) -> Path:
    """The directory that holds ``repo``'s venvs (``owner/name`` checked, no `..`)."""
    if not _REPO.fullmatch(repo) or ".." in repo:
        raise ValueError(f"not a repository name: {repo!r}")
    return cache_dir / repo.replace("/", "__")


def _pip_env() -> tuple[dict[str, str], tuple[Path, ...]]:
    """pip's settings from the operator's environment, and the local paths they name."""
    env = {k: os.environ[k] for k in _PIP_ENV if k in os.environ}
    paths: list[Path] = []
    for value in env.values():
        for item in value.split():
            local = item.removeprefix("file://")
            if local.startswith("/") and os.path.exists(local):
                paths.append(Path(local))
    return env, tuple(paths)


def _python_in(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def interpreter_for(
    workdir: Path,
    cache_dir: Path,
    *,
    repo: str,
    timeout_seconds: float,
    sandbox: Sandbox | None = None,
) -> Interpreter:
    """Our interpreter if the repo declares no requirements, else its cached venv's."""
    requirements = workdir / REQUIREMENTS
    if not requirements.is_file():
        return Interpreter(sys.executable)
    text = requirements.read_text("utf-8", errors="replace")
    home = repo_cache(cache_dir, repo)
    target = home / venv_key(text)
    if _python_in(target).is_file():
        return Interpreter(str(_python_in(target)), venv=target)
    home.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=home))
    try:
        venv.EnvBuilder(with_pip=False, symlinks=sys.platform != "win32").create(scratch)
        ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        purelib = subprocess.run(
            [str(_python_in(scratch)), "-c", ask],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout.strip()  # fmt: skip
        (Path(purelib) / "_issuebot_base.pth").write_text("\n".join(_base_paths()) + "\n")
        (scratch / REQUIREMENTS).write_text(text, encoding="utf-8")
        error = _install(scratch, sandbox or resolve_sandbox("auto"), timeout_seconds)
        if error is not None:
            return Interpreter(sys.executable, error)
        scratch.chmod(0o755)  # readable by a sandbox's other uid, writable by nobody else
        try:
            scratch.rename(target)
        except OSError:  # another run finished the same venv first: use theirs
            shutil.rmtree(scratch, ignore_errors=True)
        return Interpreter(str(_python_in(target)), venv=target)
    finally:
        if scratch.exists() and scratch != target:
            shutil.rmtree(scratch, ignore_errors=True)


def requirement_lines(text: str) -> list[str] | str:
    """The file's package requirements, or why the file is refused.

    Only PEP 508 requirements (name, extras, versions, markers): a pip option, URL or path
    would let repository text pick the index or the files the bot's own pip reads.
    """
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    found: list[str] = []
    for number, raw in enumerate(text.splitlines()[:MAX_REQUIREMENT_LINES], start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            return f"line {number}: pip options ({line.split()[0]}) are not allowed"
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            return f"line {number}: not a package requirement ({exc})"
        if requirement.url:
            return f"line {number}: direct references (URLs, paths) are not allowed"
        found.append(str(requirement))
    return found


def _install(env_dir: Path, sandbox: Sandbox, timeout_seconds: float) -> str | None:
    """Install the requirements with no network in the sandbox, fetching wheels first if needed.

    Installation never runs repository-chosen code with network: the bot's own pip downloads
    wheels only (a wheel installs without running any of its code) from the operator's
    index, and the install itself runs in the sandbox, offline, from those files.
    """
    wanted = requirement_lines((env_dir / REQUIREMENTS).read_text("utf-8", errors="replace"))
    if isinstance(wanted, str):
        return f"{REQUIREMENTS} refused: {wanted}"
    (env_dir / CHECKED).write_text("\n".join(wanted) + "\n", encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="issuebot-wheels-") as tmp:
        wheels = Path(tmp)
        failed = _offline_install(env_dir, wheels, sandbox, timeout_seconds)
        if failed is None:  # everything was satisfied by the environment it layers over
            return None
        fetched = _download_wheels(env_dir / CHECKED, wheels, timeout_seconds)
        if fetched is not None:
            return fetched
        failed = _offline_install(env_dir, wheels, sandbox, timeout_seconds)
    if sandbox.mode == "uid":  # hand the venv back to the bot: later runs only read it
        for path in [env_dir, *env_dir.rglob("*")]:
            os.lchown(path, os.getuid(), os.getgid())
    return failed


def _download_wheels(requirements: Path, wheels: Path, timeout_seconds: float) -> str | None:
    """The bot's pip fetches wheels (never sdists: building one runs its code) to ``wheels``."""
    pip_env, _ = _pip_env()
    argv = [sys.executable, "-m", "pip", "download", *_PIP_FLAGS, "-q", "--only-binary=:all:",
            "--dest", str(wheels), "-r", str(requirements)]  # fmt: skip
    try:
        done = subprocess.run(argv, env=child_env(pip_env), capture_output=True, text=True,
                              timeout=timeout_seconds, check=False, cwd=wheels)  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"installing {REQUIREMENTS} timed out while downloading"
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        return f"installing {REQUIREMENTS} failed (only wheels are installed):\n{output[-4000:]}"
    return None


def _offline_install(
    env_dir: Path, wheels: Path, sandbox: Sandbox, timeout_seconds: float
) -> str | None:
    """pip-install the checked requirements into ``env_dir`` in the sandbox, without network."""
    pip_env, pip_paths = _pip_env()
    offline = {k: v for k, v in pip_env.items() if not k.lower().endswith("_proxy")}
    argv = [sys.executable, "-m", "pip", "--python", str(_python_in(env_dir)), "install",
            *_PIP_FLAGS, "-q", "--no-index", "--only-binary=:all:", "--find-links", str(wheels),
            "-r", str(env_dir / CHECKED)]  # fmt: skip
    job = Job(
        argv,
        cwd=env_dir,
        env=child_env(offline),
        mounts=(Mount(env_dir, writable=True),),
        network=False,
        extra_readonly=(wheels, *pip_paths),
        name=f"issuebot-pip-{env_dir.name}",
    )
    outcome = sandbox.run(job, timeout_seconds)
    if outcome.timed_out:
        return f"installing {REQUIREMENTS} timed out"
    if outcome.returncode != 0:
        output = outcome.output.decode("utf-8", errors="replace").strip()
        return f"installing {REQUIREMENTS} failed:\n{output[-4000:]}"
    return None
