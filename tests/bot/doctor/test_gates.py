"""The pure gates on hand-written facts: the edges the emulator setups do not reach."""

from __future__ import annotations

import pytest

from bot.doctor.facts import credential_kind
from bot.doctor.gates import deliveries, judge, ready
from bot.doctor.model import Delivery, Facts
from bot.settings import Settings

PING_OK = Delivery("ping", 202, "2026-01-01T00:00:00Z")


def test_the_newest_delivery_decides_so_a_rotated_secret_fails_after_a_good_ping() -> None:
    facts = Facts(credential_kind="app", deliveries=[Delivery("issues", 401, "t2"), PING_OK])
    verdict = deliveries(facts)
    assert verdict.status == "fail"
    assert verdict.detail == "the last issues delivery got HTTP 401"
    assert deliveries(Facts(credential_kind="app", deliveries=[PING_OK])).status == "pass"


def test_no_delivery_at_all_asks_for_the_ping_again() -> None:
    verdict = deliveries(Facts(credential_kind="app", deliveries=[]))
    assert verdict.status == "fail" and "redeliver the ping" in verdict.fix


def test_without_credentials_only_host_gates_can_pass() -> None:
    verdicts = {v.gate: v for v in judge(Facts(store_head="0001", store_revision="0001"))}
    assert verdicts["credentials"].status == "fail"
    assert "GITHUB_TOKEN" in verdicts["credentials"].fix
    assert verdicts["store"].status == "pass" and verdicts["sandbox"].status == "pass"
    assert not ready(list(verdicts.values()))


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        ({"GITHUB_TOKEN": "ghp_x"}, "pat"),
        ({"GITHUB_TOKEN": "ghs_x"}, "pat"),  # an installation token handed over by hand
        ({"GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY": "k", "GITHUB_TOKEN": "x"}, "app"),
        ({}, "none"),
    ],
)
def test_the_credential_kind_follows_the_settings(
    env: dict[str, str], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert credential_kind(Settings.model_validate(env)) == kind


def test_a_workflow_token_inside_actions_is_the_actions_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert credential_kind(Settings.model_validate({"GITHUB_TOKEN": "ghs_x"})) == "actions"
