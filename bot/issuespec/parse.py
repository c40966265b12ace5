"""Read an entity request back out of an issue body: pure, bounded, never executes anything.

Accepts the body the bot renders, GitHub's rendering of the Issue Form, and a ```yaml block;
tolerates what people do to issues (CRLF, a BOM, edited text, ticked boxes, extra sections).
Every outcome is a ``ParsedIssue`` whose ``problems`` explain themselves; nothing raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.issuespec.assemble import build_entity
from bot.issuespec.change import EntityChange
from bot.issuespec.change_request import is_change_request, resolve_change
from bot.issuespec.decode import BLOCK, decode_json, decode_yaml
from bot.issuespec.markdown import Fence, Section, replace_surrogates, scan, unescape
from bot.issuespec.render import ENTITY_MARKER, MAX_BODY_CHARS
from bot.issuespec.sections import (
    Criterion,
    endpoint_line,
    list_items,
    section_key,
    section_text,
)
from generators.checks import MAX_DESCRIPTION, text_problems
from generators.spec import Entity, Problem, SpecFile

Format = Literal["rendered", "issue-form", "yaml", "none"]
_DEFINITION_INFOS = {"json", "jsonc", "yaml", "yml"}
_INNER_INFOS = _DEFINITION_INFOS | {""}


@dataclass(frozen=True)
class ParsedIssue:
    """Everything read from a body; ``entity`` is set only when there are no problems."""

    format: Format
    entity: Entity | None
    problems: list[Problem]
    definition: dict[str, Any] | None = None
    description: str | None = None
    user_story: str | None = None
    acceptance_criteria: list[Criterion] = field(default_factory=list)
    api_endpoints: list[str] = field(default_factory=list)
    ui_requirements: str | None = None
    extra_sections: dict[str, str] = field(default_factory=dict)
    block_line: int | None = None
    change: EntityChange | None = None  # set when the block changes an entity that ships

    @property
    def valid(self) -> bool:
        """Whether the body holds one valid entity definition."""
        return self.entity is not None and not self.problems


def _candidates(sections: list[Section], entity_sections: list[Section]) -> list[Fence]:
    """Fences that may hold the definition; empty ones (a stray closing fence) do not count."""
    if entity_sections:
        found = [f for s in entity_sections for f in s.fences if f.info in _DEFINITION_INFOS | {""}]
    else:
        found = [f for s in sections for f in s.fences if f.info in _DEFINITION_INFOS]
    return [_unwrap(f) for f in found if f.content.strip()]


def _unwrap(block: Fence) -> Fence:
    """A fence pasted into the form's ``render: json`` box nests: blank the inner fence lines.

    Blanking (not removing) keeps line numbers in error messages true to what the user sees.
    """
    lines = block.content.split("\n")
    first = lines[0].strip()
    if first.startswith(("```", "~~~")) and first.lstrip("`~").strip().lower() in _INNER_INFOS:
        info = block.info or first.lstrip("`~").strip().lower()
        lines[0] = ""
        if len(lines) > 1 and lines[-1].strip() and set(lines[-1].strip()) <= {"`", "~"}:
            lines[-1] = ""
        return Fence(info, "\n".join(lines), block.line, block.closed)
    return block


def _bare_json(section: Section) -> Fence | None:
    """An edited issue whose fences were lost: a bare ``{...}`` under the heading still counts."""
    for offset, line in enumerate(section.lines):
        if line.strip():
            if line.strip().startswith("{") and not section.fences:
                return Fence("json", "\n".join(section.lines[offset:]), section.line + offset, True)
            return None
    return None


def _bad_strings(data: Any) -> list[Problem]:
    """Lone surrogates (``"\\udcff"`` escapes) are not text: refuse them with their path."""
    problems: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack and len(problems) < 20:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
            texts = [str(k) for k in value]
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
            texts = []
        else:
            texts = [value] if isinstance(value, str) else []
        if any(replace_surrogates(text)[1] for text in texts):
            problems.append(
                Problem(
                    path=path or BLOCK,
                    message="contains an invalid character (a lone UTF-16 surrogate)",
                    hint="remove \\udXXX escapes; write the character itself",
                )
            )
    return problems


def _check_definition(
    data: Any, endpoints: list[str], shipped: SpecFile | None
) -> tuple[Entity | None, list[Problem], EntityChange | None]:
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        return (
            None,
            [
                Problem(
                    path=BLOCK,
                    message=f"the block holds {kind}, not one object describing the entity",
                    hint='start with {"name": "MyEntity", "fields": [...]}',
                )
            ],
            None,
        )
    problems = _bad_strings(data)
    if problems:
        return None, problems, None
    try:
        if is_change_request(data):
            resolved = resolve_change(data, shipped, endpoints)
            return resolved.entity, resolved.problems, resolved.change
        entity, problems = build_entity(data, endpoints)
    except (RecursionError, ValueError, TypeError) as exc:
        return None, [Problem(path=BLOCK, message=f"cannot be validated: {exc}", hint="")], None
    return (entity if not problems else None), list(problems), None


def _with_ui_requirements(entity: Entity, text: str) -> tuple[Entity | None, list[Problem]]:
    """The entity carrying the request's UI requirements (its workbench header shows them)."""
    problems = text_problems(text, "UI requirements", limit=MAX_DESCRIPTION, multiline=True)
    if problems:
        return None, problems
    return entity.model_copy(update={"ui_requirements": text}), []


def parse_issue_body(body: str | None, shipped: SpecFile | None = None) -> ParsedIssue:
    """Read the entity definition and the readable sections out of an issue body.

    ``shipped`` is the repository's spec: a change request (``{"change": "Widget", ...}``)
    becomes the changed entity over the one it ships; without it, the request is a problem.
    """
    if body is None or not body.strip():
        return ParsedIssue(
            "none",
            None,
            [Problem(path=BLOCK, message="the issue body is empty", hint=_ADD_BLOCK_HINT)],
        )
    if len(body) > MAX_BODY_CHARS:
        return ParsedIssue(
            "none",
            None,
            [
                Problem(
                    path="issue body",
                    message=f"the body is {len(body)} characters; GitHub allows {MAX_BODY_CHARS}",
                    hint="shorten it; an entity definition fits in a few kilobytes",
                )
            ],
        )
    body, bad_chars = replace_surrogates(body.lstrip("\ufeff"))
    sections = scan(body)
    known: dict[str, Section] = {}
    extra: dict[str, str] = {}
    entity_sections: list[Section] = []
    for section in sections[1:]:
        key = section_key(section.title)
        if key == "entity":
            entity_sections.append(section)
        elif key and key not in known:
            known[key] = section
        else:
            extra[section.title] = section.text
    readable: dict[str, Any] = {
        "description": section_text(known.get("description")),
        "user_story": section_text(known.get("user_story")),
        "acceptance_criteria": [
            Criterion(unescape(t), done) for t, done in list_items(known.get("acceptance_criteria"))
        ],
        "api_endpoints": [endpoint_line(t) for t, _ in list_items(known.get("api_endpoints"))],
        "ui_requirements": section_text(known.get("ui_requirements")),
        "extra_sections": extra,
    }
    form: Format = (
        "rendered"
        if ENTITY_MARKER in body or not entity_sections or entity_sections[0].level != 3
        else "issue-form"
    )
    fences = _candidates(sections, entity_sections)
    if not fences and len(entity_sections) == 1:
        bare = _bare_json(entity_sections[0])
        fences = [bare] if bare else []
    if not fences:
        return ParsedIssue("none", None, [_missing(entity_sections)], **readable)
    if len(fences) > 1:
        lines = ", ".join(str(f.line) for f in fences)
        problem = Problem(
            path=BLOCK,
            message=f"{len(fences)} definition blocks (lines {lines}); which one is the spec?",
            hint="keep exactly one ```json block under the Entity definition heading",
        )
        return ParsedIssue(form, None, [problem], **readable)
    block = fences[0]
    is_yaml = block.info in {"yaml", "yml"} or (
        block.info == "" and not block.content.lstrip().startswith(("{", "["))
    )
    decode = decode_yaml if is_yaml else decode_json
    data, problems = decode(block.content, body_line=block.line)
    entity: Entity | None = None
    change: EntityChange | None = None
    if not problems:
        entity, problems, change = _check_definition(data, readable["api_endpoints"], shipped)
    if entity is not None and readable["ui_requirements"]:
        entity, problems = _with_ui_requirements(entity, readable["ui_requirements"])
    if bad_chars:
        problems.append(
            Problem(
                path="issue body",
                message=f"{bad_chars} undecodable character(s) (lone surrogates) in the body",
                hint="re-type the affected text; they are shown as \ufffd",
            )
        )
        entity = None
    return ParsedIssue(
        "yaml" if is_yaml else form,
        entity,
        problems,
        definition=data if isinstance(data, dict) else None,
        block_line=block.line,
        change=change,
        **readable,
    )


_ADD_BLOCK_HINT = "add an '## Entity definition' section holding one ```json block"


def _missing(entity_sections: list[Section]) -> Problem:
    if not entity_sections:
        return Problem(path=BLOCK, message="no entity definition found", hint=_ADD_BLOCK_HINT)
    if len(entity_sections) > 1:
        return Problem(
            path=BLOCK,
            message=f"{len(entity_sections)} Entity definition sections, none with a block",
            hint=_ADD_BLOCK_HINT,
        )
    return Problem(
        path=BLOCK,
        message=f"the Entity definition section (line {entity_sections[0].line}) has no "
        "```json block",
        hint="put the definition between a ```json line and a ``` line",
    )
