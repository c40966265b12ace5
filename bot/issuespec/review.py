"""Review feedback on an entity request: decide purely, then apply through ``GitHubRepo``.

One ``spec-review`` comment per issue, edited in place (never one per edit): it lists each
problem with its path and a fix, or says the definition is valid again; ``spec-invalid``
follows the verdict. A valid issue that never had problems gets no review comment at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.config import Labels
from bot.github.models import Comment
from bot.github.protocol import GitHubRepo
from bot.issuespec.parse import ParsedIssue
from bot.issuespec.render import render_template
from generators.spec import Entity, Problem

REVIEW_MARKER = "spec-review"
MAX_SHOWN = 50

Status = Literal["valid", "invalid", "ignored"]


@dataclass(frozen=True)
class ReviewOutcome:
    """What a review decided: the comment text and the label changes, nothing applied yet."""

    status: Status
    comment: str | None = None
    create_comment: bool = False  # False: only edit a spec-review comment that already exists
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()
    entity: Entity | None = None
    problems: tuple[Problem, ...] = ()
    reason: str = ""

    @property
    def valid(self) -> bool:
        """Whether the issue holds a valid entity definition."""
        return self.status == "valid"


def ignored(reason: str) -> ReviewOutcome:
    """An issue the review does not apply to (not an entity request, closed)."""
    return ReviewOutcome(status="ignored", reason=reason)


def review(parsed: ParsedIssue, labels: Labels, withdrawn: str | None = None) -> ReviewOutcome:
    """Decide the review comment and label changes for a parsed issue body.

    ``withdrawn`` names the approver whose approval an edit revoked: the comment says so
    (and is created for it), whatever the verdict on the new text.
    """
    if parsed.valid:
        text = render_template(
            "review.md.j2",
            problems=[],
            shown=[],
            hidden=0,
            labels=labels,
            entity=parsed.entity,
            withdrawn=withdrawn,
        )
        return ReviewOutcome(
            status="valid",
            comment=text,
            create_comment=withdrawn is not None,
            remove_labels=(labels.spec_invalid,),
            entity=parsed.entity,
        )
    problems = list(parsed.problems)
    text = render_template(
        "review.md.j2",
        problems=problems,
        shown=problems[:MAX_SHOWN],
        hidden=max(0, len(problems) - MAX_SHOWN),
        labels=labels,
        entity=None,
        withdrawn=withdrawn,
    )
    return ReviewOutcome(
        status="invalid",
        comment=text,
        create_comment=True,
        add_labels=(labels.spec_invalid,),
        problems=tuple(problems),
    )


def apply_review(
    repo: GitHubRepo,
    issue_number: int,
    outcome: ReviewOutcome,
    *,
    current_labels: Sequence[str] | None = None,
) -> Comment | None:
    """Write the outcome: upsert the one review comment, add/remove labels (skipping no-ops)."""
    if outcome.status == "ignored":
        return None
    comment: Comment | None = None
    if outcome.comment is not None and (
        outcome.create_comment or repo.find_comment(issue_number, REVIEW_MARKER) is not None
    ):
        comment = repo.upsert_comment(issue_number, REVIEW_MARKER, outcome.comment)
    have = set(current_labels) if current_labels is not None else None
    to_add = [name for name in outcome.add_labels if have is None or name not in have]
    if to_add:
        repo.add_labels(issue_number, to_add)
    for name in outcome.remove_labels:
        if have is None or name in have:
            repo.remove_label(issue_number, name)
    return comment
