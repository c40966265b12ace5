"""`issuebot doctor`: readiness gates for a real setup (pure `gates`, I/O in `facts`)."""

from __future__ import annotations

from bot.doctor.facts import gather
from bot.doctor.gates import judge, ready
from bot.doctor.model import Facts, Verdict
from bot.github import ClientOptions
from bot.settings import Settings

MARK = {"pass": "ok  ", "fail": "FAIL", "skip": "skip"}


def run_doctor(
    settings: Settings,
    repo: str | None = None,
    *,
    fix: bool = False,
    sandbox_here: bool = True,
    options: ClientOptions | None = None,
) -> list[Verdict]:
    """Gather the facts and judge them: one verdict per gate."""
    return judge(gather(settings, repo, fix=fix, sandbox_here=sandbox_here, options=options))


def render_text(verdicts: list[Verdict]) -> str:
    """One line per gate, and under each failure the line that fixes it."""
    lines = []
    for v in verdicts:
        lines.append(f"{MARK[v.status]}  {v.gate:18} {v.detail}")
        if v.status == "fail" and v.fix:
            lines.append(f"{'':24}fix: {v.fix}")
    failed = sum(v.status == "fail" for v in verdicts)
    lines.append("ready" if failed == 0 else f"not ready: {failed} gate(s) failed")
    return "\n".join(lines)


__all__ = ["Facts", "Verdict", "judge", "ready", "render_text", "run_doctor"]
