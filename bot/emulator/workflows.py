"""GitHub Actions runs, reduced to what bots observe: the ``workflow_run.completed`` event.

CI (a test, the demo) may report that a run finished, or the emulator's own runner
(bot/emulator/actions.py, opt-in) ran one; either way it is announced as GitHub would.
"""

from __future__ import annotations

import zlib
from typing import Any

from bot.emulator import gitrepo
from bot.emulator.core import Emulator
from bot.emulator.serializers import node_id, repo_json, user_json
from bot.emulator.state import Repo, Store, now_iso

WORKFLOW_CONCLUSIONS = {"success", "failure", "neutral", "cancelled", "timed_out", "skipped"}


def _repo_lite(emulator: Emulator, repo: Repo) -> dict[str, Any]:
    """``repository-lite``: the repository minus dates, counters and settings."""
    full = repo_json(emulator.store, repo)
    drop = [
        "created_at",
        "updated_at",
        "pushed_at",
        "git_url",
        "ssh_url",
        "clone_url",
        "svn_url",
        "homepage",
        "size",
        "stargazers_count",
        "watchers_count",
        "language",
        "has_issues",
        "has_projects",
        "has_downloads",
        "has_wiki",
        "has_pages",
        "has_discussions",
        "forks_count",
        "mirror_url",
        "archived",
        "disabled",
        "open_issues_count",
        "license",
        "allow_forking",
        "is_template",
        "web_commit_signoff_required",
        "topics",
        "visibility",
        "forks",
        "open_issues",
        "watchers",
        "default_branch",
        "custom_properties",
    ]
    return {k: v for k, v in full.items() if k not in drop}


def complete_workflow_run(
    emulator: Emulator,
    repo: Repo,
    *,
    sha: str,
    name: str = "CI",
    conclusion: str = "success",
    login: str = "ci-bot",
    path: str | None = None,
    event: str = "push",
) -> dict[str, Any]:
    """Announce ``workflow_run.completed`` for workflow ``name`` on ``sha``; return the run.

    ``path`` is the workflow file (default: derived from ``name``), ``event`` what started it.
    """
    if conclusion not in WORKFLOW_CONCLUSIONS:
        raise ValueError(f"conclusion must be one of {sorted(WORKFLOW_CONCLUSIONS)}")
    store = emulator.store
    resolved = gitrepo.resolve(repo.git_dir, sha)
    if resolved is None:
        raise ValueError(f"no commit {sha} in {repo.full_name}")
    info = gitrepo.commit_info(repo.git_dir, resolved)
    branch = next((b for b, s in gitrepo.branches(repo.git_dir).items() if s == resolved), None)
    path = path or f".github/workflows/{name.lower().replace(' ', '-')}.yml"
    workflow_id = zlib.crc32(f"{repo.full_name}/{path}".encode())
    run_id, suite_id = store.next_id(), store.next_id()
    api = f"{store.base_url}/repos/{repo.full_name}/actions"
    html = f"{store.base_url}/{repo.full_name}/actions"
    stamp = now_iso()
    lite = _repo_lite(emulator, repo)
    pulls = [
        {
            "url": f"{store.base_url}/repos/{repo.full_name}/pulls/{i.number}",
            "id": i.pull_id,
            "number": i.number,
            "head": {"ref": i.pull.head_ref, "sha": i.pull.head_sha, "repo": _mini(store, repo)},
            "base": {"ref": i.pull.base_ref, "sha": i.pull.base_sha, "repo": _mini(store, repo)},
        }
        for i in repo.issues.values()
        if i.pull is not None and i.state == "open" and i.pull.head_sha == resolved
    ]
    run = {
        "id": run_id,
        "name": name,
        "node_id": node_id("WFR", run_id),
        "head_branch": branch,
        "head_sha": resolved,
        "path": path,
        "display_title": info.message.splitlines()[0] if info.message else name,
        "run_number": run_id,
        "event": event,
        "status": "completed",
        "conclusion": conclusion,
        "workflow_id": workflow_id,
        "check_suite_id": suite_id,
        "check_suite_node_id": node_id("CS", suite_id),
        "url": f"{api}/runs/{run_id}",
        "html_url": f"{html}/runs/{run_id}",
        "pull_requests": pulls,
        "created_at": stamp,
        "updated_at": stamp,
        "actor": user_json(store, login),
        "triggering_actor": user_json(store, login),
        "run_attempt": 1,
        "run_started_at": stamp,
        "jobs_url": f"{api}/runs/{run_id}/jobs",
        "logs_url": f"{api}/runs/{run_id}/logs",
        "check_suite_url": f"{store.base_url}/repos/{repo.full_name}/check-suites/{suite_id}",
        "artifacts_url": f"{api}/runs/{run_id}/artifacts",
        "cancel_url": f"{api}/runs/{run_id}/cancel",
        "rerun_url": f"{api}/runs/{run_id}/rerun",
        "previous_attempt_url": None,
        "workflow_url": f"{api}/workflows/{workflow_id}",
        "head_commit": {
            "id": resolved,
            "tree_id": info.tree,
            "message": info.message,
            "timestamp": info.committer_date,
            "author": {"name": info.author_name, "email": info.author_email},
            "committer": {"name": info.committer_name, "email": info.committer_email},
        },
        "repository": lite,
        "head_repository": lite,
    }
    workflow = {
        "id": workflow_id,
        "node_id": node_id("W", workflow_id),
        "name": name,
        "path": path,
        "state": "active",
        "created_at": repo.created_at,
        "updated_at": repo.created_at,
        "url": f"{api}/workflows/{workflow_id}",
        "html_url": f"{store.base_url}/{repo.full_name}/blob/{repo.default_branch}/{path}",
        "badge_url": f"{store.base_url}/{repo.full_name}/workflows/{name}/badge.svg",
    }
    emulator.emit(
        "workflow_run", repo, login, action="completed", workflow=workflow, workflow_run=run
    )
    return run


def _mini(store: Store, repo: Repo) -> dict[str, Any]:
    return {"id": repo.id, "url": f"{store.base_url}/repos/{repo.full_name}", "name": repo.name}
