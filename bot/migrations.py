"""Append-only migrations: read the target's revision history, let Alembic say what changed,
and hand the (pure) generator one new revision to append, or none.

The I/O lives here: reading `migrations/versions/`, and running the existing revisions against
a scratch SQLite database in a child process (`bot.migration_probe`). Revision files are the
target repository's code: the bot's pipeline runs the probe in the test gate's sandbox (no
network, nothing of the bot's); the CLI, on a developer's own checkout, in a plain process.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import migration_probe as probe_module
from bot.codegen import write_generated
from bot.errors import GenerationError, SpecError
from bot.gates.migration_ops import MigrationSummary, summarize
from bot.testgate.runner import child_env
from bot.testgate.sandbox import Sandbox
from bot.testgate.wrap import Job, Mount
from generators import naming
from generators.migration import (
    VERSIONS,
    History,
    NextRevision,
    enum_columns,
    is_revision_path,
)
from generators.model import SpecFile
from generators.service import GeneratedService, generate_service, render_revision
from generators.views import EntityView, entity_views

PROBE_TIMEOUT_SECONDS = 120
PROBE_SCRIPT = "_issuebot_migration_probe.py"
PROBE_REQUEST = "_issuebot_migration_request.json"
# What Alembic's env.py imports: the models and their base, never the API or schemas.
SCRATCH = (
    "app/__init__.py",
    "app/settings.py",
    "app/db.py",
    "app/common.py",
    "app/models/",
    "migrations/",
    "alembic.ini",
)
# The service-level revisions every new repository starts with (before any entity's).
_BASE_FILES = (f"{VERSIONS}0000_action_requests.py", f"{VERSIONS}0001_service_tables.py")


def read_history(out_dir: Path) -> History | None:
    """The revision files under `out_dir`, or None when no entity has a revision yet."""
    versions = out_dir / VERSIONS
    files = {
        f"{VERSIONS}{path.name}": path.read_text(encoding="utf-8")
        for path in sorted(versions.glob("*.py"))
        if path.is_file()
    }
    if not [p for p in files if p not in _BASE_FILES and is_revision_path(p)]:
        return None
    return History(files)


def _for_probe(path: str) -> bool:
    """A file the probe copies (models, migrations): rendered first, so it can start early."""
    return path.startswith(SCRATCH)


def _not_for_probe(path: str) -> bool:
    return not _for_probe(path)


def _enum_type(table: str, field: str) -> str:
    return naming.db_name(f"{table}_{field}_enum")


def rename_request(views: list[EntityView]) -> dict[str, list[Any]]:
    """The renames the spec asks for (`renamed_from`), as table/column/enum-type names."""
    tables: list[Any] = []
    columns: list[Any] = []
    for view in views:
        old_table = naming.table_name(view.spec.renamed_from or view.name)
        if view.spec.renamed_from:
            types = [
                [_enum_type(old_table, f.spec.renamed_from or f.name), f.enum_type]
                for f in view.enums
            ]
            tables.append([old_table, view.table, types])
        for f in view.fields:
            if f.spec.renamed_from:
                types = [[_enum_type(view.table, f.spec.renamed_from), f.enum_type]]
                columns.append(
                    [view.table, f.spec.renamed_from, f.name, types if f.enum_type else []]
                )
    return {"tables": tables, "columns": columns}


def _defaults(views: list[EntityView]) -> dict[str, Any]:
    return {f"{v.table}.{f.name}": f.default for v in views for f in v.fields if f.has_default}


def _run_probe(
    service: GeneratedService, request: dict[str, Any], sandbox: Sandbox | None = None
) -> dict[str, Any]:
    """Copy the service's models and migrations to a scratch folder and diff there.

    The probe script is copied in as well, so the sandbox needs nothing of the bot's tree.
    """
    with tempfile.TemporaryDirectory(prefix="issuebot-migrate-") as tmp:
        root = Path(tmp)
        for relative, text in service.files.items():
            if relative.startswith(SCRATCH):
                path = root / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        (root / PROBE_SCRIPT).write_text(Path(probe_module.__file__).read_text("utf-8"), "utf-8")
        (root / PROBE_REQUEST).write_text(json.dumps(request), encoding="utf-8")
        job = Job(
            [sys.executable, PROBE_SCRIPT, PROBE_REQUEST],
            cwd=root,
            env=child_env(),
            mounts=(Mount(root, writable=True),),
            name="issuebot-migration-probe",
        )
        done = (sandbox or Sandbox("none")).run(job, PROBE_TIMEOUT_SECONDS)
    if done.timed_out:
        raise GenerationError(f"computing the next migration took over {PROBE_TIMEOUT_SECONDS}s")
    lines = done.output.decode("utf-8", errors="replace").strip().splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise GenerationError(
            f"the existing migrations do not apply to an empty SQLite database: "
            f"{(lines or ['no output'])[-1][:300]}",
            hint="fix or remove the broken revision under migrations/versions/",
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _message(views: list[EntityView], tables: list[str], issue: int | None) -> tuple[str, str]:
    names = {view.table: view.name for view in views}
    changed = [names.get(t, t) for t in tables] or ["the schema"]
    message = "Change " + ", ".join(changed)
    if issue is not None:
        message += f" (issue #{issue})"
    return message + ".", "_".join(naming.snake_case(n) for n in changed)


def generate_with_history(
    out_dir: Path,
    spec: SpecFile,
    *,
    ui: bool = False,
    overrides: Mapping[str, str] | None = None,
    issue: int | None = None,
    sandbox: Sandbox | None = None,
) -> GeneratedService:
    """Render the service for `spec`; if the schema changed, append one revision to history.

    ``sandbox`` runs the repository's revision files (the pipeline passes the test gate's);
    None runs them in a plain child process, for a developer's own checkout.
    """
    history = read_history(out_dir)
    if history is None:
        return generate_service(spec, ui=ui, overrides=overrides)
    head = history.head()
    views = entity_views(spec.entities)
    enums = [[t, c, e.name, list(e.values)] for (t, c), e in enum_columns(history).items()]
    request = {"renames": rename_request(views), "defaults": _defaults(views), "enums": enums}
    scratch = generate_service(spec, ui=ui, overrides=overrides, history=history, select=_for_probe)
    # The probe (a child process) replays history while this process renders the rest.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="migration-probe") as pool:
        probing = pool.submit(_run_probe, scratch, request, sandbox)
        base = generate_service(
            spec, ui=ui, overrides=overrides, history=history, select=_not_for_probe
        )
        result = probing.result()
    base.files.update(scratch.files)
    if "refused" in result:
        raise SpecError([result["refused"]], hint=result["hint"])
    if not result["upgrade"].strip():
        return base
    message, slug = _message(views, result["tables"], issue)
    following = NextRevision(head, message, result["upgrade"], result["downgrade"], slug)
    base.files.update(render_revision(following, overrides))
    return base


@dataclass(frozen=True)
class NextGeneration:
    """What approving a spec writes: its files, the revision it appends, or why it is refused."""

    service: GeneratedService
    migration: MigrationSummary | None = None
    refused: str | None = None


def preview_generation(before: SpecFile, after: SpecFile, *, ui: bool = False) -> NextGeneration:
    """Approving `after` over a repository generated from `before`, worked out in a scratch copy.

    The files are the ones `generate` would write there: shipped revisions untouched and one
    new revision appended, never a re-rendered create-table. Without the repository at hand
    the history is the one `before` generates: close enough to show the change before anyone
    approves. A refused change keeps the plain rendering and says why.
    """
    if not before.entities:
        return NextGeneration(generate_service(after, ui=ui))
    with tempfile.TemporaryDirectory(prefix="issuebot-preview-") as tmp:
        root = Path(tmp)
        write_generated(root, generate_service(before, ui=ui))
        history = read_history(root)
        shipped = set(history.files) if history else set()
        try:
            service = generate_with_history(root, after, ui=ui)
        except (SpecError, GenerationError) as exc:
            return NextGeneration(generate_service(after, ui=ui), refused=str(exc))
    added = {p: t for p, t in service.files.items() if is_revision_path(p) and p not in shipped}
    return NextGeneration(service, summarize(added) if added else None)


def preview_migration(before: SpecFile, after: SpecFile) -> MigrationSummary | None:
    """The revision approving `after` would append, summarized (None: no schema change)."""
    outcome = preview_generation(before, after)
    if outcome.refused is not None:
        raise SpecError([outcome.refused])
    return outcome.migration
