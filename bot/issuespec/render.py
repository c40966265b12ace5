"""Markdown the bot writes (issue body, replies, reviews, previews), every byte from a template.

One cached jinja2 Environment with StrictUndefined; templates only loop and branch, and all
escaping of strangers' text happens in the Python filters registered here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jinja2

from bot.config import Labels
from bot.issuespec.change import EntityChange
from bot.issuespec.markdown import code_span, escape_inline, fence
from bot.issuespec.request import FeatureRequest, InvalidRequestError
from bot.templating import markdown_environment

MAX_BODY_CHARS = 65_536  # GitHub rejects longer issue and comment bodies
ENTITY_MARKER = "<!-- issuebot:entity-request v1 -->"
_ENDPOINT = re.compile(r"^([A-Za-z]+)\s+(/\S*)\s*(.*)$")


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(", ", ": "))


def definition_json(definition: object) -> str:
    """Canonical JSON of a definition: one list item per line (reviewable, one-line diffs).

    ASCII-only, so invisible or bidirectional characters show up as ``\\uXXXX`` to reviewers.
    """
    if not isinstance(definition, dict) or not definition:
        return json.dumps(definition, indent=2, ensure_ascii=True)
    entries = []
    for key, value in definition.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {_compact(item)}" for item in value)
            entries.append(f"  {_compact(key)}: [\n{items}\n  ]")
        else:
            entries.append(f"  {_compact(key)}: {_compact(value)}")
    return "{\n" + ",\n".join(entries) + "\n}"


def md_endpoint(endpoint: str) -> str:
    """`GET /path` as code, the free text after it escaped; reversible by the parser."""
    match = _ENDPOINT.match(endpoint.strip())
    if not match:
        return escape_inline(endpoint)
    head = f"{match.group(1)} {match.group(2)}"
    rest = match.group(3)
    return f"{code_span(head)} {escape_inline(rest)}" if rest else code_span(head)


@cache
def environment(*, hygiene: bool = True) -> jinja2.Environment:
    """The markdown Environment of templates/issue/, plus the issue-format filters.

    Comments get output hygiene; the issue body (``hygiene=False``) is the request itself
    and must parse back to exactly what was filed.
    """
    env = markdown_environment("issue", hygiene=hygiene)
    env.filters.update(
        md_endpoint=md_endpoint,
        json_block=lambda value: fence(definition_json(value), "json"),
    )
    return env


def render_template(name: str, **context: Any) -> str:
    """Render one comment template of templates/issue/ with the given context."""
    return environment().get_template(name).render(**context)


def render_issue_body(
    req: FeatureRequest, *, labels: Labels | None = None, change: EntityChange | None = None
) -> str:
    """The issue body for a request; too long for GitHub is an InvalidRequestError.

    ``change``: the request changes an entity that ships; the body shows the entity's diff.
    """
    body = (
        environment(hygiene=False)
        .get_template("body.md.j2")
        .render(
            description=req.description,
            user_story=req.user_story,
            acceptance_criteria=req.acceptance_criteria,
            api_endpoints=req.api_endpoints,
            ui_requirements=req.ui_requirements,
            definition=req.entity_definition,
            change=change,
            labels=labels or Labels(),
        )
    )
    if len(body) > MAX_BODY_CHARS:
        raise InvalidRequestError(
            f"the rendered issue body is {len(body)} characters; GitHub allows {MAX_BODY_CHARS}",
            hint="shorten the description or the entity definition",
        )
    return body
