"""What the event router calls for entity requests: issue opened/edited, and `/preview`.

Each handler reads the issue once, decides with the pure parser and review, and writes
only through ``GitHubRepo``; repeating a handler for the same state changes nothing.
"""

from __future__ import annotations

from bot.config import RepoConfig
from bot.github.protocol import GitHubRepo
from bot.issuespec.approval import ApprovalRecord
from bot.issuespec.parse import parse_issue_body
from bot.issuespec.preview import current_spec
from bot.issuespec.render import render_template
from bot.issuespec.request_feature import LABEL_STYLES
from bot.issuespec.review import ReviewOutcome, apply_review, ignored, review
from bot.issuespec.summary import refresh_summary, safe_preview


def on_issue_changed(
    repo: GitHubRepo,
    issue_number: int,
    config: RepoConfig,
    *,
    withdrawn: ApprovalRecord | None = None,
) -> ReviewOutcome:
    """Re-parse and validate an entity request after `issues.opened` / `issues.edited`.

    Invalid: the spec-review comment (created or edited in place) and `spec-invalid`.
    Valid: `spec-invalid` removed, an earlier review comment says so, the summary is refreshed
    so reviewers always see what the current text would build. ``withdrawn``: an approval
    this edit revoked, which the review comment announces.
    """
    issue = repo.get_issue(issue_number)
    if config.labels.entity_request not in issue.labels:
        return ignored(f"#{issue_number} has no {config.labels.entity_request!r} label")
    if issue.state != "open":
        return ignored(f"#{issue_number} is {issue.state}")
    who = withdrawn.actor if withdrawn is not None else None
    shipped, _ = current_spec(repo.read_file(config.paths.spec))  # a change request needs it
    parsed = parse_issue_body(issue.body, shipped)
    outcome = review(parsed, config.labels, who)
    if outcome.add_labels:
        color, description = LABEL_STYLES["spec_invalid"]
        repo.ensure_label(config.labels.spec_invalid, color, description)
    apply_review(repo, issue_number, outcome, current_labels=issue.labels)
    if outcome.entity is not None:
        refresh_summary(repo, issue_number, outcome.entity, config, parsed.change)
    return outcome


def preview_issue(repo: GitHubRepo, issue_number: int, config: RepoConfig) -> str:
    """Answer `/preview` as markdown (read-only; the caller posts it under its own marker)."""
    issue = repo.get_issue(issue_number)
    current = repo.read_file(config.paths.spec)
    parsed = parse_issue_body(issue.body, current_spec(current)[0])
    if parsed.entity is None:
        return render_template(
            "preview_unavailable.md.j2",
            review=review(parsed, config.labels).comment or "",
            problems=len(parsed.problems),
        )
    preview, error = safe_preview(parsed.entity, current, config, repo.file_shas(), parsed.change)
    return render_template(
        "preview_comment.md.j2", entity=parsed.entity, preview=preview, error=error or ""
    )
