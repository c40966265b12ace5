"""Does the test sandbox work on this host? Run bubblewrap once around `true` and see.

A probe, not the sandbox: ``bot/testgate`` runs the generated tests; this only answers whether
an unprivileged ``bwrap --unshare-all`` can start here (user namespaces allowed, binary
present). ``ISSUEBOT_BWRAP`` names the binary (default: ``bwrap`` on PATH).
"""

from __future__ import annotations

import os
import shutil
import subprocess

BWRAP_ENV = "ISSUEBOT_BWRAP"
PROBE_TIMEOUT = 15.0


def bwrap_binary() -> str:
    """The bubblewrap binary the probe runs."""
    return os.environ.get(BWRAP_ENV) or "bwrap"


def probe_sandbox(binary: str | None = None) -> str | None:
    """None when ``bwrap --ro-bind / / --unshare-all true`` succeeds, else why it did not."""
    name = binary or bwrap_binary()
    found = shutil.which(name)
    if found is None:
        return f"{name} not found"
    try:
        done = subprocess.run(
            [found, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{name} could not run: {exc}"
    if done.returncode != 0:
        lines = (done.stderr or "").strip().splitlines()
        return f"{name} exited {done.returncode}: {lines[-1] if lines else 'no output'}"
    return None
