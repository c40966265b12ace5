"""`issuebot doctor` on a real-looking App setup: all green, then each piece broken in turn."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.doctor import Verdict
from tests.bot.doctor.setup import CONFIG, SECRET, Installation, installation


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Installation]:
    """A correctly set-up installation, fresh per test."""
    with installation(tmp_path) as ready:
        yield ready


def failed(verdicts: dict[str, Verdict]) -> set[str]:
    return {name for name, v in verdicts.items() if v.status == "fail"}


def test_a_correct_app_setup_passes_every_gate(setup: Installation) -> None:
    verdicts = setup.doctor()

    assert failed(verdicts) == set(), {k: v.detail for k, v in verdicts.items()}
    assert verdicts["credentials"].detail == "GitHub App valid, acting as issuebot[bot]"
    assert verdicts["webhook-delivery"].detail.startswith("ping accepted")
    assert verdicts["queue"].status == "skip"  # QUEUE_URL unset: nothing to reach


def _no_checks_permission(s: Installation) -> dict[str, str]:
    del s.app.permissions["checks"]
    return {}


def _read_only_contents(s: Installation) -> dict[str, str]:
    s.app.permissions["contents"] = "read"
    return {}


def _no_workflow_run_event(s: Installation) -> dict[str, str]:
    s.app.events.remove("workflow_run")
    return {}


def _not_installed(s: Installation) -> dict[str, str]:
    s.app.repos.clear()
    return {}


def _unprotected_branch(s: Installation) -> dict[str, str]:
    s.repo.protection.clear()
    return {}


def _one_check_short(s: Installation) -> dict[str, str]:
    s.repo.protection["main"] = [c for c in s.repo.protection["main"] if c != "generated-code"]
    return {}


def _wrong_secret(s: Installation) -> dict[str, str]:
    s.gh.set_webhook(s.webhook_url, "not-the-server-secret")
    s.ping()
    return {}


def _unreachable_url(s: Installation) -> dict[str, str]:
    s.gh.set_webhook("http://127.0.0.1:9/webhook", SECRET)
    s.ping()
    return {}


def _no_secret_on_github(s: Installation) -> dict[str, str]:
    s.gh.set_webhook(s.webhook_url, None)
    return {}


def _bad_config(s: Installation) -> dict[str, str]:
    s.commit(CONFIG, "version: 1\nrisk:\n  merge_method: yolo\n")
    return {}


def _no_sandbox(_s: Installation) -> dict[str, str]:
    return {"ISSUEBOT_BWRAP": "/nonexistent/bwrap"}


def _store_down(_s: Installation) -> dict[str, str]:
    return {"DATABASE_URL": "postgresql+psycopg://issuebot@127.0.0.1:9/issuebot"}


def _queue_down(_s: Installation) -> dict[str, str]:
    return {"QUEUE_URL": "redis://127.0.0.1:9/0"}


BROKEN: list[tuple[Callable[[Installation], dict[str, str]], str, str]] = [
    (_no_checks_permission, "app-permissions", "checks: write"),
    (_no_workflow_run_event, "app-events", "workflow_run"),
    (_not_installed, "installation", "not installed on acme/widgets"),
    (_unprotected_branch, "branch-protection", "generated-code"),
    (_one_check_short, "branch-protection", "generated-code"),
    (_wrong_secret, "webhook-delivery", "HTTP 401"),
    (_unreachable_url, "webhook-delivery", "no answer"),
    (_no_secret_on_github, "webhook", "no secret"),
    (_bad_config, "repo-config", "merge_method"),
    (_no_sandbox, "sandbox", "/nonexistent/bwrap not found"),
    (_store_down, "store", "unreachable"),
    (_queue_down, "queue", "unreachable"),
]


@pytest.mark.parametrize(
    ("breaks", "gate", "says"), BROKEN, ids=[b.__name__.strip("_") for b, _, _ in BROKEN]
)
def test_each_broken_piece_fails_exactly_its_gate_with_a_fix(
    setup: Installation, breaks: Callable[[Installation], dict[str, str]], gate: str, says: str
) -> None:
    verdicts = setup.doctor(breaks(setup))

    assert failed(verdicts) == {gate}, {k: v.detail for k, v in verdicts.items()}
    assert says in verdicts[gate].detail
    assert verdicts[gate].fix


def test_read_only_contents_fails_the_permission_and_merge_gates(setup: Installation) -> None:
    verdicts = setup.doctor(_read_only_contents(setup))

    assert failed(verdicts) == {"app-permissions", "can-merge"}
    assert "contents: write" in verdicts["app-permissions"].detail


def test_missing_labels_fail_and_fix_creates_them(setup: Installation) -> None:
    for name in ("approved", "hold"):
        key = setup.repo.label_key(name)
        assert key is not None
        del setup.repo.labels[key]

    before = setup.doctor()
    assert failed(before) == {"labels"}
    assert "approved, hold" in before["labels"].detail

    fixed = setup.doctor(fix=True)
    assert failed(fixed) == set()
    assert "created approved, hold" in fixed["labels"].detail
    assert setup.repo.labels["approved"].color == "0e8a16"
    assert failed(setup.doctor()) == set()  # fixed for good, nothing created twice


def test_with_a_token_the_app_gates_do_not_apply_and_the_repo_gates_still_run(
    setup: Installation,
) -> None:
    env = {k: v for k, v in setup.env.items() if not k.startswith("GITHUB_APP_")}
    verdicts = setup.doctor(env | {"GITHUB_TOKEN": setup.gh.token("writer")}, replace=True)

    assert failed(verdicts) == set(), {k: v.detail for k, v in verdicts.items()}
    assert verdicts["credentials"].detail == "token (PAT) valid, acting as writer"
    skipped = {name for name, v in verdicts.items() if v.status == "skip"}
    assert skipped == {"app-permissions", "app-events", "webhook", "webhook-delivery", "queue"}


def test_an_actions_token_is_checked_without_asking_who_it_is(
    setup: Installation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    env = {k: v for k, v in setup.env.items() if not k.startswith("GITHUB_APP_")}
    before = len(setup.gh.requests())
    verdicts = setup.doctor(env | {"GITHUB_TOKEN": "ghs_issuebot_bot_token"}, replace=True)

    assert (
        verdicts["credentials"].detail
        == "Actions GITHUB_TOKEN valid, acting as github-actions[bot]"
    )
    asked = {r.path for r in setup.gh.requests()[before:]}
    assert "/rate_limit" in asked and "/user" not in asked  # /user is 403 for this kind
    revoked = setup.doctor(env | {"GITHUB_TOKEN": "ghs_revoked"}, replace=True)
    assert "HTTP 401" in revoked["credentials"].detail
