"""GitHub's JSON shapes for pull requests, commits and branches (read from real git)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.emulator import gitrepo
from bot.emulator.merging import pull_stats
from bot.emulator.serializers import label_json, node_id, repo_api, repo_json, user_json
from bot.emulator.serializers_issues import author_association
from bot.emulator.state import Issue, Repo, Store, Team


def _ref_json(store: Store, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
    return {
        "label": f"{repo.owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user_json(store, repo.owner),
        "repo": repo_json(store, repo),
    }


def _head_repo(store: Store, repo: Repo, head_repo: str | None) -> Repo:
    """The repository a PR's head lives in: a fork's, or the base repository itself."""
    return (store.repos.get(head_repo) if head_repo else None) or repo


def team_json(store: Store, repo: Repo, team: Team, *, webhook: bool = False) -> dict[str, Any]:
    """A team as pull requests embed it (webhooks leave out ``type`` and the organization id)."""
    org = store.user(repo.owner) or store.ensure_user(repo.owner, "Organization")
    api = f"{store.base_url}/organizations/{org.id}/team/{team.id}"
    data: dict[str, Any] = {
        "id": team.id,
        "node_id": node_id("T", team.id),
        "url": api,
        "html_url": f"{store.base_url}/orgs/{quote(repo.owner)}/teams/{quote(team.slug)}",
        "name": team.name,
        "slug": team.slug,
        "description": team.description,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": team.permission,
        "members_url": f"{api}/members{{/member}}",
        "repositories_url": f"{api}/repos",
        "parent": None,
    }
    if webhook:
        return data
    return data | {"type": "organization", "organization_id": org.id}


def pull_json(
    store: Store, repo: Repo, issue: Issue, *, webhook: bool = False, compute: bool = False
) -> dict[str, Any]:
    """A pull request (REST and webhooks differ only in how teams are embedded).

    ``compute``: this read starts GitHub's mergeability job (``GET /pulls/{n}`` does).
    """
    pull = issue.pull
    assert pull is not None
    api = f"{repo_api(store, repo)}/pulls/{issue.number}"
    issue_api = f"{repo_api(store, repo)}/issues/{issue.number}"
    html = f"{store.base_url}/{repo.full_name}/pull/{issue.number}"
    stats = pull_stats(store, repo, issue, compute=compute)
    statuses = f"{repo_api(store, repo)}/statuses/{pull.head_sha}"
    comments = sum(1 for c in repo.comments.values() if c.issue_number == issue.number)
    assignees = [user_json(store, login) for login in issue.assignees]
    labels = [repo.labels[n] for n in issue.labels if n in repo.labels]
    return {
        "url": api,
        "id": issue.pull_id,
        "node_id": node_id("PR", issue.pull_id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_api,
        "number": issue.number,
        "state": issue.state,
        "locked": issue.locked,
        "title": issue.title,
        "user": user_json(store, issue.user),
        "body": issue.body,
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": issue.closed_at,
        "merged_at": pull.merged_at,
        "merge_commit_sha": pull.merge_commit_sha,
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "requested_reviewers": [user_json(store, u) for u in pull.requested_reviewers],
        "requested_teams": [
            team_json(store, repo, repo.teams[t], webhook=webhook)
            for t in pull.requested_teams
            if t in repo.teams
        ],
        "labels": [label_json(store, repo, label) for label in labels],
        "milestone": None,
        "draft": pull.draft,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{repo_api(store, repo)}/pulls/comments{{/number}}",
        "comments_url": f"{issue_api}/comments",
        "statuses_url": statuses,
        "head": _ref_json(
            store, _head_repo(store, repo, pull.head_repo), pull.head_ref, pull.head_sha
        ),
        "base": _ref_json(store, repo, pull.base_ref, pull.base_sha),
        "_links": {
            "self": {"href": api},
            "html": {"href": html},
            "issue": {"href": issue_api},
            "comments": {"href": f"{issue_api}/comments"},
            "review_comments": {"href": f"{api}/comments"},
            "review_comment": {"href": f"{repo_api(store, repo)}/pulls/comments{{/number}}"},
            "commits": {"href": f"{api}/commits"},
            "statuses": {"href": statuses},
        },
        "author_association": author_association(store, repo, issue.user),
        "auto_merge": None,
        "active_lock_reason": None,
        "merged": pull.merged,
        "mergeable": stats.mergeable,
        "rebaseable": stats.mergeable,
        "mergeable_state": stats.mergeable_state,
        "merged_by": user_json(store, pull.merged_by) if pull.merged_by else None,
        "comments": comments,
        "review_comments": 0,
        "maintainer_can_modify": pull.maintainer_can_modify,
        "commits": stats.commits,
        "additions": stats.additions,
        "deletions": stats.deletions,
        "changed_files": stats.changed_files,
    }


def _git_person(name: str, email: str, date: str) -> dict[str, str]:
    return {"name": name, "email": email, "date": date}


def commit_json(store: Store, repo: Repo, sha: str) -> dict[str, Any]:
    """A commit as ``GET /repos/{o}/{r}/commits/{ref}`` returns it."""
    info = gitrepo.commit_info(repo.git_dir, sha)
    api = repo_api(store, repo)
    html = f"{store.base_url}/{repo.full_name}/commit/{sha}"
    return {
        "sha": sha,
        "node_id": node_id("C", int(sha[:7], 16)),
        "url": f"{api}/commits/{sha}",
        "html_url": html,
        "comments_url": f"{api}/commits/{sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{sha}",
            "author": _git_person(info.author_name, info.author_email, info.author_date),
            "committer": _git_person(
                info.committer_name, info.committer_email, info.committer_date
            ),
            "message": info.message,
            "comment_count": 0,
            "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"},
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
        "author": None,
        "committer": None,
        "parents": [
            {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{html.rsplit('/', 1)[0]}/{p}"}
            for p in info.parents
        ],
    }


def protection_json(store: Store, repo: Repo, branch: str) -> dict[str, Any]:
    """The ``protection`` summary a branch carries."""
    contexts = repo.protection.get(branch)
    url = f"{repo_api(store, repo)}/branches/{quote(branch, safe='')}/protection"
    checks: dict[str, Any] = {
        "url": f"{url}/required_status_checks",
        "enforcement_level": "non_admins" if contexts is not None else "off",
        "contexts": list(contexts or []),
        "checks": [{"context": c, "app_id": None} for c in contexts or []],
        "contexts_url": f"{url}/required_status_checks/contexts",
        "strict": False,
    }
    return {"url": url, "enabled": contexts is not None, "required_status_checks": checks}


def branch_json(store: Store, repo: Repo, branch: str, sha: str) -> dict[str, Any]:
    """``GET /repos/{o}/{r}/branches/{b}``."""
    api = repo_api(store, repo)
    quoted = quote(branch, safe="")
    return {
        "name": branch,
        "commit": commit_json(store, repo, sha),
        "_links": {
            "self": f"{api}/branches/{quoted}",
            "html": f"{store.base_url}/{repo.full_name}/tree/{quoted}",
        },
        "protected": branch in repo.protection,
        "protection": protection_json(store, repo, branch),
        "protection_url": f"{api}/branches/{quoted}/protection",
    }
