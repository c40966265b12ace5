"""Every text the pipeline posts, rendered from templates/pipeline/ with escaping filters.

Untrusted text (issue titles, test output, error messages) reaches markdown only through
the filters of `bot.issuespec.markdown`; comment markers are added by the GitHub layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from bot.issuespec.markdown import code_span, escape_inline, fence

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "pipeline"
SUMMARY_MARKER = "run-summary"
DIAGNOSIS_MARKER = "run-diagnosis"
CHECK_NAME = "issuebot / tests"
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


@cache
def environment() -> jinja2.Environment:
    """The one Environment for pipeline markdown (autoescape off: markdown, escaped by filters)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - markdown output, escaped by our filters
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        code=lambda value: code_span(str(value)),
        md_inline=lambda value: escape_inline(str(value)),
        fenced=lambda value, info="": fence(
            "\n".join(value) if isinstance(value, list | tuple) else str(value), info
        ),
    )
    return env


def render(name: str, **context: Any) -> str:
    """Render one template of templates/pipeline/."""
    return environment().get_template(name).render(**context).strip() + "\n"
