"""The only I/O around the generator: write rendered files, skip unchanged ones, spot drift."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import GenerationError
from bot.gates.paths import glob_match
from generators.header import is_generated, verify_header
from generators.service import GeneratedService


@dataclass
class WriteReport:
    """What a write did: files rewritten, left as they were, and user-owned files created."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_orphans: list[str] = field(default_factory=list)


def _target(out_dir: Path, relative: str) -> Path:
    path = (out_dir / relative).resolve()
    if not path.is_relative_to(out_dir.resolve()):
        raise GenerationError(f"refusing to write outside the output directory: {relative}")
    return path


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
        return None


def write_generated(out_dir: Path, service: GeneratedService) -> WriteReport:
    """Write `service` under `out_dir`; identical files are not touched (their mtimes stay)."""
    report = WriteReport()
    for relative, text in sorted(service.files.items()):
        path = _target(out_dir, relative)
        if _read(path) == text:
            report.unchanged.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        report.written.append(relative)
    for relative, text in sorted(service.user_owned.items()):
        path = _target(out_dir, relative)
        if path.exists():
            report.unchanged.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        report.created.append(relative)
    _remove_orphans(out_dir, service, report)
    return report


def _remove_orphans(out_dir: Path, service: GeneratedService, report: WriteReport) -> None:
    """Delete files we generated for what the spec no longer has (an entity removed).

    Only untouched ones: an orphan whose checksum no longer matches was edited by hand, so it
    is kept and reported rather than destroyed.
    """
    for relative in _orphans(out_dir, service):
        path = _target(out_dir, relative)
        if verify_header(_read(path) or ""):
            path.unlink()
            report.removed.append(relative)
        else:
            report.kept_orphans.append(relative)


def find_drift(
    out_dir: Path, service: GeneratedService, generated_globs: tuple[str, ...] = ()
) -> list[str]:
    """Generated files that are missing, hand-edited, stale, orphaned or foreign.

    User-owned files never drift. Orphans are files under the generated top-level folders whose
    first line still carries our marker though the spec no longer produces them; foreign files
    match ``generated_globs`` (the config's generated paths) though the generator never wrote
    them, marker or not.
    """
    drifted = []
    for relative, text in sorted(service.files.items()):
        current = _read(_target(out_dir, relative))
        if current != text:
            drifted.append(relative)
    extra = {*_orphans(out_dir, service), *_foreign(out_dir, service, generated_globs)}
    return sorted(drifted + sorted(extra))


def _foreign(out_dir: Path, service: GeneratedService, globs: tuple[str, ...]) -> list[str]:
    """Files matching the generated globs that the generator did not produce (caches aside)."""
    found: set[str] = set()
    for pattern in globs:
        static = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
        if static == pattern:
            candidates = [out_dir / pattern]
        else:
            folder = out_dir / static.rpartition("/")[0]
            candidates = sorted(folder.rglob("*")) if folder.is_dir() else []
        for path in candidates:
            relative = path.relative_to(out_dir).as_posix()
            if relative in service.files or relative in service.user_owned or not path.is_file():
                continue
            if "__pycache__" not in path.parts and glob_match(relative, pattern):
                found.add(relative)
    return sorted(found)


def _orphans(out_dir: Path, service: GeneratedService) -> list[str]:
    roots = {relative.split("/", 1)[0] for relative in service.files if "/" in relative}
    found = []
    for root in sorted(roots):
        for path in sorted((out_dir / root).rglob("*")):
            relative = path.relative_to(out_dir).as_posix()
            if relative in service.files or relative in service.user_owned or not path.is_file():
                continue
            if is_generated(_first_line(path)):
                found.append(relative)
    return found


def _first_line(path: Path) -> str:
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline(200)
    except (OSError, UnicodeDecodeError):
        return ""


def describe_drift(
    out_dir: Path, paths: list[str], service: GeneratedService | None = None
) -> list[str]:
    """Each drifted path with why: `missing`, `hand-edited`, `stale` or `orphaned`."""
    described = []
    for relative in paths:
        current = _read(_target(out_dir, relative))
        if current is None:
            reason = "missing"
        elif service is not None and relative not in service.files and not verify_header(current):
            reason = "not written by the generator, yet under its generated paths"
        elif not verify_header(current):
            reason = "hand-edited"
        elif service is not None and relative not in service.files:
            reason = "orphaned: no longer generated, `issuebot generate` removes it"
        else:
            reason = "stale"
        described.append(f"{relative} ({reason})")
    return described
