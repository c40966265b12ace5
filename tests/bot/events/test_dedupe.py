"""A duplicate event (new delivery id, same meaning) is handled once; a retried job goes on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.events.wiring import StoreDedupe
from bot.store import RunStore


@pytest.fixture
def dedupe(tmp_path: Path) -> Iterator[StoreDedupe]:
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    yield StoreDedupe(store)
    store.close()


def test_the_first_delivery_holds_the_key_and_a_second_delivery_does_not(
    dedupe: StoreDedupe,
) -> None:
    assert dedupe.claim("o/r#1:implement:abc", "delivery-a")
    assert not dedupe.claim("o/r#1:implement:abc", "delivery-b")


def test_a_retried_job_of_the_same_delivery_keeps_its_claim(dedupe: StoreDedupe) -> None:
    assert dedupe.claim("o/r#1:implement:abc", "delivery-a")
    assert dedupe.claim("o/r#1:implement:abc", "delivery-a")


def test_a_losing_delivery_stays_a_loser_when_retried(dedupe: StoreDedupe) -> None:
    dedupe.claim("k", "delivery-a")
    assert not dedupe.claim("k", "delivery-b")
    assert not dedupe.claim("k", "delivery-b")


def test_different_keys_do_not_interfere(dedupe: StoreDedupe) -> None:
    assert dedupe.claim("o/r#1:status:comment-1", "delivery-a")
    assert dedupe.claim("o/r#1:status:comment-2", "delivery-b")
