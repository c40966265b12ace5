"""The I/O of `issuebot init`: read the scaffold templates, look at DIR, write the plan."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.errors import UsageError
from bot.scaffold.plan import Action, Existing, FileAction, plan_scaffold
from bot.scaffold.skeleton import service_skeleton
from generators.resources import templates

TEMPLATE_DIR = templates("scaffold")


@dataclass(frozen=True)
class InitReport:
    """What init did (or, with --dry-run, would do) to each file."""

    root: Path
    actions: tuple[FileAction, ...]
    dry_run: bool
    note: str | None = None

    def count(self, action: Action) -> int:
        """How many files got ``action``."""
        return Counter(a.action for a in self.actions)[action]

    def summary(self) -> str:
        """One line: created / unchanged / kept / overwritten / conflicts."""
        verb = "would create" if self.dry_run else "created"
        parts = [f"{verb} {self.count(Action.CREATE)}"]
        if self.count(Action.OVERWRITE):
            word = "would overwrite" if self.dry_run else "overwrote"
            parts.append(f"{word} {self.count(Action.OVERWRITE)}")
        parts.append(f"unchanged {self.count(Action.UNCHANGED)}")
        parts.append(f"kept {self.count(Action.SKIP)} existing")
        if self.count(Action.CONFLICT):
            parts.append(f"{self.count(Action.CONFLICT)} conflicts")
        return f"issuebot init {self.root}: " + ", ".join(parts)


def scaffold_files(template_dir: Path = TEMPLATE_DIR) -> dict[str, str]:
    """Every scaffold file as repo-relative path → text (dotfiles included)."""
    if not template_dir.is_dir():
        raise UsageError(f"scaffold templates not found at {template_dir}")
    return {
        p.relative_to(template_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(template_dir.rglob("*"))
        if p.is_file()
    }


def _inside(root: Path, target: Path) -> bool:
    return target.resolve().is_relative_to(root.resolve())


def _existing(root: Path, path: str) -> Existing:
    target = root / path
    if target.is_symlink() or not _inside(root, target):
        return False
    if not target.exists():
        return None
    if not target.is_file():
        return False
    try:
        return target.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "\0binary"  # differs from every template: kept unless --force


def _text(value: Existing) -> str | None:
    return value if isinstance(value, str) else None


def init_repository(root: Path, *, force: bool = False, dry_run: bool = False) -> InitReport:
    """Scaffold ``root`` (created if missing); idempotent, never clobbers without ``force``."""
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    files = scaffold_files()
    existing = {path: _existing(root, path) for path in files} if root.exists() else {}
    skeleton = service_skeleton({p: _text(existing.get(p)) or files[p] for p in files})
    files.update(skeleton.generated)
    files.update(skeleton.hooks)
    for path in (*skeleton.generated, *skeleton.hooks):
        existing[path] = _existing(root, path) if root.exists() else None
    actions = plan_scaffold(files, existing, force=force, write_once=frozenset(skeleton.hooks))
    if not dry_run:
        for step in actions:
            if step.writes:
                target = root / step.path
                if not _inside(root, target):  # a symlinked parent directory: refuse
                    raise UsageError(f"{step.path} resolves outside {root}; not written")
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(files[step.path], encoding="utf-8")
                except OSError as exc:  # read-only disk, a file where a directory must go...
                    raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return InitReport(root, tuple(actions), dry_run, skeleton.problem)
