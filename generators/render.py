"""One cached Jinja environment for code: strict undefined, no HTML escaping, literal filters.

Untrusted text (descriptions, defaults, enum values) reaches generated code only through the
`py` and `js` filters, which emit escaped literals; names pass `ident`, which refuses anything
that is not a plain identifier. Templates only loop and branch.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping

import jinja2

from bot.errors import GenerationError
from generators import naming
from generators.resources import templates

TEMPLATES = templates("service")
_SQL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def py_literal(value: object) -> str:
    """A Python literal for JSON-like data (str, int, float, bool, None, list, tuple, dict)."""
    if isinstance(value, str):
        return _py_string(value)
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise GenerationError(f"cannot render the float {value!r} as a literal")
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(py_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        items = ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    raise GenerationError(f"cannot render a {type(value).__name__} as a literal")


def _py_string(value: str) -> str:
    """repr() with ruff's quote choice: double quotes unless they need more escapes."""
    text = repr(value)
    if text[0] == '"' or value.count('"') > value.count("'"):
        return text
    # repr chose single quotes: turn its \' escapes into plain quotes and escape each ".
    body = text[1:-1].replace("\\'", "'").replace('"', '\\"')
    return f'"{body}"'


def js_literal(value: object) -> str:
    """A JavaScript/TypeScript literal: JSON with `<`, `>`, `&` and non-ASCII escaped."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def identifier(value: object) -> str:
    """Pass a Python identifier through unchanged; refuse anything else."""
    if not naming.is_identifier(value):
        raise GenerationError(f"refusing to render {value!r} as a Python name")
    return str(value)


def sql_name(value: object) -> str:
    """Pass a lowercase SQL identifier (≤ 63 chars) through; refuse anything else."""
    if not isinstance(value, str) or not _SQL_NAME.match(value):
        raise GenerationError(f"refusing to render {value!r} as an SQL name")
    return value


def url_segment(value: object) -> str:
    """Pass a URL path segment of lowercase words (`raw-data-sources`, `sync-all`) through."""
    if not isinstance(value, str) or not naming.is_action_name(value):
        raise GenerationError(f"refusing to render {value!r} as a URL segment")
    return value


def _environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 (code, not HTML: escaping is done by the filters)
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        py=py_literal, js=js_literal, ident=identifier, sql=sql_name, url=url_segment
    )
    return env


@functools.cache
def default_environment() -> jinja2.Environment:
    """The shared environment over `templates/service/` (built once per process)."""
    return _environment(jinja2.FileSystemLoader(TEMPLATES))


def environment(overrides: Mapping[str, str] | None = None) -> jinja2.Environment:
    """The default environment, or one where some templates are replaced by the repo's own."""
    if not overrides:
        return default_environment()
    loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader(dict(overrides)), jinja2.FileSystemLoader(TEMPLATES)]
    )
    return _environment(loader)
