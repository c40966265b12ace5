"""Command lines that put a job in a sandbox: bubblewrap, a container runtime, or another uid.

Pure: a `Job` (argv, cwd, env, mounts, network) in, the argv to start out. The mount plan is
the same for every mode: the host's system directories and the Python prefixes read-only,
the job's own directories as the job says, nothing else of the host (no work dir, run store,
HOME, config or keys). Paths keep their host names inside, so venvs built outside run as-is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# System directories a Python interpreter and its C extensions need, read-only.
SYSTEM_DIRS: tuple[str, ...] = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# The few files of /etc that programs read; never the whole of /etc.
ETC_FILES: tuple[str, ...] = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/hosts",
    "/etc/ssl",
    "/etc/ca-certificates",
    "/etc/alternatives",
    "/etc/mime.types",
)
# Only a job with network (dependency installation) needs to resolve names.
NETWORK_ETC_FILES: tuple[str, ...] = ("/etc/resolv.conf", "/etc/gai.conf", "/etc/pip.conf")
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
SANDBOX_TMP = "/tmp"  # noqa: S108 - a tmpfs of the sandbox's own
SANDBOX_HOME = SANDBOX_TMP  # never the bot's HOME
HOSTNAME = "issuebot-sandbox"


@dataclass(frozen=True)
class Mount:
    """One host path made visible in the sandbox under the same name."""

    path: Path
    writable: bool = False


@dataclass(frozen=True)
class Job:
    """What to run: argv in cwd with exactly this env and these mounts (network or not)."""

    argv: Sequence[str]
    cwd: Path
    env: dict[str, str]
    mounts: tuple[Mount, ...] = ()
    network: bool = False
    name: str = "issuebot-job"
    extra_readonly: tuple[Path, ...] = ()


def python_prefixes() -> list[Path]:
    """The real directories of this interpreter and its venv (deduplicated, outermost kept)."""
    found = {
        Path(os.path.realpath(p))
        for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)
    }
    found.add(Path(os.path.realpath(sys.executable)).parent.parent)
    # Site directories a .pth file adds from elsewhere (an install layered over another
    # environment): code the interpreter imports, never a project tree or its data.
    found.update(
        Path(os.path.realpath(p))
        for p in sys.path
        if p and Path(p).name in {"site-packages", "dist-packages"} and os.path.isdir(p)
    )
    return _outermost(found)


def _outermost(paths: Iterable[Path]) -> list[Path]:
    ordered = sorted(set(paths), key=lambda p: len(p.parts))
    kept: list[Path] = []
    for path in ordered:
        if not any(path.is_relative_to(k) for k in kept):
            kept.append(path)
    return kept


def readonly_paths(job: Job) -> list[Path]:
    """Every host path the job may read: Python prefixes, /etc files, the job's extras."""
    etc = [*ETC_FILES, *(NETWORK_ETC_FILES if job.network else ())]
    extras = [Path(os.path.realpath(p)) for p in job.extra_readonly]
    prefixes = [p for p in _outermost([*python_prefixes(), *extras]) if not _under_system(p)]
    return [*(Path(e) for e in etc if os.path.exists(e)), *prefixes]


def _under_system(path: Path) -> bool:
    return any(path.is_relative_to(d) for d in SYSTEM_DIRS if not os.path.islink(d))


def bwrap_argv(job: Job, bwrap: str = "bwrap") -> list[str]:
    """bubblewrap: new user/pid/ipc/uts/cgroup (and net) namespaces, a fresh /proc and /tmp."""
    argv = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try"]  # fmt: skip
    if not job.network:
        argv.append("--unshare-net")
    argv += ["--die-with-parent", "--new-session", "--clearenv", "--cap-drop", "ALL",
             "--hostname", HOSTNAME, "--tmpfs", SANDBOX_TMP, "--proc", "/proc",
             "--dev", "/dev"]  # fmt: skip
    for name in SYSTEM_DIRS:
        if os.path.islink(name):
            argv += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            argv += ["--ro-bind", name, name]
    for path in readonly_paths(job):
        argv += ["--ro-bind", str(path), str(path)]
    for mount in job.mounts:
        argv += ["--bind" if mount.writable else "--ro-bind", str(mount.path), str(mount.path)]
    for key, value in sorted(job.env.items()):
        argv += ["--setenv", key, value]
    return [*argv, "--chdir", str(job.cwd), "--", *job.argv]


def container_argv(job: Job, *, runtime: str, image: str, uid: int, gid: int) -> list[str]:
    """docker/podman: no network, read-only root, no capabilities, an unprivileged user."""
    argv = [runtime, "run", "--rm", "--name", job.name,
            "--network", "bridge" if job.network else "none",
            "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--user", f"{uid}:{gid}", "--pids-limit", "1024", "--ipc", "private",
            "--tmpfs", f"{SANDBOX_TMP}:rw,exec,nosuid,size=1g",
            "--workdir", str(job.cwd)]  # fmt: skip
    binds = [(Path(d), False) for d in SYSTEM_DIRS if os.path.isdir(d) and not os.path.islink(d)]
    binds += [(p, False) for p in readonly_paths(job)]
    binds += [(m.path, m.writable) for m in job.mounts]
    for path, writable in binds:
        if "," in str(path):
            raise ValueError(f"cannot mount a path with a comma into a container: {path}")
        spec = f"type=bind,source={path},target={path}" + ("" if writable else ",readonly")
        argv += ["--mount", spec]
    for key, value in sorted(job.env.items()):
        argv += ["--env", f"{key}={value}"]
    return [*argv, image, *job.argv]


def uid_argv(job: Job, *, uid: int, gid: int, setpriv: str = "setpriv") -> list[str]:
    """The weaker fallback: the same host view, but another uid with no capabilities."""
    return [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--no-new-privs",
            "--inh-caps=-all", "--bounding-set=-all", "--", *job.argv]  # fmt: skip
