"""One entity from a request's two machine-readable parts: the definition and the endpoint lines.

The seed lists custom endpoints (`POST /raw-data-sources/{id}/sync`) as prose lines, not in the
definition; they become the entity's actions unless the definition declares ``actions`` itself.
Problems found in those lines point at the line (`api_endpoints[5]`), not at derived data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.errors import SpecError
from generators.spec import Entity, Problem, endpoints_from_strings, validate_entity_data

_ACTION_PATH = re.compile(r"^actions\[(\d+)\]")


def actions_from_lines(
    lines: Sequence[str],
) -> tuple[list[dict[str, Any]], list[int], list[Problem]]:
    """Each endpoint line read on its own, so every bad line gets its own problem."""
    actions: list[dict[str, Any]] = []
    origins: list[int] = []
    problems: list[Problem] = []
    for index, line in enumerate(lines):
        try:
            found = endpoints_from_strings([line])
        except SpecError as exc:
            for text in exc.problems:
                message = text.split(": ", 1)[1] if text.startswith("api_endpoints[") else text
                problems.append(Problem(f"api_endpoints[{index}]", message, ""))
            continue
        for action in found:
            actions.append(action.model_dump(mode="json", exclude_none=True))
            origins.append(index)
    return actions, origins, problems


def build_entity(
    definition: object, api_endpoints: Sequence[str] = ()
) -> tuple[Entity | None, list[Problem]]:
    """Validate the definition with the actions its endpoint lines ask for."""
    if not isinstance(definition, dict) or "actions" in definition or not api_endpoints:
        entity, problems = validate_entity_data(definition)
        return entity, list(problems)
    actions, origins, problems = actions_from_lines(api_endpoints)
    if problems:
        return None, problems
    entity, problems = validate_entity_data({**definition, "actions": actions})
    return entity, [_blame_line(p, origins) for p in problems]


def _blame_line(problem: Problem, origins: list[int]) -> Problem:
    match = _ACTION_PATH.match(problem.path)
    if not match or int(match.group(1)) >= len(origins):
        return problem
    line = origins[int(match.group(1))]
    return Problem(f"api_endpoints[{line}]", problem.message, problem.hint)
