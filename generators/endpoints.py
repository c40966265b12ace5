"""The HTTP surface of an entity: CRUD plus actions, and reading free-text endpoint lines."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.errors import SpecError
from generators import naming, relations
from generators.entity_checks import nested_segments
from generators.model import Action, Entity
from generators.problem import Problem, show

# The description's separator needs whitespace before it (or is a colon followed by some): the
# hyphens of `/raw-data-sources` are never one (`POST /raw-data-sources/{id}/Bad Name` is unread).
_LINE = re.compile(
    r"^\s*(?P<method>GET|POST|PUT|PATCH|DELETE)\s+(?P<path>/\S*?)"
    r"(?:(?:\s+[-–—:]+\s*|:\s+)(?P<text>.*))?\s*$",
    re.IGNORECASE,
)
MAX_LINE = 4_000  # a path and a description (≤ 2000 characters) fit easily
_PARAM = re.compile(r"^(\{[^{}/]+\}|:[A-Za-z_][A-Za-z0-9_]*)$")
_CRUD = {
    ("GET", False),
    ("POST", False),
    ("GET", True),
    ("PUT", True),
    ("PATCH", True),
    ("DELETE", True),
}


@dataclass(frozen=True)
class Endpoint:
    """One route of the generated API, for previews and PR bodies."""

    method: str
    path: str
    summary: str


def entity_endpoints(entity: Entity, spec: Iterable[Entity] = ()) -> list[Endpoint]:
    """Every route the generator writes for `entity`, in router order.

    `spec` (the entities it ships with; `entity` itself is taken from the argument) adds
    the nested `GET /<plural>/{id}/<children>` route of each ref pointing at `entity`.
    """
    base = "/" + naming.kebab_plural(entity.name)
    label = naming.words(entity.name)
    plural = naming.table_name(entity.name).replace("_", " ")
    routes = [
        Endpoint("GET", base, f"List {plural} with filters, sorting and pagination"),
        Endpoint("POST", base, f"Create a {label}"),
    ]
    routes += [
        Endpoint("POST", f"{base}/{a.name}", a.description or f"Run {a.name} on all {plural}")
        for a in entity.actions
        if a.scope == "collection"
    ]
    routes += [
        Endpoint("GET", f"{base}/{{id}}", f"Get one {label}"),
        Endpoint("PUT", f"{base}/{{id}}", f"Replace a {label}"),
        Endpoint("PATCH", f"{base}/{{id}}", f"Update some fields of a {label}"),
        Endpoint("DELETE", f"{base}/{{id}}", f"Delete a {label}"),
    ]
    routes += [
        Endpoint("POST", f"{base}/{{id}}/{a.name}", a.description or f"Run {a.name} on a {label}")
        for a in entity.actions
        if a.scope == "item"
    ]
    routes.append(
        Endpoint("GET", f"{base}/{{id}}/action-runs", f"Action runs of a {label}, newest first")
    )
    others = [e for e in spec if e.name != entity.name] + [entity]
    refs = [r for e in others for r in relations.refs_of(e)]
    routes += [
        Endpoint(
            "GET",
            f"{base}/{{id}}/{segment}",
            f"{naming.table_name(ref.source).replace('_', ' ').capitalize()}"
            f" whose {ref.field.name} is this {label}",
        )
        for segment, ref in nested_segments(entity.name, refs).items()
    ]
    return routes


def service_endpoints() -> list[Endpoint]:
    """The routes every generated service has besides its entities' (action-run history)."""
    return [
        Endpoint("GET", "/action-runs", "List action runs, filtered by action and status"),
        Endpoint("GET", "/action-runs/{id}", "Get one action run: status, result, error"),
    ]


def actions_from_strings(lines: Sequence[str]) -> list[Action]:
    """`POST /raw-data-sources/{id}/sync - Trigger manual sync` -> Action(sync, item); CRUD -> none.

    Raises SpecError listing every line that is neither CRUD nor a POST action.
    """
    actions, problems = endpoints_problems(lines)
    if problems:
        raise SpecError([p.render() for p in problems])
    return actions


def endpoints_problems(lines: Sequence[str]) -> tuple[list[Action], list[Problem]]:
    """The actions the readable lines ask for, and a problem at `api_endpoints[i]` per bad line."""
    actions: list[Action] = []
    problems: list[Problem] = []
    for i, line in enumerate(lines):
        action, problem = _read_line(line, f"api_endpoints[{i}]")
        if problem is not None:
            problems.append(problem)
        elif action is not None:
            actions.append(action)
    return actions, problems


def _read_line(line: str, where: str) -> tuple[Action | None, Problem | None]:
    """One line: an action, nothing (a CRUD route), or the reason it cannot be used."""
    if isinstance(line, str) and len(line) > MAX_LINE:
        return None, Problem(where, f"is {len(line)} characters long", f"keep it ≤ {MAX_LINE}")
    match = _LINE.match(line) if isinstance(line, str) else None
    if match is None:
        hint = "write 'METHOD /path - description' (a space before the dash)"
        return None, Problem(where, f"cannot read {show(line)}", hint)
    method, text = match["method"].upper(), (match["text"] or "").strip() or None
    parts = [p for p in match["path"].split("/") if p]
    item = len(parts) >= 2 and bool(_PARAM.match(parts[1]))
    rest = parts[2:] if item else parts[1:]
    if not rest and (method, item) in _CRUD:
        return None, None
    if method != "POST" or len(rest) != 1 or not naming.is_action_name(rest[0]):
        return None, Problem(
            where,
            f"{method} {show(match['path'])} is not CRUD or a custom action",
            "custom actions are POST /things/{id}/name or POST /things/name",
        )
    scope = "item" if item else "collection"
    return Action(name=rest[0], scope=scope, description=text and text[:2000]), None
