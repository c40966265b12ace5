"""Runs and steps as an operator sees them in `runs list/show`, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.errors import GitHubUnavailableError, NotFoundError, TestsFailedError
from bot.store import ActiveRunExistsError, Run, RunStore


def test_opening_the_default_sqlite_path_creates_its_directory_and_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / '.issuebot' / 'issuebot.db'}"
    RunStore.open(url).close()
    again = RunStore.open(url)  # a second open (another process starting) is a no-op upgrade
    tables = set(inspect(again.engine).get_table_names())
    again.close()
    assert (tmp_path / ".issuebot" / "issuebot.db").is_file()
    assert {"runs", "steps", "deliveries", "audit", "locks", "issuebot_store_version"} <= tables


def test_a_second_run_for_an_issue_with_an_active_run_is_refused_naming_it(store: RunStore) -> None:
    first = store.create_run("acme/shop", 7, trigger="label", actor="maintainer")
    with pytest.raises(ActiveRunExistsError) as refused:
        store.create_run("acme/shop", 7, trigger="comment", actor="someone")
    assert refused.value.existing.id == first.id
    assert refused.value.retryable
    assert store.create_run("acme/shop", 8, trigger="label", actor="maintainer").issue == 8


def test_twenty_concurrent_approvals_create_exactly_one_run(store: RunStore) -> None:
    created: list[Run] = []
    refused: list[str] = []
    barrier = threading.Barrier(20)

    def approve() -> None:
        barrier.wait()
        try:
            created.append(store.create_run("acme/race", 1, trigger="label", actor="m"))
        except ActiveRunExistsError as exc:
            refused.append(exc.existing.id)

    _run_threads(approve, 20)
    assert len(created) == 1
    assert refused == [created[0].id] * 19
    assert [r.id for r in store.list_runs(repo="acme/race")] == [created[0].id]


def test_a_finished_run_frees_the_issue_and_cannot_be_revived_beside_a_new_one(
    store: RunStore,
) -> None:
    old = store.create_run("acme/shop", 3, trigger="label", actor="m")
    store.set_status(old.id, "failed", error=GitHubUnavailableError("GitHub answered 502"))
    new = store.create_run("acme/shop", 3, trigger="retry", actor="m")
    assert store.active_run("acme/shop", 3) == new
    with pytest.raises(ActiveRunExistsError):
        store.set_status(old.id, "running")  # resuming the old run while the new one is active
    failed = store.get_run(old.id)
    assert failed is not None
    assert (failed.status, failed.error_kind, failed.retryable) == (
        "failed",
        "github-unavailable",
        True,
    )
    assert failed.error_message == "GitHub answered 502"


def test_status_changes_record_the_typed_error_and_clear_it_on_success(store: RunStore) -> None:
    run = store.create_run("acme/shop", 4, trigger="label", actor="m")
    store.set_status(run.id, "failed", error=TestsFailedError("2 tests failed"))
    failed = store.get_run(run.id)
    assert failed is not None and (failed.error_kind, failed.retryable) == ("tests-failed", False)
    store.set_status(run.id, "running")
    store.set_status(run.id, "succeeded")
    done = store.get_run(run.id)
    assert done is not None and (done.status, done.error_kind, done.error_message) == (
        "succeeded",
        None,
        None,
    )
    assert done.updated_at >= done.created_at
    with pytest.raises(NotFoundError):
        store.set_status("no-such-run", "failed")


def test_steps_keep_every_attempt_with_outcome_output_and_duration(store: RunStore) -> None:
    run = store.create_run("acme/shop", 5, trigger="label", actor="m")
    store.start_step(run.id, "verify")
    store.finish_step(run.id, "verify", outcome="ok", output={"entity": "RawDataSource"})
    store.start_step(run.id, "test")  # a worker dies here: the attempt stays open
    store.start_step(run.id, "test")  # another worker resumes the step
    store.finish_step(run.id, "test", outcome="failed", output={"failed": ["test_create"]})
    store.finish_step(run.id, "push", outcome="skipped", output={})  # never started
    steps = store.steps(run.id)
    assert [(s.name, s.attempt, s.outcome) for s in steps] == [
        ("verify", 1, "ok"),
        ("test", 1, None),
        ("test", 2, "failed"),
        ("push", 1, "skipped"),
    ]
    assert steps[0].output == {"entity": "RawDataSource"}
    assert steps[1].finished_at is None and steps[1].duration_seconds is None
    assert steps[2].duration_seconds is not None and steps[2].duration_seconds >= 0
    with pytest.raises(NotFoundError):
        store.start_step("no-such-run", "verify")


def test_runs_are_listed_newest_first_and_filtered(store: RunStore) -> None:
    a = store.create_run("acme/one", 1, trigger="label", actor="m")
    b = store.create_run("acme/two", 1, trigger="label", actor="m")
    c = store.create_run("acme/one", 2, trigger="comment", actor="m")
    assert [r.id for r in store.list_runs()] == [c.id, b.id, a.id]
    assert [r.id for r in store.list_runs(repo="acme/one")] == [c.id, a.id]
    assert [r.id for r in store.list_runs(repo="acme/one", issue=1)] == [a.id]
    assert len(store.list_runs(limit=2)) == 2
    store.set_status(b.id, "cancelled")
    assert [r.id for r in store.list_runs(status="cancelled")] == [b.id]
    assert store.get_run("missing") is None


def test_runs_nobody_touched_for_a_while_are_reported_as_stale(store: RunStore) -> None:
    run = store.create_run("acme/shop", 9, trigger="label", actor="m")
    assert store.stale_runs(older_than_seconds=3600) == []
    assert [r.id for r in store.stale_runs(older_than_seconds=-1)] == [run.id]
    store.set_status(run.id, "succeeded")
    assert store.stale_runs(older_than_seconds=-1) == []


def _run_threads(target: Callable[[], None], count: int) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
