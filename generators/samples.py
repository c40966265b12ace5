"""Deterministic data for the generated tests: valid rows respecting every rule, and bad values."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import JsonValue

from generators.checks import INT64

if TYPE_CHECKING:
    from generators.model import Entity, Field
    from generators.views import IndexView

ROWS = 4
MAX_BAD_STRING = 1_000  # longer limits are not worth a test payload of that size


@dataclass(frozen=True)
class Samples:
    """Rows of valid input (JSON keys), how many are mutually unique, and invalid values."""

    rows: tuple[dict[str, JsonValue], ...]
    capacity: int
    invalid: tuple[tuple[str, JsonValue], ...]
    required: tuple[str, ...]
    defaults: tuple[tuple[str, JsonValue], ...]
    secrets: tuple[str, ...]
    varying: tuple[str, ...]


def _string(field: Field, n: int) -> str:
    base = f"s3cr3t-{field.name}-{n}" if field.sensitive else f"{field.name}-{n}"
    limit = field.max_length
    if limit is None or len(base) <= limit:
        return base
    return ("abcdefghijklmnopqrstuvwxyz" * 3)[: limit - 1] + str(n) if limit > 1 else str(n)


def _integer(field: Field, n: int) -> int:
    high = int(field.max) if field.max is not None else INT64[1]
    low = int(field.min) if field.min is not None else min(1, high - (ROWS - 1))
    return low + n % (high - low + 1) if high - low < ROWS else low + n


def _float(field: Field, n: int) -> float:
    if field.min is not None:
        low = float(field.min)
    else:
        low = 0.5 if field.max is None else min(0.5, float(field.max) - 1.0)
    step = 0.25
    if field.max is not None and low + step * (ROWS - 1) > field.max:
        step = (float(field.max) - low) / ROWS
    return low + step * n


def sample(field: Field, n: int) -> JsonValue:
    """The n-th valid value of a field, as JSON."""
    kind = field.type
    if kind in ("string", "text"):
        return _string(field, n)
    if kind == "integer":
        return _integer(field, n)
    if kind == "float":
        return _float(field, n)
    if kind == "boolean":
        return n % 2 == 0
    if kind == "enum":
        values = field.values or ("",)
        return values[n % len(values)]
    if kind == "uuid":
        return f"00000000-0000-4000-8000-{n:012d}"
    if kind == "datetime":
        return f"2024-01-0{n + 1}T08:30:00Z"
    if kind == "date":
        return f"2024-02-0{n + 1}"
    return {"sample": n, "tags": [f"tag-{n}"]}


def _number_bad(field: Field) -> list[JsonValue]:
    bad: list[JsonValue] = ["not-a-number"]
    if field.type == "integer":
        bad.append(1.5)
        bad.append(INT64[1] + 1 if field.max is None else int(field.max) + 1)
        if field.min is not None and field.min > INT64[0]:
            bad.append(int(field.min) - 1)
        return bad
    if field.min is not None and field.min - 1 < field.min:
        bad.append(field.min - 1)
    if field.max is not None and field.max + 1 > field.max:
        bad.append(field.max + 1)
    return bad


def invalid_values(field: Field) -> list[JsonValue]:
    """Values the service must answer with 422."""
    kind = field.type
    if kind in ("string", "text"):
        bad: list[JsonValue] = [12345, "nul\x00byte"]
        if field.max_length is not None and field.max_length < MAX_BAD_STRING:
            bad.append("x" * (field.max_length + 1))
        return bad
    if kind in ("integer", "float"):
        return _number_bad(field)
    if kind == "enum":
        choice = "not-a-valid-choice"
        while choice in (field.values or ()):
            choice += "-x"
        return [choice, 7]
    others: dict[str, list[JsonValue]] = {
        "boolean": ["not-a-bool"],
        "uuid": ["not-a-uuid"],
        "ref": ["not-a-uuid"],
        "datetime": ["not-a-date"],
        "date": ["2024-13-45"],
    }
    return others.get(kind, [])


def _capacity(rows: list[dict[str, JsonValue]], uniques: tuple[IndexView, ...]) -> int:
    """How many leading rows are pairwise distinct in every unique constraint."""
    for count in range(len(rows), 0, -1):
        if all(
            len({repr([r[c] for c in u.columns]) for r in rows[:count]}) == count for u in uniques
        ):
            return count
    return 0


def fixture_id(entity: str) -> str:
    """The id of the one row of `entity` that other entities' test rows refer to."""
    digest = hashlib.sha256(f"issuebot:fixture:{entity}".encode()).hexdigest()
    return str(uuid.UUID(hex=digest[:32], version=4))


def samples_for(
    entity: Entity,
    uniques: tuple[IndexView, ...],
    refs: Mapping[str, str | None] | None = None,
) -> Samples:
    """Every piece of test data for one entity.

    `refs` gives each ref field's value in every row: the id of a parent row the tests insert
    first, or None where the ref is left empty (a self-reference, a ref inside a cycle).
    """
    inputs = [f for f in entity.fields if not f.server_managed]
    given = refs or {}

    def value(field: Field, n: int) -> JsonValue:
        return given.get(field.name) if field.type == "ref" else sample(field, n)

    rows = [{f.column: value(f, n) for f in inputs} for n in range(ROWS)]
    return Samples(
        rows=tuple(rows),
        capacity=_capacity(rows, uniques),
        invalid=tuple((f.column, v) for f in inputs for v in invalid_values(f)),
        required=tuple(f.column for f in inputs if f.required),
        defaults=tuple((f.column, f.default) for f in inputs if f.default is not None),
        secrets=tuple(f.column for f in inputs if f.sensitive),
        varying=tuple(f.column for f in inputs if rows[0][f.column] != rows[1][f.column]),
    )
