"""Spec in, workbench UI out: the Vite + React project under `ui/`, rendered like the service.

Pure and deterministic like the rest of `generators/`. The project's package.json and lockfile
do not depend on the spec (one fixed dependency set), so `npm ci` works for every service and
a spec change never touches them; what the spec decides is the entity metadata, the typed
API adapters and the dev proxy's routes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2

from generators import naming
from generators.checks import REF_SUFFIX
from generators.render import url_segment
from generators.views import EntityView, FieldView

# template name (under templates/service/ui/) -> generated path; copied byte for byte.
STATIC = {
    "package.json": "ui/package.json",
    "package-lock.json": "ui/package-lock.json",
    "tsconfig.json": "ui/tsconfig.json",
    "index.html": "ui/index.html",
    "gitignore": "ui/.gitignore",
    "scripts/openapi.py": "ui/scripts/openapi.py",
    "src/main.tsx": "ui/src/main.tsx",
    "src/App.tsx": "ui/src/App.tsx",
    "src/api.ts": "ui/src/api.ts",
    "src/meta.ts": "ui/src/meta.ts",
    "src/fields.ts": "ui/src/fields.ts",
    "src/styles.css": "ui/src/styles.css",
    "src/components/DataTable.tsx": "ui/src/components/DataTable.tsx",
    "src/components/Detail.tsx": "ui/src/components/Detail.tsx",
    "src/components/ItemForm.tsx": "ui/src/components/ItemForm.tsx",
    "src/components/Stats.tsx": "ui/src/components/Stats.tsx",
    "src/components/Relations.tsx": "ui/src/components/Relations.tsx",
    "src/components/Workbench.tsx": "ui/src/components/Workbench.tsx",
}
SHARED = {"vite.config.ts": "ui/vite.config.ts", "entities.ts": "ui/src/entities.ts"}
PER_ENTITY = {"Workbench.tsx": "ui/src/workbenches/{name}Workbench.tsx"}
# Written once, then the user's: never overwritten, never removed.
USER_OWNED = {
    "custom/index.ts": "ui/src/custom/index.ts",
    "custom/custom.css": "ui/src/custom/custom.css",
}
# Files whose syntax has no line comment: no header (package.json says it in "description").
HEADERLESS = (".json", ".html", ".css", "/.gitignore")
_PREFIX = {"/.gitignore": "#", "tsconfig.json": "//"}
KINDS = frozenset(
    (
        "uuid", "string", "text", "integer", "float", "boolean", "datetime", "date", "enum",
        "json", "ref",
    )
)  # fmt: skip
# Field types that read well as a row's name in a select or a link (in this order).
LABEL_TYPES = ("string", "text", "enum", "integer", "date", "datetime")

Render = Callable[[str, dict[str, Any]], str]


def comment_for(path: str) -> str | None:
    """The header's comment syntax for a UI file, None when it cannot carry one."""
    for suffix, prefix in _PREFIX.items():
        if path.endswith(suffix):
            return prefix
    if path.endswith(HEADERLESS):
        return None
    return "//" if path.endswith((".ts", ".tsx")) else "#"


def label_field(view: EntityView) -> str:
    """The field naming a row for people (a unique or required string first), else `id`."""
    readable = [
        f
        for kind in LABEL_TYPES
        for f in view.fields
        if f.type == kind and not f.managed and not f.spec.sensitive
    ]
    ranked = sorted(readable, key=lambda f: (not f.spec.unique, not f.spec.required))
    return ranked[0].name if ranked else "id"


def ref_meta(view: EntityView, column: str, by_name: dict[str, EntityView]) -> object:
    """Where a ref field points: the target's path and label, and the key of its embedded row."""
    ref = next((r for r in view.refs if r.field.name == column), None)
    if ref is None:
        return None
    target = by_name.get(ref.target.name)
    return {
        "expand": ref.name,
        "path": ref.target.path,
        "label": ref.target.label,
        "labelField": label_field(target) if target is not None else "id",
    }


def field_meta(
    field: FieldView, view: EntityView | None = None, by_name: dict[str, EntityView] | None = None
) -> dict[str, object]:
    """What the pages need of a field: input kind, limits, flags (never a value of a secret)."""
    spec = field.spec
    ref = ref_meta(view, field.name, by_name or {}) if view is not None else None
    return {
        "name": field.name,
        "label": naming.words(field.name[: -len(REF_SUFFIX)] if ref else field.name),
        "type": spec.type if spec.type in KINDS else "string",
        "managed": field.managed,
        "required": spec.required and not field.managed,
        "sensitive": spec.sensitive,
        "nullable": field.nullable,
        "values": list(spec.values or ()),
        "min": spec.min,
        "max": spec.max,
        "maxLength": spec.max_length,
        "default": None if spec.sensitive else spec.default,
        "description": spec.description,
        "filterable": field.filterable,
        "sortable": field.sortable,
        "ref": ref,
    }


def entity_meta(view: EntityView, views: list[EntityView] | None = None) -> dict[str, object]:
    """The entity's metadata object, rendered as a TypeScript literal by the template."""
    requirements = view.spec.ui_requirements
    by_name = {v.name: v for v in views or [view]}
    return {
        "name": view.name,
        "label": view.label,
        "pluralLabel": view.plural_label,
        "path": view.path,
        "description": view.spec.description,
        "uiRequirements": requirements if isinstance(requirements, str) else None,
        "labelField": label_field(view),
        "fields": [field_meta(f, view, by_name) for f in view.fields],
        "children": [
            {
                "segment": c.segment,
                "path": c.path,
                "label": c.label,
                "pluralLabel": c.plural_label,
                "labelField": label_field(by_name[c.name]) if c.name in by_name else "id",
            }
            for c in view.children
        ],
        "actions": [
            {
                "name": a.name,
                "segment": url_segment(a.name),
                "scope": a.scope,
                "description": a.description,
            }
            for a in view.actions
        ],
    }


def api_routes(views: list[EntityView]) -> list[str]:
    """Path prefixes the dev server proxies to the API (everything else is the UI's)."""
    return ["/docs", "/openapi.json", "/action-runs", *("/" + v.path for v in views)]


def static_source(env: jinja2.Environment, name: str) -> str:
    """A static UI file's text, unrendered (its braces are TSX, not Jinja); overridable."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, "ui/" + name)
    return source


def ui_files(
    env: jinja2.Environment, views: list[EntityView], render: Render
) -> tuple[dict[str, str], dict[str, str]]:
    """(generated bodies without headers, user-owned files) of the UI project, by path."""
    files = {path: static_source(env, name) for name, path in STATIC.items()}
    context: dict[str, Any] = {"entities": views, "api_routes": api_routes(views)}
    for name, path in SHARED.items():
        files[path] = render("ui/" + name, context)
    for view in views:
        for name, pattern in PER_ENTITY.items():
            files[pattern.format(name=view.name)] = render(
                "ui/" + name, {**context, "entity": view, "meta": entity_meta(view, views)}
            )
    owned = {path: static_source(env, name) for name, path in USER_OWNED.items()}
    return files, owned
