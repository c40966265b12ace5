"""The generated-service skeleton init writes: the generator's output for the repo's spec.

A fresh repository then passes `issuebot generate --check` (CI and the pre-commit hook) from
its first commit, and the bot's first PR only adds the entity's files to an existing layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from bot.config import CONFIG_PATH, RepoConfig, parse_repo_config
from bot.errors import IssuebotError
from generators.service import generate_service
from generators.spec import load_spec


@dataclass(frozen=True)
class Skeleton:
    """Generated files (kept in sync) and user-owned hooks (written once), by repo path."""

    generated: dict[str, str]
    hooks: dict[str, str]
    problem: str | None = None


def service_skeleton(files: dict[str, str | None]) -> Skeleton:
    """Render the service for the spec and config the repository will have after init.

    ``files`` maps the config and spec paths to their text (the user's if present, else the
    scaffold's); a spec or config that does not validate yields no skeleton and the reason.
    """
    try:
        config = parse_repo_config(files.get(CONFIG_PATH))
        spec_text = files.get(config.paths.spec) or files.get(RepoConfig().paths.spec) or ""
        service = generate_service(load_spec(spec_text), ui=config.ui)
    except IssuebotError as exc:
        return Skeleton({}, {}, f"service skeleton skipped: {exc.message}")
    out = PurePosixPath(config.paths.output).as_posix().strip("/")
    prefix = "" if out in ("", ".") else out + "/"
    return Skeleton(
        {prefix + p: text for p, text in service.files.items()},
        {prefix + p: text for p, text in service.user_owned.items()},
    )
