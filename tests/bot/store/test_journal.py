"""Deliveries are processed once, and audited decisions are kept, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from bot.store import RunStore


def test_a_redelivered_webhook_is_recognised_by_its_delivery_id(store: RunStore) -> None:
    assert store.record_delivery("d-1", "issues", None) is True
    assert store.record_delivery("d-1", "issues", None) is False
    delivery = store.get_delivery("d-1")
    assert delivery is not None and (delivery.event, delivery.outcome) == ("issues", "accepted")
    store.set_delivery_outcome("d-1", "queued")
    assert store.get_delivery("d-1") is not None
    assert store.get_delivery("d-1").outcome == "queued"  # type: ignore[union-attr]
    assert store.get_delivery("never-seen") is None


def test_a_delivery_whose_enqueue_failed_is_forgotten_so_its_redelivery_counts(
    store: RunStore,
) -> None:
    assert store.record_delivery("d-lost", "issues", "acme/shop#3:implement") is True
    store.forget_delivery("d-lost")  # the queue was down: the server answered 503
    assert store.get_delivery("d-lost") is None
    assert store.record_delivery("d-lost", "issues", "acme/shop#3:implement") is True


def test_twenty_concurrent_copies_of_one_delivery_are_accepted_exactly_once(
    store: RunStore,
) -> None:
    answers: list[bool] = []
    barrier = threading.Barrier(20)

    def deliver() -> None:
        barrier.wait()
        answers.append(store.record_delivery("d-race", "issue_comment", "acme/x#1:implement"))

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(answers) == [False] * 19 + [True]


def test_the_same_intent_under_a_new_delivery_id_is_a_duplicate(store: RunStore) -> None:
    key = "acme/shop#7:implement:needs-review-removed"
    assert store.record_delivery("d-label", "issues", key) is True
    assert store.record_delivery("d-reconciler", "reconcile", key) is False
    duplicate = store.get_delivery("d-reconciler")
    assert duplicate is not None and duplicate.outcome == "duplicate"
    assert store.record_delivery("d-other", "issues", "acme/shop#8:implement") is True
    store.release_semantic_key(key)  # the run failed retryably: let the next approval in
    assert store.record_delivery("d-relabel", "issues", key) is True


def test_a_semantic_key_can_be_claimed_again_once_its_window_has_passed(
    database_url: str,
) -> None:
    store = RunStore.open(database_url, semantic_window_seconds=0)
    try:
        assert store.record_delivery("d-a", "issues", "acme/shop#1:implement") is True
        assert store.record_delivery("d-b", "issues", "acme/shop#1:implement") is True
    finally:
        store.close()


def test_audit_entries_keep_who_decided_what_and_why(store: RunStore) -> None:
    run = store.create_run("acme/shop", 7, trigger="label", actor="maintainer")
    store.audit(
        "merge_decision",
        actor="issuebot[bot]",
        repo="acme/shop",
        issue=7,
        run_id=run.id,
        data={"outcome": "needs-review", "rules": {"workflow_changed": False}},
    )
    # The AuditSink shape used by the merge gates: one flat dict.
    store.record(
        {"kind": "merge", "actor": "issuebot[bot]", "repo": "acme/shop", "issue": "7",
         "run_id": run.id, "sha": "abc123"}
    )  # fmt: skip
    store.audit("permission_denied", actor="outsider", repo="acme/shop", issue=8, data={})
    entries = store.audit_entries(run_id=run.id)
    assert [(e.kind, e.issue, e.data) for e in entries] == [
        ("merge_decision", 7, {"outcome": "needs-review", "rules": {"workflow_changed": False}}),
        ("merge", 7, {"sha": "abc123"}),
    ]
    assert [e.kind for e in store.audit_entries(repo="acme/shop", issue=8)] == ["permission_denied"]
