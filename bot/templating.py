"""One way to render the markdown the bot posts: a cached jinja2 Environment per template kind.

Templates only loop and branch; strangers' text is escaped by the filters registered here
(from `bot.issuespec.markdown`), never interpolated raw. Every filter first applies the one
output-hygiene rule (`bot.issuespec.hygiene.neutralise`: no pings, images, raw HTML or
closing keywords from user text); only the issue body, which must read back as the request
it came from, is rendered without it. Autoescape is off because the output is markdown, not
HTML; StrictUndefined turns a missing value into an error, not a blank.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from generators.resources import templates


def _identity(text: str, *, code: bool = False) -> str:
    return text


@cache
def markdown_environment(kind: str, *, hygiene: bool = True) -> jinja2.Environment:
    """The Environment for `templates/<kind>/` with the escaping filters every kind shares.

    ``hygiene=False`` only for text that must round-trip verbatim (the issue body itself).
    """
    # bot.issuespec renders through this module, so its escapers load here, not at import time
    from bot.issuespec.hygiene import neutralise  # noqa: PLC0415
    from bot.issuespec.markdown import (  # noqa: PLC0415
        code_span,
        escape_block,
        escape_inline,
        escape_text,
        fence,
    )

    clean = neutralise if hygiene else _identity

    def fenced(value: object, info: str = "") -> str:
        text = "\n".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        return fence(clean(text, code=True), info)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates(kind)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - markdown output, escaped by our filters
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        code=lambda value: code_span(clean(str(value))),
        md_inline=lambda value: escape_inline(clean(str(value))),
        md_block=lambda value: escape_block(clean(str(value))),
        md_text=lambda value: escape_text(clean(str(value))),
        fenced=fenced,
    )
    return env


def render_markdown(kind: str, name: str, **context: Any) -> str:
    """Render `templates/<kind>/<name>`."""
    return markdown_environment(kind).get_template(name).render(**context)
