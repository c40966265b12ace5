"""Name rules shared by the spec validator and the templates, so both agree on every identifier."""

from __future__ import annotations

import functools
import hashlib
import keyword
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import inflect

MAX_NAME = 63  # PostgreSQL truncates identifiers past 63 bytes; we refuse them instead.

_PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_ACTION = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Names that cannot be a generated Python attribute as they are: keywords, SQLAlchemy's
# declarative attributes, pydantic's BaseModel API, and the module aliases and type names our
# templates reference inside class bodies (a field called `date` would shadow the type `date`).
RESERVED_ATTRIBUTES: frozenset[str] = frozenset(
    {
        # Python keywords, spelled out so output does not depend on the running Python
        *("and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del"),
        *("elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in"),
        *("is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while"),
        *("with", "yield", "match", "case", "type"),
        # SQLAlchemy declarative
        "metadata",
        "registry",
        # pydantic BaseModel (v1 names kept as deprecated methods in v2)
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
        # names the templates use at module or class level
        "sa",
        "orm",
        "dt",
        "uuid",
        "typing",
        "pydantic",
        "fastapi",
        "enum",
        "datetime",
        "date",
        "time",
        "int",
        "str",
        "float",
        "bool",
        "list",
        "object",
        "bytes",
        "any",
        "common",
        "db",
        "hooks",
        "models",
        "schemas",
    }
)

# Query parameters of every list endpoint: a field with one of these names could not be filtered.
QUERY_PARAMETERS: frozenset[str] = frozenset({"limit", "offset", "sort"})

# Names the generated modules define next to the entity class (the API module's constants,
# its dependency aliases, shared classes) and the names of the shared test modules.
RESERVED_ENTITIES: frozenset[str] = frozenset(
    {
        "ActionRequest",
        "ActionRequestRead",
        "Base",
        "CONFLICT",
        "DbSession",
        "Helpers",
        "LABEL",
        "REFERENCED",
        "ListQuery",
        "Service",
        "TABLE",
        "UNIQUE",
    }
)


def is_identifier(name: object) -> bool:
    """Whether ``name`` is an ASCII Python identifier that is not a keyword."""
    return (
        isinstance(name, str)
        and name.isascii()
        and name.isidentifier()
        and not keyword.iskeyword(name)
    )


def is_pascal_case(name: str) -> bool:
    """Entity names: `RawDataSource`."""
    return bool(_PASCAL.match(name))


def is_snake_case(name: str) -> bool:
    """Field and layer names: `source_type`."""
    return bool(_SNAKE.match(name))


def is_action_name(name: str) -> bool:
    """Action names: `sync`, `sync-all`, `test_connection`."""
    return bool(_ACTION.match(name))


def snake_case(name: str) -> str:
    """`RawDataSource` -> `raw_data_source`, `HTTPLog` -> `http_log`, `sync-all` -> `sync_all`."""
    return _WORD_BOUNDARY.sub("_", name).replace("-", "_").lower()


_SINGULAR_ENDINGS = ("ss", "us", "is", "as")  # bus, analysis, gas: singular despite the -s


@functools.cache
def _inflect() -> inflect.engine:
    """inflect's engine, imported on first use and without typeguard's instrumentation.

    inflect wraps its methods in typeguard's ``@typechecked``, which re-parses and recompiles
    their source at import time: ~3 s of CPU on every CLI call and worker start. The checks
    only guard argument types, and we pass it nothing but ``[a-z][a-z0-9]*`` words.
    """
    import typeguard  # noqa: PLC0415

    original = typeguard.typechecked
    typeguard.typechecked = _unchecked
    try:
        import inflect  # noqa: PLC0415
    finally:
        typeguard.typechecked = original
    return inflect.engine()


def _unchecked(target: Any = None, **_options: Any) -> Any:
    """Stands in for ``typeguard.typechecked`` while inflect is imported (see ``_inflect``)."""
    return target if target is not None else (lambda inner: inner)


def pluralize(snake: str) -> str:
    """English plural of a snake name's last word (`raw_data_source` -> `raw_data_sources`).

    URL paths are public API, so irregular nouns matter (`person` -> `people`, `analysis` ->
    `analyses`); a name that already reads as a plural (`all_types`, `data`) is kept.
    """
    head, _, word = snake.rpartition("_")
    if not re.fullmatch(r"[a-z][a-z0-9]*", word):  # `x_` or `v2_1`: no English word to inflect
        return snake + "s"
    engine = _inflect()
    singular = engine.singular_noun(word)
    if singular and engine.plural_noun(singular) == word and not word.endswith(_SINGULAR_ENDINGS):
        plural = word
    else:
        plural = engine.plural_noun(word)
    if not re.fullmatch(r"[a-z0-9]+", plural):  # never let a dictionary quirk leave [a-z0-9]
        plural = word + "s"
    return f"{head}_{plural}" if head else plural


def table_name(entity: str) -> str:
    """`RawDataSource` -> `raw_data_sources`."""
    return pluralize(snake_case(entity))


def kebab_plural(entity: str) -> str:
    """`RawDataSource` -> `raw-data-sources` (the URL path segment)."""
    return table_name(entity).replace("_", "-")


def words(name: str) -> str:
    """`RawDataSource` -> `raw data source`, for human-readable messages."""
    return snake_case(name).replace("_", " ")


def python_attribute(field: str) -> str:
    """The Python attribute of a field: reserved names get a trailing underscore."""
    if field in RESERVED_ATTRIBUTES or field.startswith("model_"):
        return field + "_"
    return field


def db_name(name: str) -> str:
    """A database identifier of at most 63 characters; long ones keep a stable hash suffix."""
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9]}_{digest}"


def identifier_hint(name: str) -> str:
    """A snake_case suggestion for a bad name: `Bad Name` -> `bad_name`."""
    return re.sub(r"[^a-z0-9]+", "_", snake_case(name)).strip("_").lstrip("0123456789_")
