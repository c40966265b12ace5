"""Deliveries look like Hookshot's: signed, ordered, recorded, and redeliverable by id."""

from __future__ import annotations

import hashlib
import hmac

import httpx

from bot.emulator.testing import EmulatorHandle
from tests.plugins.emulator import WebhookReceiver


def test_each_delivery_is_signed_over_the_exact_body(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver],
) -> None:
    gh, receiver = emulator_with_hooks
    gh.github("writer").get_repo("acme/widgets").create_issue("Signed")
    hook = receiver.wait_for("issues", "opened")
    expected = hmac.new(receiver.secret.encode(), hook.body, hashlib.sha256).hexdigest()
    assert hook.headers["X-Hub-Signature-256"] == f"sha256={expected}"
    assert hook.headers["Content-Type"] == "application/json"
    assert hook.headers["User-Agent"].startswith("GitHub-Hookshot/")
    assert hook.headers["X-GitHub-Hook-Installation-Target-Type"] == "repository"
    assert hook.payload["sender"]["login"] == "writer"
    assert hook.payload["installation"]["id"] == gh.installation_id()
    assert hook.payload["organization"]["login"] == "acme"


def test_deliveries_arrive_in_the_order_things_happened(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver],
) -> None:
    gh, receiver = emulator_with_hooks
    issue = gh.github("maintainer").get_repo("acme/widgets").create_issue("Order", labels=["bug"])
    issue.create_comment("first")
    issue.edit(state="closed")
    receiver.wait_for("issues", "closed")
    kinds = [f"{h.event}.{h.action}" for h in receiver.received]
    assert kinds == [
        "issues.opened",
        "issues.labeled",
        "issue_comment.created",
        "issues.closed",
    ]


def test_the_emulator_records_what_the_receiver_answered(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver],
) -> None:
    gh, receiver = emulator_with_hooks
    gh.github("writer").get_repo("acme/widgets").create_issue("Recorded")
    delivery = gh.wait_for_delivery("issues", "opened")
    assert delivery.status_code == 202
    assert delivery.url == receiver.url
    assert delivery.payload["issue"]["title"] == "Recorded"


def test_a_wrong_secret_is_visible_to_the_receiver(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver],
) -> None:
    gh, receiver = emulator_with_hooks
    gh.set_webhook(receiver.url, "not-the-secret")
    gh.github("writer").get_repo("acme/widgets").create_issue("Forged?")
    assert receiver.wait_for("issues", "opened").signature_ok is False
    assert gh.wait_for_delivery("issues", "opened").status_code == 401


def test_redelivery_resends_the_same_guid_and_body(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver],
) -> None:
    gh, receiver = emulator_with_hooks
    gh.github("writer").get_repo("acme/widgets").create_issue("Again")
    original = gh.wait_for_delivery("issues", "opened")
    again = gh.redeliver(original.id)
    gh.wait_for_delivery("issues", "opened", predicate=lambda d: d.redelivery)
    hooks = [h for h in receiver.received if h.event == "issues"]
    assert [h.delivery_id for h in hooks] == [original.id, original.id]
    assert hooks[0].body == hooks[1].body
    assert again.redelivery and len(gh.deliveries()) == 2


def test_an_unreachable_receiver_is_recorded_not_fatal(emulator: EmulatorHandle) -> None:
    emulator.set_webhook("http://127.0.0.1:9/nowhere", "s")
    emulator.github("writer").get_repo("acme/widgets").create_issue("Lost")
    delivery = emulator.wait_for_delivery("issues", "opened")
    assert delivery.status_code is None
    assert delivery.error


def test_admin_api_lists_and_redelivers(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver],
) -> None:
    gh, receiver = emulator_with_hooks
    gh.github("writer").get_repo("acme/widgets").create_issue("Via admin")
    gh.wait_for_delivery("issues", "opened")
    listed = httpx.get(f"{gh.api_url}/_emulator/deliveries").json()
    assert [(d["event"], d["action"]) for d in listed] == [("issues", "opened")]
    answer = httpx.post(f"{gh.api_url}/_emulator/deliveries/{listed[0]['id']}/redeliver")
    assert answer.status_code == 202
    gh.wait_for_delivery("issues", predicate=lambda d: d.redelivery)
    assert len([h for h in receiver.received if h.delivery_id == listed[0]["id"]]) == 2


def test_labelling_with_an_unknown_label_creates_it_and_announces_it_first(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver],
) -> None:
    gh, receiver = emulator_with_hooks
    issue = gh.github("maintainer").get_repo("acme/widgets").create_issue("Needs a new label")
    issue.add_to_labels("needs-spec")
    created = receiver.wait_for("label", "created")
    assert created.payload["label"]["name"] == "needs-spec"
    labeled = receiver.wait_for("issues", "labeled")
    assert labeled.payload["label"]["id"] == created.payload["label"]["id"]
    order = [(h.event, h.action) for h in receiver.received]
    assert order.index(("label", "created")) < order.index(("issues", "labeled"))
