"""Spec in, service out: render every artifact of the generated FastAPI service from templates.

Pure: no file system writes here (bot/codegen.py does that). The same spec always gives the
same bytes, so re-running the generator on unchanged entities changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import jinja2

from bot.errors import GenerationError
from generators.endpoints import Endpoint, entity_endpoints
from generators.header import checksum, comment_prefix
from generators.migration import History, NextRevision, is_revision_path
from generators.render import environment
from generators.spec import SpecFile
from generators.ui import comment_for, ui_files
from generators.views import (
    BASE_REVISION,
    SERVICE_REVISION,
    EntityView,
    entity_views,
    refuse_unknown_targets,
)

__all__ = ["Endpoint", "GeneratedService", "entity_endpoints", "generate_service"]

SHARED = (
    "pytest.ini",
    "alembic.ini",
    "app/__init__.py",
    "app/settings.py",
    "app/db.py",
    "app/common.py",
    "app/auth.py",
    "app/keys.py",
    "app/actions.py",
    "app/main.py",
    "app/models/__init__.py",
    "app/models/action_request.py",
    "app/models/action_run.py",
    "app/models/api_key.py",
    "app/schemas/__init__.py",
    "app/schemas/action_run.py",
    "app/api/__init__.py",
    "app/api/action_runs.py",
    "app/hooks/__init__.py",
    "migrations/env.py",
    "migrations/script.py.mako",
    "migrations/versions/0000_action_requests.py",
    "migrations/versions/0001_service_tables.py",
    "tests/conftest.py",
    "tests/test_service.py",
    "tests/test_helpers.py",
    "tests/test_migrations.py",
)
PER_ENTITY = {
    "app/models/entity.py": "app/models/{snake}.py",
    "app/schemas/entity.py": "app/schemas/{snake}.py",
    "app/api/entity.py": "app/api/{snake}.py",
    "migrations/versions/entity.py": "migrations/versions/{snake}.py",
    "tests/test_entity.py": "tests/test_{snake}.py",
}
ENTITY_MIGRATION = "migrations/versions/entity.py"
MIGRATION = "migrations/versions/revision.py"
USER_OWNED = {"app/hooks/entity.py": "app/hooks/{snake}.py"}


@dataclass(frozen=True)
class GeneratedService:
    """Rendered files: `files` are always overwritten, `user_owned` are written only once."""

    files: dict[str, str] = field(default_factory=dict)
    user_owned: dict[str, str] = field(default_factory=dict)


def _render(env: jinja2.Environment, template: str, path: str, **context: object) -> str:
    try:
        body = env.get_template(template + ".j2").render(**context)
    except jinja2.TemplateError as exc:
        raise GenerationError(f"template {template}: {exc.message or exc}") from exc
    return body


def _with_header(env: jinja2.Environment, path: str, body: str) -> str:
    comment = comment_for(path) if path.startswith("ui/") else comment_prefix(path)
    if comment is None:  # JSON, HTML, CSS: no line comment; checked byte for byte instead
        return body
    header = env.get_template("_header.j2").render(comment=comment, digest=checksum(body))
    return header + body


def generate_service(
    spec: SpecFile,
    *,
    ui: bool = True,
    overrides: Mapping[str, str] | None = None,
    history: History | None = None,
    next_revision: NextRevision | None = None,
    select: Callable[[str], bool] | None = None,
) -> GeneratedService:
    """Render the whole service for `spec` (templates may be overridden by name).

    ``select`` renders only the output paths it accepts (the migration probe needs the models
    and migrations, not the API, tests or UI); the files it renders are the same bytes.

    Without `history` (a repository with no revisions yet) each entity gets its create-table
    revision. With it, the existing revision files are kept byte for byte and only
    `next_revision`, if any, is appended: a migration once written is never rendered again.
    """
    env = environment(overrides)
    refuse_unknown_targets(spec.entities)
    views = entity_views(spec.entities)
    service = GeneratedService()
    context: dict[str, object] = {
        "entities": views,
        "base_revision": BASE_REVISION,
        "service_revision": SERVICE_REVISION,
    }
    head = views[-1].revision if views else BASE_REVISION
    if history is not None:
        head = next_revision.revision if next_revision else history.head()
    context["head_revision"] = head
    for template in SHARED:
        # With a history, revisions are never rendered: the shipped ones are kept as they are,
        # and a service table they lack (0001) arrives as the appended revision instead.
        if history is not None and is_revision_path(template):
            continue
        if select is not None and not select(template):
            continue
        body = _render(env, template, template, **context)
        service.files[template] = _with_header(env, template, body)
    for view in views:
        _render_entity(env, service, view, context, migrations=history is None, select=select)
    if ui:
        _render_ui(env, service, views, select)
    if history is not None:
        service.files.update(history.files)
    if next_revision is not None:
        service.files.update(render_revision(next_revision, overrides))
    for path in [p for p in service.files if select is not None and not select(p)]:
        del service.files[path]  # history files outside the selection
    return service


def render_revision(
    following: NextRevision, overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The one file of a revision appended to history: {path: text}."""
    env = environment(overrides)
    body = _render(env, MIGRATION, following.path, next=following)
    return {following.path: _with_header(env, following.path, body)}


def _render_entity(
    env: jinja2.Environment,
    service: GeneratedService,
    view: EntityView,
    context: dict[str, object],
    *,
    migrations: bool = True,
    select: Callable[[str], bool] | None = None,
) -> None:
    templates = dict(PER_ENTITY)
    if not migrations:
        del templates[ENTITY_MIGRATION]
    for template, pattern in templates.items():
        path = pattern.format(snake=view.snake, name=view.name)
        if select is not None and not select(path):
            continue
        body = _render(env, template, path, entity=view, **context)
        service.files[path] = _with_header(env, path, body)
    if not view.actions:
        return  # nothing would call a hook: no user-owned module to keep (or cover)
    for template, pattern in USER_OWNED.items():
        path = pattern.format(snake=view.snake, name=view.name)
        if select is not None and not select(path):
            continue
        service.user_owned[path] = _render(env, template, path, entity=view, **context)


def _render_ui(
    env: jinja2.Environment,
    service: GeneratedService,
    views: list[EntityView],
    select: Callable[[str], bool] | None = None,
) -> None:
    """The workbench project under `ui/` (see generators/ui.py); `ui/src/custom/` is the user's."""
    files, owned = ui_files(
        env, views, lambda template, context: _render(env, template, template, **context)
    )
    for path, body in files.items():
        if select is None or select(path):
            service.files[path] = _with_header(env, path, body)
    service.user_owned.update({p: b for p, b in owned.items() if select is None or select(p)})
