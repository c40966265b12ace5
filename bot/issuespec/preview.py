"""What approving a request would produce, computed by the real generator and no git.

Our answer to Atlantis's ``plan``: the files (new or changed, with line counts), the
endpoints, and the diff of the spec file, so nobody approves blind. Files are compared with
the repository's default branch by git blob sha (one tree listing, no clone), so the list is
exactly what `issuebot generate` would write there.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Protocol, cast

from bot.errors import GenerationError, IssuebotError
from bot.issuespec.change import EntityChange, spec_after
from bot.issuespec.render import render_template
from generators.endpoints import entity_endpoints
from generators.spec import Entity, SpecFile, dump_spec, load_spec

SPEC_PATH = "specs/entities.json"
MAX_DIFF_LINES = 400
MAX_DIFF_CHARS = 30_000


class Generated(Protocol):
    """What ``generators.generate_service`` returns: files by path, and the user-owned ones."""

    @property
    def files(self) -> Mapping[str, str]: ...

    @property
    def user_owned(self) -> Mapping[str, str]: ...


def generate_service(spec: SpecFile, *, ui: bool = False) -> Generated:
    """The real generator, looked up at call time so the parser never depends on it loading."""
    try:
        found = getattr(importlib.import_module("generators.service"), "generate_service", None)
    except ImportError as exc:
        raise GenerationError(f"the generator is not available: {exc}") from exc
    if found is None:
        raise GenerationError("the generator (generators.service.generate_service) is missing")
    return cast(Callable[..., Generated], found)(spec, ui=ui)


@dataclass(frozen=True)
class FileChange:
    """One generated file approval would write."""

    path: str
    lines: int
    change: str  # "new" or "changed"
    user_owned: bool


@dataclass(frozen=True)
class Preview:
    """The preview as data (for summaries and tests) and as markdown."""

    files: tuple[FileChange, ...]
    unchanged: int
    spec_diff: str
    markdown: str


def current_spec(text: str | None) -> tuple[SpecFile, str | None]:
    """The repository's spec, or an empty one and why (an invalid spec is reported, not raised)."""
    if text is None or not text.strip():
        return SpecFile.empty(), None
    try:
        return load_spec(text), None
    except IssuebotError as exc:
        return SpecFile.empty(), f"The repository's current spec is invalid ({exc.message}); "
        "approval will fail until it is fixed."


def _bounded(diff: str) -> str:
    """Keep a comment under GitHub's size cap: cut the diff by lines and by characters."""
    lines = diff.split("\n")
    kept: list[str] = []
    size = 0
    for line in lines[:MAX_DIFF_LINES]:
        size += len(line) + 1
        if size > MAX_DIFF_CHARS:
            break
        kept.append(line)
    if len(kept) < len(lines):
        kept.append(f"... {len(lines) - len(kept)} more lines not shown")
    return "\n".join(kept)


def _line_count(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def blob_sha(text: str) -> str:
    """Git's blob id of ``text`` as the generator writes it (UTF-8, `\\n` line ends)."""
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _against_tree(after: Generated, existing: Mapping[str, str], output: str) -> list[FileChange]:
    """What writing ``after`` into the tree ``existing`` (path → blob sha) would change."""
    prefix = PurePosixPath(output)
    changes = []
    for path, text in after.files.items():
        current = existing.get((prefix / path).as_posix())
        if current != blob_sha(text):
            change = "new" if current is None else "changed"
            changes.append(FileChange(path, _line_count(text), change, False))
    changes += [  # user-owned files are written once, never over an existing one
        FileChange(path, _line_count(text), "new", True)
        for path, text in after.user_owned.items()
        if (prefix / path).as_posix() not in existing
    ]
    return sorted(changes, key=lambda change: change.path)


def _changes(before: Generated | None, after: Generated) -> list[FileChange]:
    old_files = dict(before.files) if before else {}
    old_owned = set(before.user_owned) if before else set()
    changes = [
        FileChange(path, _line_count(text), "new" if path not in old_files else "changed", False)
        for path, text in after.files.items()
        if old_files.get(path) != text
    ]
    changes += [  # user-owned files are written once: only an entity's first run adds them
        FileChange(path, _line_count(text), "new", True)
        for path, text in after.user_owned.items()
        if path not in old_owned
    ]
    return sorted(changes, key=lambda change: change.path)


def compute_preview(
    entity: Entity,
    current_spec_text: str | None,
    *,
    spec_path: str = SPEC_PATH,
    ui: bool = False,
    existing: Mapping[str, str] | None = None,
    output: str = ".",
    change: EntityChange | None = None,
) -> Preview:
    """Generate after the upsert of ``entity`` and compare with the default branch's files.

    ``change`` that drops the entity: generate without it (its files go, its table is dropped).

    ``existing`` is the branch's tree (path → blob sha). Without it (a tree too large to
    list) the comparison falls back to generating before and after, in memory.
    """
    from bot.migrations import preview_generation  # noqa: PLC0415 (runs Alembic: load on use)

    before, note = current_spec(current_spec_text)
    after = spec_after(before, entity, change)
    removing = bool(change and change.dropped)
    outcome = preview_generation(before, after, ui=ui)
    generated = outcome.service
    if existing is not None:
        changes = _against_tree(generated, existing, output)
    else:
        changes = _changes(generate_service(before, ui=ui) if before.entities else None, generated)
    total = len(generated.files) + len(generated.user_owned)
    old_text = current_spec_text or ""
    new_text = dump_spec(after)
    diff_lines = list(
        difflib.unified_diff(
            old_text.splitlines(),
            new_text.splitlines(),
            f"a/{spec_path}",
            f"b/{spec_path}",
            lineterm="",
        )
    )
    added = sum(1 for line in diff_lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff_lines if line.startswith("-") and not line.startswith("---"))
    diff = _bounded("\n".join(diff_lines)) or "(no change)"
    migration = outcome.migration.as_data() if outcome.migration else None
    markdown = render_template(
        "preview.md.j2",
        changed=changes,
        new=sum(1 for c in changes if c.change == "new"),
        compared=existing is not None,
        unchanged=total - len(changes),
        entity=entity,
        endpoints=entity_endpoints(entity, after.entities),
        removing=removing,
        spec_path=spec_path,
        added=added,
        removed=removed,
        spec_note=note,
        diff=diff,
        migration=migration,
        migration_refused=outcome.refused,
    )
    return Preview(tuple(changes), total - len(changes), diff, markdown)


def render_preview(
    entity: Entity,
    current_spec_text: str | None,
    *,
    ui: bool = False,
    existing: Mapping[str, str] | None = None,
) -> str:
    """Markdown: files with line counts, the endpoints table, the diff of the spec file."""
    return compute_preview(entity, current_spec_text, ui=ui, existing=existing).markdown
