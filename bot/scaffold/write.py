"""The I/O of `issuebot init`: read the scaffold templates, look at DIR, write the plan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from bot.config import CONFIG_PATH
from bot.errors import UsageError
from bot.scaffold.plan import Action, Existing, FileAction, plan_scaffold
from bot.scaffold.repin import WORKFLOW_PINS, yaml_str
from bot.scaffold.skeleton import service_skeleton
from bot.scaffold.source import BotPin, mismatch_note, pin_for, running_version
from generators.resources import templates

TEMPLATE_DIR = templates("scaffold")
PINNED_FILES = frozenset({*WORKFLOW_PINS, CONFIG_PATH})


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


@cache
def _environment(template_dir: Path) -> jinja2.Environment:
    """Jinja with `<%= … %>` for our values: `${{ … }}` belongs to GitHub's workflows."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - YAML and text, escaped by yaml_str
        variable_start_string="<%=",
        variable_end_string="%>",
        keep_trailing_newline=True,
    )
    env.filters["yaml_str"] = yaml_str
    return env


def scaffold_files(pin: BotPin | None = None, template_dir: Path = TEMPLATE_DIR) -> dict[str, str]:
    """Every scaffold file as repo-relative path → text (dotfiles included).

    ``pin`` is the issuebot the workflows install; by default the running version from the
    project's repository, so a scaffold always names the version that wrote it.
    """
    if not template_dir.is_dir():
        raise UsageError(f"scaffold templates not found at {template_dir}")
    env = _environment(template_dir)
    values = {"bot": pin or pin_for(running_version())}
    names = [p.relative_to(template_dir).as_posix() for p in template_dir.rglob("*") if p.is_file()]
    return {name: env.get_template(name).render(values) for name in sorted(names)}


def initialised_files(pin: BotPin | None = None) -> dict[str, str]:
    """The repository as `issuebot init` leaves it: the scaffold plus the generated skeleton.

    The skeleton carries the UI's package.json and lockfile; a repository seeded without them
    gets a first bot PR that adds dependency manifests, which always need a human.
    """
    files = scaffold_files(pin)
    skeleton = service_skeleton(dict(files))
    return {**files, **skeleton.generated, **skeleton.hooks}


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


def existing_files(root: Path, paths: Iterable[str]) -> dict[str, Existing]:
    """What ``root`` holds at each path (all absent when ``root`` does not exist yet)."""
    return {path: _existing(root, path) if root.exists() else None for path in paths}


def apply_plan(root: Path, actions: Iterable[FileAction], files: Mapping[str, str]) -> None:
    """Write the planned files; refuse any path that resolves outside ``root``."""
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


def init_repository(
    root: Path,
    *,
    force: bool = False,
    dry_run: bool = False,
    source: str | None = None,
) -> InitReport:
    """Scaffold ``root`` (created if missing); idempotent, never clobbers without ``force``.

    ``source`` (a requirement from `parse_bot_source`) is the issuebot the workflows install;
    by default the project's repository at this version's tag.
    """
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    pin = pin_for(running_version(), source)
    files = scaffold_files(pin)
    existing = existing_files(root, files)
    skeleton = service_skeleton({p: _text(existing.get(p)) or files[p] for p in files})
    files.update(skeleton.generated)
    files.update(skeleton.hooks)
    existing.update(existing_files(root, [*skeleton.generated, *skeleton.hooks]))
    actions = plan_scaffold(files, existing, force=force, write_once=frozenset(skeleton.hooks))
    if not dry_run:
        apply_plan(root, actions, files)
    kept = [a.path for a in actions if a.action is Action.SKIP and a.path in PINNED_FILES]
    repin = "the kept " + ", ".join(kept) + " still pin their old bot: to re-pin them run "
    repin += "`issuebot init --upgrade --bot-source …`"
    notes = [skeleton.problem, mismatch_note(pin), repin if source and kept else None]
    return InitReport(root, tuple(actions), dry_run, "\n".join(n for n in notes if n) or None)
