"""GitHub's JSON shapes for apps, check runs, check suites and commit statuses."""

from __future__ import annotations

from typing import Any

from bot.emulator import gitrepo
from bot.emulator.seed import DEFAULT_APP_EVENTS, DEFAULT_APP_PERMISSIONS
from bot.emulator.serializers import node_id, repo_api, user_json
from bot.emulator.state import App, CheckRun, Issue, Repo, Status, Store

APP_PERMISSIONS = DEFAULT_APP_PERMISSIONS
APP_EVENTS = DEFAULT_APP_EVENTS
# The seeded CI account stands in for GitHub Actions, whose runs GitHub reports under this app.
CI_APPS = {"ci-bot": "github-actions"}
APP_NAMES = {"github-actions": "GitHub Actions"}


def app_json(store: Store, app: App) -> dict[str, Any]:
    """An ``integration`` (GitHub App) as webhooks embed it."""
    return {
        "id": app.id,
        "slug": app.slug,
        "node_id": node_id("A", app.id),
        "owner": user_json(store, app.owner),
        "name": app.name,
        "description": "",
        "external_url": f"{store.base_url}/apps/{app.slug}",
        "html_url": f"{store.base_url}/apps/{app.slug}",
        "created_at": app.created_at,
        "updated_at": app.created_at,
        "permissions": dict(app.permissions),
        "events": list(app.events),
    }


def app_for_login(store: Store, login: str) -> App:
    """The app behind a bot login (a registered app, or one synthesized for CI bots)."""
    for app in store.apps.values():
        if app.bot_login.lower() == login.lower():
            return app
    user = store.user(login) or store.ensure_user(login, "Bot")
    slug = CI_APPS.get(login.lower(), login.removesuffix("[bot]"))
    name = APP_NAMES.get(slug, slug)
    return App(user.id, slug, name, login, login, "", 0, created_at=user.created_at)


def _pr_refs(store: Store, repo: Repo, sha: str) -> list[dict[str, Any]]:
    """The open PRs whose head is ``sha`` (``check-run-pull-request`` objects)."""
    api = repo_api(store, repo)
    mini = {"id": repo.id, "url": api, "name": repo.name}
    found: list[Issue] = [
        i for i in repo.issues.values() if i.pull and i.state == "open" and i.pull.head_sha == sha
    ]
    return [
        {
            "url": f"{api}/pulls/{i.number}",
            "id": i.pull_id,
            "number": i.number,
            "head": {"ref": i.pull.head_ref, "sha": i.pull.head_sha, "repo": mini},
            "base": {"ref": i.pull.base_ref, "sha": i.pull.base_sha, "repo": mini},
        }
        for i in found
        if i.pull is not None
    ]


def suite_json(store: Store, repo: Repo, suite_id: int, app_login: str, sha: str) -> dict[str, Any]:
    """A check suite: every run of one app on one commit, rolled up."""
    runs = [r for r in repo.check_runs.values() if r.suite_id == suite_id]
    done = all(r.status == "completed" for r in runs)
    conclusions = {r.conclusion for r in runs}
    conclusion = None
    if done and runs:
        order = ["action_required", "cancelled", "timed_out", "failure", "neutral", "skipped"]
        conclusion = next((c for c in order if c in conclusions), "success")
    info = gitrepo.commit_info(repo.git_dir, sha)
    branch = next((b for b, s in gitrepo.branches(repo.git_dir).items() if s == sha), None)
    api = repo_api(store, repo)
    created = min((r.started_at for r in runs), default=info.committer_date)
    return {
        "id": suite_id,
        "node_id": node_id("CS", suite_id),
        "head_branch": branch,
        "head_sha": sha,
        "status": "completed" if done and runs else "in_progress",
        "conclusion": conclusion,
        "url": f"{api}/check-suites/{suite_id}",
        "before": info.parents[0] if info.parents else None,
        "after": sha,
        "pull_requests": _pr_refs(store, repo, sha),
        "app": app_json(store, app_for_login(store, app_login)),
        "created_at": created,
        "updated_at": max((r.completed_at or r.started_at for r in runs), default=created),
        "latest_check_runs_count": len(runs),
        "check_runs_url": f"{api}/check-suites/{suite_id}/check-runs",
        "head_commit": {
            "id": sha,
            "tree_id": info.tree,
            "message": info.message,
            "timestamp": info.committer_date,
            "author": {"name": info.author_name, "email": info.author_email},
            "committer": {"name": info.committer_name, "email": info.committer_email},
        },
    }


def check_run_json(store: Store, repo: Repo, run: CheckRun, *, webhook: bool) -> dict[str, Any]:
    """A check run; the webhook form embeds the full suite, REST only its id."""
    api = repo_api(store, repo)
    output = {
        "title": run.output.get("title"),
        "summary": run.output.get("summary"),
        "text": run.output.get("text"),
        "annotations_count": 0,
        "annotations_url": f"{api}/check-runs/{run.id}/annotations",
    }
    suite: dict[str, Any] = {"id": run.suite_id}
    if webhook:
        full = suite_json(store, repo, run.suite_id, run.app, run.head_sha)
        keep = [
            "id",
            "node_id",
            "head_branch",
            "head_sha",
            "status",
            "conclusion",
            "url",
            "before",
            "after",
            "pull_requests",
            "app",
            "created_at",
            "updated_at",
        ]
        suite = {k: full[k] for k in keep}
    data: dict[str, Any] = {
        "id": run.id,
        "node_id": node_id("CR", run.id),
        "head_sha": run.head_sha,
        "external_id": run.external_id or "",
        "url": f"{api}/check-runs/{run.id}",
        "html_url": f"{store.base_url}/{repo.full_name}/runs/{run.id}",
        "details_url": run.details_url or f"{store.base_url}/{repo.full_name}/runs/{run.id}",
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": run.started_at,
        "completed_at": run.completed_at,
        "output": output,
        "name": run.name,
        "check_suite": suite,
        "app": app_json(store, app_for_login(store, run.app)),
        "pull_requests": _pr_refs(store, repo, run.head_sha),
    }
    return data


def status_json(store: Store, repo: Repo, status: Status) -> dict[str, Any]:
    """A commit status."""
    return {
        "url": f"{repo_api(store, repo)}/statuses/{status.sha}",
        "avatar_url": f"{store.base_url}/avatars/u/0?v=4",
        "id": status.id,
        "node_id": node_id("SC", status.id),
        "state": status.state,
        "description": status.description,
        "target_url": status.target_url,
        "context": status.context,
        "created_at": status.created_at,
        "updated_at": status.updated_at,
        "creator": user_json(store, status.creator),
    }
