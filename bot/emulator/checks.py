"""Recording CI results (check runs, statuses) and the events GitHub sends for them."""

from __future__ import annotations

from typing import Any

from bot.emulator import gitrepo
from bot.emulator.core import Emulator
from bot.emulator.serializers_checks import check_run_json, status_json, suite_json
from bot.emulator.serializers_pulls import commit_json
from bot.emulator.state import CheckRun, Repo, Status, now_iso
from bot.emulator.web import ApiError, validation_failed

CONCLUSIONS = {
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "stale",
    "timed_out",
}
STATUS_STATES = {"error", "failure", "pending", "success"}


def resolve_sha(repo: Repo, ref: str) -> str:
    """A commit sha for a sha or branch name; 422 ``No commit found`` otherwise."""
    sha = gitrepo.resolve(repo.git_dir, ref)
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {ref}")
    return sha


def apply_run_fields(run: CheckRun, body: dict[str, Any]) -> None:
    """Copy status/conclusion/output fields of a create or update body onto a run."""
    if "status" in body and body["status"] not in {None, "queued", "in_progress", "completed"}:
        raise validation_failed("CheckRun", "invalid", "status")
    conclusion = body.get("conclusion")
    if conclusion is not None and conclusion not in CONCLUSIONS:
        raise validation_failed("CheckRun", "invalid", "conclusion")
    run.status = body.get("status") or run.status
    if conclusion is not None:
        run.conclusion, run.status = conclusion, "completed"
    if run.status == "completed" and run.conclusion is None:
        raise validation_failed("CheckRun", "missing_field", "conclusion")
    if run.status == "completed" and run.completed_at is None:
        run.completed_at = body.get("completed_at") or now_iso()
    for key in ("details_url", "external_id"):
        if body.get(key) is not None:
            setattr(run, key, str(body[key]))
    if isinstance(body.get("output"), dict):
        run.output = {k: body["output"].get(k) for k in ("title", "summary", "text")}
    if isinstance(body.get("name"), str):
        run.name = body["name"]


def create_check_run(emulator: Emulator, repo: Repo, login: str, body: dict[str, Any]) -> CheckRun:
    """A new check run from a REST body; sends check_run (and check_suite) events."""
    name, head = body.get("name"), body.get("head_sha")
    if not isinstance(name, str) or not name:
        raise validation_failed("CheckRun", "missing_field", "name")
    if not isinstance(head, str) or not head:
        raise validation_failed("CheckRun", "missing_field", "head_sha")
    sha = resolve_sha(repo, head)
    store = emulator.store
    with store.lock:
        suite = repo.check_suites.get((login, sha))
        if suite is None:
            suite = repo.check_suites[(login, sha)] = store.next_id()
        run = CheckRun(store.next_id(), name, sha, login, suite)
        apply_run_fields(run, {k: v for k, v in body.items() if k not in {"name"}})
        repo.check_runs[run.id] = run
        announce_run(emulator, repo, run, "created", login)
        if run.status == "completed":
            announce_run(emulator, repo, run, "completed", login)
    return run


def update_check_run(
    emulator: Emulator, repo: Repo, run: CheckRun, login: str, body: dict[str, Any]
) -> None:
    """Apply an update; a run reaching ``completed`` sends check_run.completed."""
    with emulator.store.lock:
        was_done = run.status == "completed"
        apply_run_fields(run, body)
        if run.status == "completed" and not was_done:
            announce_run(emulator, repo, run, "completed", login)


def announce_run(emulator: Emulator, repo: Repo, run: CheckRun, action: str, login: str) -> None:
    """check_run.<action>; and check_suite.completed once every run of its suite is done."""
    store = emulator.store
    with store.lock:
        payload = check_run_json(store, repo, run, webhook=True)
        emulator.emit("check_run", repo, login, action=action, check_run=payload)
        if action != "completed":
            return
        runs = [r for r in repo.check_runs.values() if r.suite_id == run.suite_id]
        if all(r.status == "completed" for r in runs):
            suite = suite_json(store, repo, run.suite_id, run.app, run.head_sha)
            emulator.emit("check_suite", repo, login, action="completed", check_suite=suite)


def create_status(
    emulator: Emulator, repo: Repo, login: str, sha: str, body: dict[str, Any]
) -> Status:
    """A commit status; sends the ``status`` event."""
    state = body.get("state")
    if state not in STATUS_STATES:
        raise validation_failed("Status", "invalid", "state")
    store = emulator.store
    with store.lock:
        status = Status(
            id=store.next_id(),
            sha=resolve_sha(repo, sha),
            state=str(state),
            context=str(body.get("context") or "default"),
            creator=login,
            description=body.get("description"),
            target_url=body.get("target_url"),
        )
        repo.statuses.append(status)
        emulator.emit(
            "status",
            repo,
            login,
            **status_event_fields(emulator, repo, status),
        )
    return status


def status_event_fields(emulator: Emulator, repo: Repo, status: Status) -> dict[str, Any]:
    """The body of a ``status`` webhook (besides the envelope)."""
    store = emulator.store
    branches = [
        {
            "name": b,
            "commit": {"sha": s, "url": f"{store.base_url}/repos/{repo.full_name}/commits/{s}"},
            "protected": b in repo.protection,
        }
        for b, s in gitrepo.branches(repo.git_dir).items()
        if s == status.sha
    ]
    data = status_json(store, repo, status)
    commit = commit_json(store, repo, status.sha)
    commit["commit"]["verification"].pop("verified_at", None)  # webhooks omit it
    return {
        "id": status.id,
        "sha": status.sha,
        "name": repo.full_name,
        "target_url": status.target_url,
        "avatar_url": data["avatar_url"],
        "context": status.context,
        "description": status.description,
        "state": status.state,
        "commit": commit,
        "branches": branches,
        "created_at": status.created_at,
        "updated_at": status.updated_at,
    }
