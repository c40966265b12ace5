"""The bot's reply to an entity request: what approval builds (fields, endpoints, files, diff).

Rendering is pure; ``refresh_summary`` is the one I/O step (read the current spec, upsert the
``request-summary`` comment), so a later edit of the issue refreshes the same reply.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.config import Labels, RepoConfig
from bot.errors import IssuebotError
from bot.github.models import Comment
from bot.github.protocol import GitHubRepo
from bot.issuespec.change import EntityChange, shipped_change
from bot.issuespec.preview import Preview, compute_preview, current_spec
from bot.issuespec.render import render_template
from generators.endpoints import entity_endpoints
from generators.spec import Entity

SUMMARY_MARKER = "request-summary"


def safe_preview(
    entity: Entity,
    current_spec_text: str | None,
    config: RepoConfig,
    existing: Mapping[str, str] | None = None,
    change: EntityChange | None = None,
) -> tuple[Preview | None, str | None]:
    """The preview, or why it could not be computed (a typed generator refusal, never a crash).

    ``existing`` is the default branch's tree (path → blob sha) the files are compared with.
    """
    try:
        preview = compute_preview(
            entity, current_spec_text, spec_path=config.paths.spec, ui=config.ui,
            existing=existing, output=config.paths.output, change=change,
        )  # fmt: skip
        return preview, None
    except IssuebotError as exc:
        return None, exc.message


def render_summary(
    entity: Entity,
    preview: Preview | None,
    labels: Labels,
    preview_error: str | None = None,
    change: EntityChange | None = None,
) -> str:
    """The request-summary comment body; ``change`` when the entity already ships."""
    return render_template(
        "summary.md.j2",
        entity=entity,
        change=change,
        sensitive=[f.name for f in entity.fields if f.sensitive],
        endpoints=entity_endpoints(entity),
        preview=preview,
        preview_error=preview_error or "unknown reason",
        labels=labels,
    )


def summary_for(
    repo: GitHubRepo, entity: Entity, config: RepoConfig, dropped: EntityChange | None = None
) -> str:
    """Read the repository's current spec and render the summary against it.

    ``dropped``: the request removes the entity (otherwise the change is read off the spec).
    """
    current = repo.read_file(config.paths.spec)
    dropped = dropped if dropped is not None and dropped.dropped else None
    preview, error = safe_preview(entity, current, config, repo.file_shas(), dropped)
    change = dropped or shipped_change(entity, current_spec(current)[0])
    return render_summary(entity, preview, config.labels, error, change)


def refresh_summary(
    repo: GitHubRepo,
    issue_number: int,
    entity: Entity,
    config: RepoConfig,
    change: EntityChange | None = None,
) -> Comment:
    """Create or update the one request-summary reply on the issue."""
    text = summary_for(repo, entity, config, change)
    return repo.upsert_comment(issue_number, SUMMARY_MARKER, text)
