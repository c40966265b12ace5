"""Which files under generated paths the generator did not write (marker or no marker).

A file that merely sits under a generated glob proves nothing: anyone can add
`app/api/backdoor.py` with or without our header. The generator is pure, so the gate asks it
what the PR head's spec produces and names every generated-path file outside that set.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from bot.config import RepoConfig
from bot.errors import SpecError
from bot.gates.paths import PathKind, PathRules, classify_path
from generators.service import generate_service
from generators.spec import SpecFile, load_spec


def produced_paths(spec_text: str | None, config: RepoConfig) -> frozenset[str] | None:
    """Repo-relative paths the generator writes for a spec (None: the spec does not load)."""
    try:
        spec = load_spec(spec_text) if spec_text and spec_text.strip() else SpecFile.empty()
    except SpecError:
        return None
    service = generate_service(spec, ui=config.ui)
    out = PurePosixPath(config.paths.output)
    return frozenset((out / p).as_posix() for p in (*service.files, *service.user_owned))


def ungenerated(paths: Iterable[str], spec_text: str | None, config: RepoConfig) -> tuple[str, ...]:
    """The ``paths`` under generated globs that the spec's generator output does not contain."""
    rules = PathRules.from_config(config.paths)
    candidates = [p for p in paths if classify_path(p, rules) == PathKind.GENERATED]
    if not candidates:
        return ()
    produced = produced_paths(spec_text, config)
    if produced is None:  # an unreadable spec vouches for nothing
        return tuple(candidates)
    return tuple(p for p in candidates if p not in produced)
