"""Phase 1 of the seed flow: a validated feature request becomes a labelled issue and a reply.

A request may also change an entity that already ships (``{"change": "Widget", ...}``): it is
checked against the repository's spec and the issue body shows the entity's diff.

Nothing is created for an invalid request (a SpecError lists every problem with its path).
Filing again after a lost response finds the open issue with the same title and definition
instead of opening a duplicate.
"""

from __future__ import annotations

from bot.config import Labels, RepoConfig
from bot.errors import GenerationError, SpecError
from bot.github.models import Issue
from bot.github.protocol import GitHubRepo
from bot.issuespec.assemble import build_entity
from bot.issuespec.change import EntityChange
from bot.issuespec.change_request import is_change_request, resolve_change
from bot.issuespec.parse import parse_issue_body
from bot.issuespec.preview import current_spec
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.issuespec.summary import refresh_summary
from generators.spec import Entity, SpecFile

LABEL_STYLES: dict[str, tuple[str, str]] = {
    "needs_review": ("fbca04", "Waiting for a maintainer's review; remove it to approve"),
    "entity_request": ("1d76db", "A request for a generated entity and API; the issue is the spec"),
    "spec_invalid": ("d93f0b", "The entity definition in this issue has problems; see the comment"),
}


def validate_request(req: FeatureRequest) -> Entity:
    """The entity a request describes, or a SpecError naming every problem by path."""
    return check_request(req, None)[0]


def check_request(
    req: FeatureRequest, shipped: SpecFile | None
) -> tuple[Entity, EntityChange | None]:
    """The entity a request describes over the ``shipped`` spec, and how it changes the one
    that ships (a change request); a SpecError naming every problem by path."""
    change: EntityChange | None = None
    if is_change_request(req.entity_definition):
        resolved = resolve_change(req.entity_definition, shipped, req.api_endpoints)
        entity, problems, change = resolved.entity, resolved.problems, resolved.change
    else:
        entity, problems = build_entity(req.entity_definition, req.api_endpoints)
    if entity is None or problems:
        raise SpecError(
            [p.render() for p in problems] or ["the entity definition is invalid"],
            hint="fix the entity definition; no issue was created",
        )
    return entity, change


def ensure_request_labels(repo: GitHubRepo, labels: Labels) -> None:
    """Create the labels a request uses (idempotent), with colours and descriptions."""
    for key, (color, description) in LABEL_STYLES.items():
        repo.ensure_label(getattr(labels, key), color, description)


def _existing(
    repo: GitHubRepo, req: FeatureRequest, labels: Labels, shipped: SpecFile
) -> Issue | None:
    for issue in repo.list_open_issues(label=labels.entity_request):
        if issue.title == req.title:
            parsed = parse_issue_body(issue.body, shipped)
            if parsed.definition == req.entity_definition:
                return issue
    return None


def request_feature(repo: GitHubRepo, req: FeatureRequest, config: RepoConfig) -> tuple[int, str]:
    """File the request as an issue with both labels and the summary reply; (number, URL)."""
    shipped, _ = current_spec(repo.read_file(config.paths.spec))
    entity, change = check_request(req, shipped)
    labels = config.labels
    body = render_issue_body(req, labels=labels, change=change)
    echoed = parse_issue_body(body, shipped)
    if not echoed.valid or echoed.definition != req.entity_definition:
        raise GenerationError("the rendered issue body does not read back as the same request")
    ensure_request_labels(repo, labels)
    issue = _existing(repo, req, labels, shipped) or repo.create_issue(
        req.title, body, labels=[labels.entity_request, labels.needs_review]
    )
    refresh_summary(repo, issue.number, entity, config, change)
    return issue.number, issue.html_url
