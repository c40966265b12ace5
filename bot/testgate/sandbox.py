"""Pick the sandbox that runs repository code, and run a job in it bounded in time.

Repository code (dependency installation, the test command, whatever they spawn) is hostile:
it must not read the bot's memory, environment, files or other workspaces. `tests.sandbox`
chooses how: ``auto`` probes bubblewrap once per process, then a container runtime, then a
separate uid (weaker, logged as such); ``none`` runs unsandboxed and is refused unless the
operator sets ``ISSUEBOT_ALLOW_UNSANDBOXED=1``. Every sandbox starts from a clean
environment, so no secret of the worker reaches it through ``environ`` or ``/proc``.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.errors import ConfigError
from bot.observability import get_logger
from bot.testgate.wrap import SANDBOX_PATH, Job, bwrap_argv, container_argv, uid_argv

SandboxMode = Literal["auto", "bwrap", "container", "uid", "none"]
ConcreteMode = Literal["bwrap", "container", "uid", "none"]
ALLOW_UNSANDBOXED = "ISSUEBOT_ALLOW_UNSANDBOXED"
RUNTIME_ENV = "ISSUEBOT_SANDBOX_RUNTIME"  # docker or podman (default: whichever is on PATH)
IMAGE_ENV = "ISSUEBOT_SANDBOX_IMAGE"  # the container's root skeleton; host dirs are bound in
UID_ENV = "ISSUEBOT_SANDBOX_UID"  # the uid (and gid) of `container` and `uid` modes
DEFAULT_IMAGE = "debian:stable-slim"
DEFAULT_UID = 65534  # nobody
PROBE_TIMEOUT = 20
MAX_CAPTURE = 1_000_000  # bytes of a job's output kept (its end, where pytest summarises)
log = get_logger("issuebot.testgate")

GUARANTEES: dict[ConcreteMode, str] = {
    "bwrap": "bubblewrap: own user/pid/ipc/uts/net namespaces, fresh /proc and /tmp, "
    "read-only system, only the workspace writable",
    "container": "container: no network, read-only root, no capabilities, unprivileged user",
    "uid": "separate uid only (weaker: shares the network and world-readable files)",
    "none": "UNSANDBOXED (allowed by the operator)",
}


@dataclass(frozen=True)
class Outcome:
    """What a sandboxed job printed and how it ended."""

    output: bytes
    returncode: int | None
    timed_out: bool


@dataclass(frozen=True)
class Sandbox:
    """One concrete way of running repository code; ``argv`` wraps a job's command line."""

    mode: ConcreteMode
    tool: str = ""
    image: str = DEFAULT_IMAGE
    uid: int = DEFAULT_UID

    @property
    def weaker(self) -> bool:
        """Whether this mode leaves the job the host's network and readable files."""
        return self.mode in {"uid", "none"}

    def describe(self) -> str:
        """A one-line statement of what this sandbox guarantees, for logs and check runs."""
        return GUARANTEES[self.mode]

    def argv(self, job: Job) -> list[str]:
        """The command line that runs ``job`` in this sandbox."""
        if self.mode == "bwrap":
            return bwrap_argv(job, self.tool)
        if self.mode == "container":
            return container_argv(job, runtime=self.tool, image=self.image, uid=self.uid,
                                  gid=self.uid)  # fmt: skip
        if self.mode == "uid":
            return uid_argv(job, uid=self.uid, gid=self.uid, setpriv=self.tool)
        return list(job.argv)

    def _launcher_env(self, job: Job) -> dict[str, str]:
        # The launcher's own environment is visible to the job (bwrap is its pid 1), so it
        # gets nothing of the worker's beyond what the container client needs to connect.
        if self.mode == "bwrap":
            return {"PATH": SANDBOX_PATH}
        if self.mode == "container":
            keep = ("PATH", "DOCKER_HOST", "CONTAINER_HOST", "XDG_RUNTIME_DIR")
            return {k: os.environ[k] for k in keep if k in os.environ}
        return dict(job.env)

    def _hand_over(self, job: Job) -> None:
        if self.mode != "uid":
            return
        for mount in job.mounts:
            if mount.writable:
                for path in [mount.path, *mount.path.rglob("*")]:
                    os.lchown(path, self.uid, self.uid)

    def run(self, job: Job, timeout_seconds: float) -> Outcome:
        """Run ``job`` to the end or until ``timeout_seconds``; never raises for its failure.

        Output goes to a scratch file, not memory, and only its last ``MAX_CAPTURE`` bytes are
        read back: a job that prints gigabytes cannot exhaust the worker.
        """
        self._hand_over(job)
        with tempfile.TemporaryFile() as sink:
            proc = subprocess.Popen(
                self.argv(job),
                cwd=job.cwd,
                env=self._launcher_env(job),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
            timed_out = False
            try:
                proc.wait(timeout=timeout_seconds)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                if self.mode == "container":
                    subprocess.run([self.tool, "kill", job.name], check=False,
                                   capture_output=True, timeout=PROBE_TIMEOUT)  # fmt: skip
                proc.wait()
            size = sink.seek(0, os.SEEK_END)
            sink.seek(max(0, size - MAX_CAPTURE))
            output = sink.read()
        return Outcome(output, None if timed_out else proc.returncode, timed_out)


@functools.cache
def probe_bwrap(tool: str) -> str | None:
    """None when bubblewrap can start this interpreter with no network here, else why not."""
    job = Job([sys.executable, "-c", "pass"], cwd=Path("/"), env={"PATH": SANDBOX_PATH})
    return _probe(Sandbox("bwrap", tool).argv(job), {"PATH": SANDBOX_PATH})


@functools.cache
def probe_container(tool: str) -> str | None:
    """None when the container runtime answers, else why not."""
    return _probe([tool, "info"], dict(os.environ))


@functools.cache
def probe_uid(tool: str, uid: int) -> str | None:
    """None when this process may switch to ``uid`` (it must be root), else why not."""
    if os.geteuid() != 0:
        return "switching uid needs the worker to run as root"
    job = Job(["/bin/sh", "-c", "exit 0"], cwd=Path("/"), env={"PATH": SANDBOX_PATH})
    return _probe(uid_argv(job, uid=uid, gid=uid, setpriv=tool), {"PATH": SANDBOX_PATH})


def _probe(argv: list[str], env: dict[str, str]) -> str | None:
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=PROBE_TIMEOUT, check=False, cwd="/")  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{Path(argv[0]).name}: {exc}"
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"{Path(argv[0]).name} exited {done.returncode}: {last[0][:200]}"
    return None


def resolve_sandbox(
    mode: SandboxMode = "auto", environ: Mapping[str, str] | None = None
) -> Sandbox:
    """The sandbox for ``mode`` on this host; a ConfigError when it cannot be had."""
    env = os.environ if environ is None else environ
    if mode == "none":
        if env.get(ALLOW_UNSANDBOXED) != "1":
            raise ConfigError(
                "tests.sandbox is 'none', which would run the repository's code unsandboxed",
                hint=f"only the bot's operator can allow that, by setting {ALLOW_UNSANDBOXED}=1",
            )
        return _chosen(Sandbox("none"))
    uid = int(env.get(UID_ENV) or DEFAULT_UID)
    reasons: list[str] = []
    tried: list[tuple[ConcreteMode, str | None]] = []
    if mode in {"auto", "bwrap"}:
        tried.append(("bwrap", shutil.which("bwrap")))
    if mode in {"auto", "container"}:
        runtimes = [env[RUNTIME_ENV]] if env.get(RUNTIME_ENV) else ["docker", "podman"]
        found = [shutil.which(r) for r in runtimes]
        tried.append(("container", next((f for f in found if f), None)))
    if mode in {"auto", "uid"}:
        tried.append(("uid", shutil.which("setpriv")))
    for concrete, tool in tried:
        if tool is None:
            reasons.append(f"{concrete}: not installed")
            continue
        if concrete == "bwrap":
            why = probe_bwrap(tool)
        elif concrete == "container":
            why = probe_container(tool)
        else:
            why = probe_uid(tool, uid)
        if why is None:
            image = env.get(IMAGE_ENV) or DEFAULT_IMAGE
            return _chosen(Sandbox(concrete, tool, image=image, uid=uid))
        reasons.append(f"{concrete}: {why}")
    raise ConfigError(
        f"no test sandbox works on this host for tests.sandbox={mode!r} ({'; '.join(reasons)})",
        hint="install bubblewrap (apt-get install bubblewrap) or a container runtime",
    )


def _chosen(sandbox: Sandbox) -> Sandbox:
    level = log.warning if sandbox.weaker else log.info
    level("test_sandbox", mode=sandbox.mode, guarantees=sandbox.describe())
    return sandbox
