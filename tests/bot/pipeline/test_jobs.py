"""The queue's entry point: plain payloads in, settings from the environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.errors import CancelledError, NotApprovedError, UsageError
from bot.events.jobs import run_implement, use_wiring
from tests.bot.pipeline.conftest import Target


@pytest.fixture
def env_target(
    make_target: Callable[..., Target], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Target]:
    target = make_target()
    monkeypatch.setenv("GITHUB_API_URL", target.settings.github_api_url)
    monkeypatch.setenv("GITHUB_TOKEN", target.emulator.token("issuebot[bot]"))
    monkeypatch.setenv("DATABASE_URL", target.settings.database_url)
    monkeypatch.setenv("ISSUEBOT_WORK_DIR", str(target.settings.work_dir))
    monkeypatch.setenv("ISSUEBOT_BOT_LOGIN", "issuebot[bot]")
    use_wiring(None)  # a worker process: wiring built from this environment on first job
    yield target
    use_wiring(None)


def test_a_malformed_payload_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="bad implement job payload"):
        run_implement({"repo": "acme/widgets"})


def test_a_run_cancelled_while_queued_is_skipped_quietly(env_target: Target) -> None:
    number = env_target.file_request()
    run = env_target.store.create_run(env_target.full_name, number, trigger="implement",
                                      actor="maintainer")  # fmt: skip
    env_target.store.set_status(run.id, "cancelled", error=CancelledError("cancelled"))

    run_implement({"repo": env_target.full_name, "issue": number, "run_id": run.id})

    assert env_target.store.get_run(run.id).status == "cancelled"  # type: ignore[union-attr]
    assert env_target.store.steps(run.id) == []


def test_a_failing_job_raises_its_typed_error_for_the_queue(env_target: Target) -> None:
    number = env_target.file_request(approve=False)
    with pytest.raises(NotApprovedError):
        run_implement({"repo": env_target.full_name, "issue": number, "trigger": "implement"})
    (run,) = env_target.store.list_runs(repo=env_target.full_name, issue=number)
    assert run.status == "failed" and run.trigger == "implement"
