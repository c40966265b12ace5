"""The only I/O around the generator: write rendered files, skip unchanged ones, spot drift."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import GenerationError
from generators.header import verify_header
from generators.service import GeneratedService


@dataclass
class WriteReport:
    """What a write did: files rewritten, left as they were, and user-owned files created."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)


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
    return report


def find_drift(out_dir: Path, service: GeneratedService) -> list[str]:
    """Generated files that are missing, hand-edited or stale (user-owned files never drift)."""
    drifted = []
    for relative, text in sorted(service.files.items()):
        current = _read(_target(out_dir, relative))
        if current != text:
            drifted.append(relative)
    return drifted


def describe_drift(out_dir: Path, paths: list[str]) -> list[str]:
    """Each drifted path with why: `missing`, `hand-edited` (checksum broken) or `stale`."""
    described = []
    for relative in paths:
        current = _read(_target(out_dir, relative))
        if current is None:
            reason = "missing"
        elif not verify_header(current):
            reason = "hand-edited"
        else:
            reason = "stale"
        described.append(f"{relative} ({reason})")
    return described
