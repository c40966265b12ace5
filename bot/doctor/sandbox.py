"""Does the test sandbox work on this host? Run bubblewrap once around `true` and see.

``bot/testgate`` runs the generated tests; this asks its probe whether that sandbox starts
here (binary present, namespaces allowed). ``ISSUEBOT_BWRAP`` names the binary (default:
``bwrap`` on PATH).
"""

from __future__ import annotations

import os
import shutil

from bot.testgate.sandbox import probe_bwrap

BWRAP_ENV = "ISSUEBOT_BWRAP"


def bwrap_binary() -> str:
    """The bubblewrap binary the probe runs."""
    return os.environ.get(BWRAP_ENV) or "bwrap"


def probe_sandbox(binary: str | None = None) -> str | None:
    """None when the test gate's own bubblewrap sandbox starts here, else why it does not."""
    name = binary or bwrap_binary()
    found = shutil.which(name)
    if found is None:
        return f"{name} not found"
    return probe_bwrap(found)  # the exact sandbox the test gate runs, not a look-alike
