"""One way to render the markdown the bot posts: a cached jinja2 Environment per template kind.

Templates only loop and branch; strangers' text is escaped by the filters registered here
(from `bot.issuespec.markdown`), never interpolated raw. Autoescape is off because the output
is markdown, not HTML; StrictUndefined turns a missing value into an error, not a blank.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from generators.resources import templates


def _fenced(value: object, info: str = "") -> str:
    from bot.issuespec.markdown import fence  # noqa: PLC0415 - see markdown_environment

    text = "\n".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return fence(text, info)


@cache
def markdown_environment(kind: str) -> jinja2.Environment:
    """The Environment for `templates/<kind>/` with the escaping filters every kind shares."""
    # bot.issuespec renders through this module, so its escapers load here, not at import time
    from bot.issuespec.markdown import code_span, escape_block, escape_inline, escape_text  # noqa: PLC0415

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates(kind)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - markdown output, escaped by our filters
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        code=lambda value: code_span(str(value)),
        md_inline=lambda value: escape_inline(str(value)),
        md_block=lambda value: escape_block(str(value)),
        md_text=lambda value: escape_text(str(value)),
        fenced=_fenced,
    )
    return env


def render_markdown(kind: str, name: str, **context: Any) -> str:
    """Render `templates/<kind>/<name>`."""
    return markdown_environment(kind).get_template(name).render(**context)
