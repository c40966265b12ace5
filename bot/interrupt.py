"""Ctrl-C and SIGTERM for the long-running commands: stopped within 2 s, children and temp too.

`demo`, `serve` and `worker` start processes of their own (git, sandboxed test suites, RQ work
horses, fast-lane companions) and threads that may be blocked on them. Inside
``exit_on_signals`` the first SIGINT or SIGTERM runs the command's ``on_signal`` callback (the
demo prints what it had done) and raises ``Interrupted`` (a ``SystemExit``, so no
``except Exception`` swallows it) to unwind the main thread. When the block is left, or at the
latest ``GRACE_SECONDS`` after the signal (a watchdog thread), every descendant process is
killed, the private temp dir removed and the process ends with 128 + the signal number.
Children are killed only then, right before the exit: a job thread that saw its test process
die early could otherwise report a test failure that never happened.

A run interrupted this way is abandoned to its lease: the heartbeat stops, the lease expires
and any worker's recovery resumes the run from its last recorded step (`bot.queue.recovery`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

GRACE_SECONDS = 1.5
HANDLED = (signal.SIGINT, signal.SIGTERM)

_received: list[int] = []
_temp_roots: list[Path] = []


def stopping() -> bool:
    """True once a signal asked this process to stop: nothing should wait for running jobs."""
    return bool(_received)


def exit_code(signum: int) -> int:
    """The shell's convention: 128 + the signal number (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + signum


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (2nd field) may hold spaces and parentheses: split after the last ')'
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] == "Z" else int(fields[1])


def descendants(root: int | None = None) -> list[int]:
    """Live (non-zombie) descendant pids of ``root`` (this process), read from /proc (Linux,
    where the bot runs; elsewhere none are found and children are left to the OS)."""
    root = os.getpid() if root is None else root
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                parent = _parent_of(int(entry))
                if parent is not None:
                    children.setdefault(parent, []).append(int(entry))
    found: list[int] = []
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_descendants() -> None:
    """SIGKILL every descendant; the whole tree is read first (an orphan is re-parented to init
    and could not be found afterwards). Only used on the way out, so nothing waits for them."""
    for pid in descendants():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


class Interrupted(SystemExit):
    """SIGINT or SIGTERM asked the process to stop; carries the exit code 128 + signal."""


@contextlib.contextmanager
def private_tempdir(prefix: str) -> Iterator[Path]:
    """A temp dir under which every temp file of this process and its children goes.

    ``tempfile`` and ``TMPDIR`` point into it while the block runs, so one removal cleans up
    what the emulator, the pipeline and the sandbox created, even after a forced exit.
    """
    root = Path(tempfile.mkdtemp(prefix=prefix))
    saved_dir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(root)
    os.environ["TMPDIR"] = str(root)
    _temp_roots.append(root)
    try:
        yield root
    finally:
        tempfile.tempdir = saved_dir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        if not _received:  # after a signal, the exit below removes it once the children are gone
            shutil.rmtree(root, ignore_errors=True)
            _temp_roots.remove(root)


def _exit_now(signum: int) -> None:
    """Freeze the children, remove the private temp dirs, say so, kill them and end the process.

    Frozen (SIGSTOP), not killed, while the temp dirs go: a job thread waiting for a killed
    child would wake up and report its failure (a log line, a store row) before the exit.
    """
    logging.disable(logging.CRITICAL)  # job threads have nothing left to say
    for pid in descendants():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGSTOP)
    for root in list(_temp_roots):
        shutil.rmtree(root, ignore_errors=True)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.write(f"interrupted by {signal.Signals(signum).name}\n")
        sys.stderr.flush()
    kill_descendants()
    os._exit(exit_code(signum))


def _watchdog(signum: int) -> None:
    time.sleep(GRACE_SECONDS)
    _exit_now(signum)


def begin_stop(signum: int, on_signal: Callable[[int], None] | None = None) -> bool:
    """Record the signal, start the watchdog, run ``on_signal``; False if already stopping."""
    if _received:
        return False
    _received.append(signum)
    threading.Thread(target=_watchdog, args=(signum,), name="issuebot-stop", daemon=True).start()
    if on_signal is not None:
        with contextlib.suppress(Exception):  # a report that fails must not block the stop
            on_signal(signum)
    return True


def handle_signal(signum: int, _frame: FrameType | None = None) -> None:
    """The handler: begin the stop, then unwind the main thread (or end at once)."""
    begin_stop(signum, _on_signal[-1] if _on_signal else None)
    if _no_unwind:
        _exit_now(signum)
    raise Interrupted(exit_code(signum))


_on_signal: list[Callable[[int], None]] = []
_no_unwind: list[bool] = []


@contextlib.contextmanager
def exit_on_signals(
    on_signal: Callable[[int], None] | None = None,
    *,
    temp_prefix: str | None = None,
    unwind: bool = True,
) -> Iterator[Path | None]:
    """Turn SIGINT/SIGTERM into a prompt, complete stop (see the module doc).

    With ``temp_prefix`` the block runs with a private temp dir (yielded), see
    ``private_tempdir``. Once a signal came, leaving the block ends the process. Without
    ``unwind`` the process ends right after ``on_signal``: for a block whose every resource
    lives in its temp dir (the demo), unwinding would only stop GitHub under running jobs.
    """
    if on_signal is not None:
        _on_signal.append(on_signal)
    if not unwind:
        _no_unwind.append(True)
    previous = {sig: signal.signal(sig, handle_signal) for sig in HANDLED}
    try:
        with contextlib.ExitStack() as stack:
            root = stack.enter_context(private_tempdir(temp_prefix)) if temp_prefix else None
            yield root
    finally:
        if _received:
            _exit_now(_received[0])
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if on_signal is not None:
            _on_signal.remove(on_signal)
        if not unwind:
            _no_unwind.pop()
