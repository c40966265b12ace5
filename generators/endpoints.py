"""The HTTP surface of an entity: CRUD plus actions, and reading free-text endpoint lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import SpecError
from generators import naming
from generators.problem import Problem, show
from generators.spec import Action, Entity

_LINE = re.compile(
    r"^\s*(?P<method>GET|POST|PUT|PATCH|DELETE)\s+(?P<path>/\S*)\s*(?:[-–—:]+\s*(?P<text>.*))?$",
    re.IGNORECASE,
)
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


def entity_endpoints(entity: Entity) -> list[Endpoint]:
    """Every route the generator writes for `entity`, in router order."""
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
    return routes


def actions_from_strings(lines: list[str]) -> list[Action]:
    """`POST /raw-data-sources/{id}/sync - Trigger manual sync` -> Action(sync, item); CRUD -> none.

    Raises SpecError listing every line that is neither CRUD nor a POST action.
    """
    actions: list[Action] = []
    problems: list[Problem] = []
    for i, line in enumerate(lines):
        where = f"api_endpoints[{i}]"
        match = _LINE.match(line)
        if match is None:
            problems.append(
                Problem(where, f"cannot read {show(line)}", "write 'METHOD /path - text'")
            )
            continue
        method, text = match["method"].upper(), (match["text"] or "").strip() or None
        parts = [p for p in match["path"].split("/") if p]
        item = len(parts) >= 2 and bool(_PARAM.match(parts[1]))
        rest = parts[2:] if item else parts[1:]
        if not rest and (method, item) in _CRUD:
            continue
        if method != "POST" or len(rest) != 1 or not naming.is_action_name(rest[0]):
            problems.append(
                Problem(
                    where,
                    f"{method} {show(match['path'])} is not CRUD or a custom action",
                    "custom actions are POST /things/{id}/name or POST /things/name",
                )
            )
            continue
        scope = "item" if item else "collection"
        actions.append(Action(name=rest[0], scope=scope, description=text and text[:2000]))
    if problems:
        raise SpecError([p.render() for p in problems])
    return actions
