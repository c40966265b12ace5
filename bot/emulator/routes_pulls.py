"""Pull requests: create (real branch comparison), get, list, update, merge."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from bot.emulator import gitrepo
from bot.emulator.access import RepoAccess, repo_access
from bot.emulator.events import issue_event
from bot.emulator.merging import (
    closing_issue_numbers,
    merge_pull,
    refresh_head,
    unmet_required_checks,
)
from bot.emulator.pushes import announce_push
from bot.emulator.routes_issues import apply_issue_edit, next_number
from bot.emulator.serializers_pulls import pull_json
from bot.emulator.state import Issue, PullInfo, Repo, now_iso
from bot.emulator.web import (
    ApiError,
    JsonObject,
    Router,
    created,
    not_found,
    paginated,
    validation_failed,
)

router = Router()

# GitHub's 405 messages when a repository's settings turn a merge button off.
DISALLOWED_MESSAGES = {
    "merge": "Merge commits are not allowed on this repository.",
    "squash": "Squash merges are not allowed on this repository.",
    "rebase": "Rebase merges are not allowed on this repository.",
}


def _pull(access: RepoAccess, number: int) -> Issue:
    issue = access.repo.issues.get(number)
    if issue is None or issue.pull is None:
        raise not_found()
    return issue


def _branch_name(access: RepoAccess, head: str) -> tuple[str, Repo | None]:
    """The head branch, and the fork it lives in when ``head`` is ``forker:branch``."""
    owner, sep, branch = head.partition(":")
    if not sep:
        return head, None
    if owner.lower() == access.repo.owner.lower():
        return branch, None
    fork = access.store.repo(owner, access.repo.name)
    if fork is None or fork.parent != access.repo.full_name:
        raise validation_failed("PullRequest", "invalid", "head")
    return branch, fork


@router.post("/repos/{owner}/{repo}/pulls", status_code=201)
def create_pull(request: Request, owner: str, repo: str, body: JsonObject) -> JSONResponse:
    """Open a PR from a branch of this repository (no forks)."""
    access = repo_access(request, owner, repo)
    login = access.require("read")
    if not isinstance(body, dict):
        raise ApiError(400, "Problems parsing JSON")
    for field in ("head", "base"):
        if not isinstance(body.get(field), str) or not body[field]:
            raise validation_failed("PullRequest", "missing_field", field)
    if not isinstance(body.get("title"), str) or not body["title"].strip():
        raise validation_failed("PullRequest", "missing_field", "title")
    (head, fork), base = _branch_name(access, body["head"]), str(body["base"])
    git_dir = access.repo.git_dir
    with access.store.lock:
        number = next_number(access)
        head_sha = gitrepo.resolve((fork or access.repo).git_dir, f"refs/heads/{head}")
        if fork is not None and head_sha is not None:  # GitHub keeps a fork's head as pull/N/head
            source = str(fork.git_dir)
            gitrepo.git(git_dir, "fetch", "-q", source, f"+{head_sha}:refs/pull/{number}/head")
        base_sha = gitrepo.resolve(git_dir, f"refs/heads/{base}")
        if base_sha is None:
            raise validation_failed("PullRequest", "invalid", "base")
        if head_sha is None:
            raise validation_failed("PullRequest", "invalid", "head")
        for other in access.repo.issues.values():
            pull = other.pull
            same_head = pull is not None and pull.head_repo == (fork.full_name if fork else None)
            if (
                pull
                and same_head
                and other.state == "open"
                and pull.head_ref == head
                and pull.base_ref == base
            ):
                message = f"A pull request already exists for {access.repo.owner}:{head}."
                raise ApiError(
                    422,
                    "Validation Failed",
                    errors=[{"resource": "PullRequest", "code": "custom", "message": message}],
                )
        if not gitrepo.commits_between(git_dir, base_sha, head_sha):
            message = f"No commits between {base} and {head}"
            raise validation_failed("PullRequest", "custom", message=message)
        issue = Issue(
            id=access.store.next_id(),
            number=number,
            title=body["title"],
            body=body.get("body"),
            user=login,
            pull=PullInfo(
                head_ref=head,
                head_sha=head_sha,
                base_ref=base,
                base_sha=base_sha,
                draft=bool(body.get("draft", False)),
                maintainer_can_modify=bool(body.get("maintainer_can_modify", False)),
                head_repo=fork.full_name if fork else None,
            ),
            pull_id=access.store.next_id(),
        )
        access.repo.issues[issue.number] = issue
        data = pull_json(access.store, access.repo, issue)
        issue_event(access.emulator, access.repo, issue, "opened", login)
    if access.emulator.actions is not None:
        access.emulator.actions.on_pull_request(access.repo, issue, "opened")
    return created(data)


@router.get("/repos/{owner}/{repo}/pulls")
def list_pulls(request: Request, owner: str, repo: str) -> Response:
    """PRs filtered by state, head (``owner:branch``) and base."""
    access = repo_access(request, owner, repo)
    query = request.query_params
    state = query.get("state", "open")
    with access.store.lock:
        pulls = [i for i in access.repo.issues.values() if i.pull is not None]
        if state != "all":
            pulls = [i for i in pulls if i.state == state]
        if head := query.get("head"):
            want_owner, _, want_branch = head.rpartition(":")
            if want_owner and want_owner.lower() != access.repo.owner.lower():
                pulls = []
            pulls = [i for i in pulls if i.pull is not None and i.pull.head_ref == want_branch]
        if base := query.get("base"):
            pulls = [i for i in pulls if i.pull is not None and i.pull.base_ref == base]
        pulls.sort(key=lambda i: i.number, reverse=query.get("direction", "desc") != "asc")
        items = [pull_json(access.store, access.repo, i) for i in pulls]
    return paginated(request, items)


@router.get("/repos/{owner}/{repo}/pulls/{number}")
def get_pull(request: Request, owner: str, repo: str, number: int) -> dict[str, Any]:
    """One PR, with ``mergeable`` computed from the real branches."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        return pull_json(access.store, access.repo, _pull(access, number), compute=True)


@router.patch("/repos/{owner}/{repo}/pulls/{number}")
def update_pull(
    request: Request, owner: str, repo: str, number: int, body: JsonObject
) -> dict[str, Any]:
    """Edit title/body/state/base: the author or anyone with write."""
    access = repo_access(request, owner, repo)
    login = access.require("read")
    if not isinstance(body, dict):
        raise ApiError(400, "Problems parsing JSON")
    with access.store.lock:
        issue = _pull(access, number)
        access.require_author_or(issue.user, "write")
        pull = issue.pull
        assert pull is not None
        if isinstance(body.get("base"), str) and body["base"] != pull.base_ref:
            sha = gitrepo.resolve(access.repo.git_dir, f"refs/heads/{body['base']}")
            if sha is None:
                raise validation_failed("PullRequest", "invalid", "base")
            pull.base_ref, pull.base_sha = body["base"], sha
        edit = {k: v for k, v in body.items() if k in {"title", "body", "state"}}
        apply_issue_edit(access, issue, edit, login)
        return pull_json(access.store, access.repo, issue)


@router.get("/repos/{owner}/{repo}/pulls/{number}/merge", status_code=204)
def is_merged(request: Request, owner: str, repo: str, number: int) -> Response:
    """204 if merged, 404 if not."""
    access = repo_access(request, owner, repo)
    issue = _pull(access, number)
    if issue.pull is None or not issue.pull.merged:
        raise not_found()
    return Response(status_code=204)


@router.put("/repos/{owner}/{repo}/pulls/{number}/merge")
def merge(request: Request, owner: str, repo: str, number: int, body: JsonObject) -> dict[str, Any]:
    """Merge or squash into base; 405 when not mergeable, 409 when ``sha`` is stale."""
    access = repo_access(request, owner, repo)
    login = access.require("write")
    body = body if isinstance(body, dict) else {}
    method = body.get("merge_method", "merge")
    if method not in {"merge", "squash", "rebase"}:
        raise validation_failed("PullRequest", "invalid", "merge_method")
    if not access.repo.merge_methods[method]:
        raise ApiError(405, DISALLOWED_MESSAGES[method])
    with access.store.lock:
        issue = _pull(access, number)
        refresh_head(access.repo, issue)
        pull = issue.pull
        assert pull is not None
        if issue.state != "open" or pull.merged:
            raise ApiError(405, "Pull Request is not mergeable")
        if pull.draft:
            raise ApiError(405, "Pull Request is still a draft")
        if body.get("sha") and body["sha"] != pull.head_sha:
            raise ApiError(409, "Head branch was modified. Review and try the merge again.")
        for context, state in unmet_required_checks(
            access.store, access.repo, pull.base_ref, pull.head_sha
        ):
            verb = "expected" if state == "pending" else "failing"
            raise ApiError(405, f'Required status check "{context}" is {verb}.')
        user = access.store.user(login)
        author = (
            (user.name or user.login) if user else login,
            f"{user.id if user else 0}+{login}@users.noreply.github.com",
        )
        if method == "squash":
            title = body.get("commit_title") or f"{issue.title} (#{issue.number})"
            message = body.get("commit_message") or ""
        else:
            title = body.get("commit_title") or (
                f"Merge pull request #{issue.number} from {access.repo.owner}/{pull.head_ref}"
            )
            message = body.get("commit_message") or issue.title
        old_base = gitrepo.resolve(access.repo.git_dir, f"refs/heads/{pull.base_ref}")
        try:
            sha = merge_pull(
                access.repo, issue, method, title=title, message=message, author=author
            )
        except gitrepo.GitFailure as exc:
            raise ApiError(405, "Pull Request is not mergeable") from exc
        stamp = now_iso()
        pull.merged, pull.merged_at, pull.merged_by, pull.merge_commit_sha = True, stamp, login, sha
        issue.state, issue.closed_at, issue.updated_at = "closed", stamp, stamp
        announce_push(
            access.emulator, access.repo, pull.base_ref, old_base or "0" * 40, sha, pusher=login
        )
        issue_event(access.emulator, access.repo, issue, "closed", login)
        if pull.base_ref == access.repo.default_branch:
            _close_linked(access, issue, login)
    return {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}


def _close_linked(access: RepoAccess, pull: Issue, login: str) -> None:
    """Close every open issue the merged PR's body names with Closes/Fixes/Resolves #N."""
    for number in closing_issue_numbers(pull.body, access.repo.full_name):
        target = access.repo.issues.get(number)
        if target is None or target.pull is not None or target.state != "open":
            continue
        stamp = now_iso()
        target.state, target.state_reason = "closed", "completed"
        target.closed_at, target.updated_at, target.closed_by = stamp, stamp, login
        issue_event(access.emulator, access.repo, target, "closed", login)
