"""GitHub's JSON shapes for accounts, repositories and labels.

Each function returns exactly the keys GitHub's webhook schema allows for that object
(its definitions forbid extra keys); REST responses add their extra keys on top.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.emulator.state import Label, Reaction, Repo, Store, User

REACTION_CONTENTS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


def node_id(prefix: str, id_: int) -> str:
    """A stable opaque GraphQL id (GitHub's are base64-ish; clients must not parse them)."""
    return f"{prefix}_kwDO{id_:08d}"


def user_json(store: Store, login: str) -> dict[str, Any]:
    """A user as GitHub embeds it everywhere (``simple-user``)."""
    user = store.user(login) or store.ensure_user(login)
    api = f"{store.base_url}/users/{quote(user.login)}"
    return {
        "login": user.login,
        "id": user.id,
        "node_id": node_id("U", user.id),
        "avatar_url": f"{store.base_url}/avatars/u/{user.id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": _html_user(store, user),
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": user.type,
        "site_admin": False,
    }


def _html_user(store: Store, user: User) -> str:
    if user.type == "Bot" and user.login.endswith("[bot]"):
        return f"{store.base_url}/apps/{quote(user.login.removesuffix('[bot]'))}"
    return f"{store.base_url}/{quote(user.login)}"


def full_user_json(store: Store, login: str) -> dict[str, Any]:
    """``GET /user`` and ``GET /users/{u}``: the public profile."""
    user = store.user(login) or store.ensure_user(login)
    public_repos = sum(1 for r in store.repos.values() if r.owner == user.login and not r.private)
    return user_json(store, login) | {
        "name": user.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": user.email,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": public_repos,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": user.created_at,
        "updated_at": user.created_at,
    }


def org_json(store: Store, login: str) -> dict[str, Any]:
    """An organization as webhooks embed it."""
    org = store.user(login) or store.ensure_user(login, "Organization")
    api = f"{store.base_url}/orgs/{quote(org.login)}"
    return {
        "login": org.login,
        "id": org.id,
        "node_id": node_id("O", org.id),
        "url": api,
        "html_url": f"{store.base_url}/{quote(org.login)}",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events",
        "hooks_url": f"{api}/hooks",
        "issues_url": f"{api}/issues",
        "members_url": f"{api}/members{{/member}}",
        "public_members_url": f"{api}/public_members{{/member}}",
        "avatar_url": f"{store.base_url}/avatars/u/{org.id}?v=4",
        "description": None,
    }


def repo_api(store: Store, repo: Repo) -> str:
    """The API URL of a repository."""
    return f"{store.base_url}/repos/{repo.full_name}"


def repo_json(store: Store, repo: Repo, viewer: str | None = None) -> dict[str, Any]:
    """A repository in the shape both webhooks and REST accept."""
    api = repo_api(store, repo)
    html = f"{store.base_url}/{repo.full_name}"
    open_count = sum(1 for i in repo.issues.values() if i.state == "open")
    templated = {
        "keys_url": "keys{/key_id}",
        "collaborators_url": "collaborators{/collaborator}",
        "issue_events_url": "issues/events{/number}",
        "assignees_url": "assignees{/user}",
        "branches_url": "branches{/branch}",
        "blobs_url": "git/blobs{/sha}",
        "git_tags_url": "git/tags{/sha}",
        "git_refs_url": "git/refs{/sha}",
        "trees_url": "git/trees{/sha}",
        "statuses_url": "statuses/{sha}",
        "commits_url": "commits{/sha}",
        "git_commits_url": "git/commits{/sha}",
        "comments_url": "comments{/number}",
        "issue_comment_url": "issues/comments{/number}",
        "contents_url": "contents/{+path}",
        "compare_url": "compare/{base}...{head}",
        "archive_url": "{archive_format}{/ref}",
        "issues_url": "issues{/number}",
        "pulls_url": "pulls{/number}",
        "milestones_url": "milestones{/number}",
        "notifications_url": "notifications{?since,all,participating}",
        "labels_url": "labels{/name}",
        "releases_url": "releases{/id}",
    }
    plain = [
        "forks",
        "teams",
        "hooks",
        "events",
        "tags",
        "languages",
        "stargazers",
        "contributors",
        "subscribers",
        "subscription",
        "merges",
        "downloads",
        "deployments",
    ]
    data: dict[str, Any] = {
        "id": repo.id,
        "node_id": node_id("R", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "owner": user_json(store, repo.owner),
        "html_url": html,
        "description": repo.description,
        "fork": repo.parent is not None,
        "url": api,
    }
    data |= {f"{name}_url": f"{api}/{name}" for name in plain}
    data |= {key: f"{api}/{suffix}" for key, suffix in templated.items()}
    host = store.base_url.split("://", 1)[-1]
    data |= {
        "created_at": repo.created_at,
        "updated_at": repo.pushed_at,
        "pushed_at": repo.pushed_at,
        "git_url": f"git://{host}/{repo.full_name}.git",
        "ssh_url": f"git@{host.split(':')[0]}:{repo.full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": "Python",
        "has_issues": True,
        "has_projects": False,
        "has_downloads": True,
        "has_wiki": False,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": open_count,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if repo.private else "public",
        "forks": 0,
        "open_issues": open_count,
        "watchers": 0,
        "default_branch": repo.default_branch,
        "custom_properties": {},
    }
    if viewer is not None:
        data["permissions"] = permissions_json(store, repo, viewer)
    return data


def full_repo_json(store: Store, repo: Repo, viewer: str | None) -> dict[str, Any]:
    """``GET /repos/{o}/{r}``: the webhook shape plus merge settings and counters."""
    data = repo_json(store, repo, viewer)
    data |= {
        "allow_squash_merge": repo.merge_methods["squash"],
        "allow_merge_commit": repo.merge_methods["merge"],
        "allow_rebase_merge": repo.merge_methods["rebase"],
        "allow_auto_merge": False,
        "delete_branch_on_merge": False,
        "allow_update_branch": False,
        "network_count": 0,
        "subscribers_count": 0,
    }
    owner = store.user(repo.owner)
    if owner is not None and owner.type == "Organization":
        data["organization"] = user_json(store, repo.owner)
    return data


def permissions_json(store: Store, repo: Repo, login: str) -> dict[str, bool]:
    """The viewer's permission booleans embedded in repository objects."""
    return {
        "admin": store.can(repo, login, "admin"),
        "maintain": store.can(repo, login, "maintain"),
        "push": store.can(repo, login, "write"),
        "triage": store.can(repo, login, "triage"),
        "pull": store.can(repo, login, "read"),
    }


def label_json(store: Store, repo: Repo, label: Label) -> dict[str, Any]:
    """A label."""
    return {
        "id": label.id,
        "node_id": node_id("LA", label.id),
        "url": f"{repo_api(store, repo)}/labels/{quote(label.name, safe='')}",
        "name": label.name,
        "color": label.color,
        "default": label.default,
        "description": label.description,
    }


def reactions_rollup(url: str, reactions: list[Reaction]) -> dict[str, Any]:
    """The ``reactions`` summary object issues and comments carry."""
    counts: dict[str, Any] = {c: 0 for c in REACTION_CONTENTS}
    for reaction in reactions:
        counts[reaction.content] += 1
    return {"url": f"{url}/reactions", "total_count": len(reactions), **counts}


def reaction_json(store: Store, reaction: Reaction) -> dict[str, Any]:
    """One reaction."""
    return {
        "id": reaction.id,
        "node_id": node_id("REA", reaction.id),
        "user": user_json(store, reaction.user),
        "content": reaction.content,
        "created_at": reaction.created_at,
    }
