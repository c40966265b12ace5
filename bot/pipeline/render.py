"""Every text the pipeline posts, rendered from templates/pipeline/ with escaping filters.

Untrusted text (issue titles, test output, error messages) reaches markdown only through
the filters of `bot.issuespec.markdown`; comment markers are added by the GitHub layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.gates.heads import BOT_CHECK_NAME
from bot.templating import render_markdown

SUMMARY_MARKER = "run-summary"
DIAGNOSIS_MARKER = "run-diagnosis"
CHECK_NAME = BOT_CHECK_NAME
_ICONS = {"ok": "✅", "skipped": "⏭️", "failed": "❌", "running": "⏳", "pending": "▫️"}


@dataclass(frozen=True)
class StepLine:
    """One row of the progress table."""

    name: str
    status: str
    seconds: float | None = None

    @property
    def icon(self) -> str:
        """An emoji per status, so progress reads at a glance."""
        return _ICONS.get(self.status, "")

    @property
    def time(self) -> str:
        """Duration as `1.2s`, or a dash while unknown."""
        return "—" if self.seconds is None else f"{self.seconds:.1f}s"


def render(name: str, **context: Any) -> str:
    """Render one template of templates/pipeline/."""
    return render_markdown("pipeline", name, **context).strip() + "\n"
