"""/metrics after one request went end to end on the emulator: every series an operator alerts on.

The demo's story (request → approval → run → PR → green checks → merge-gate merge) plus one
approval of a request without an entity definition (a run that fails), then one scrape of the
bot's own `GET /metrics` over HTTP. Each family must carry the labels an alert rule filters on.
"""

from __future__ import annotations

import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.demo import run_demo
from bot.demo.story import DEMO_REPO
from bot.emulator.testing import EmulatorHandle
from bot.server.metrics import watch_run_store
from bot.server.stack import RunningBot

Samples = dict[str, list[tuple[dict[str, str], float]]]


def _samples(text: str) -> Samples:
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def _value(samples: Samples, name: str, **labels: str) -> float:
    """The sample of ``name`` whose labels include ``labels`` (0 when there is none)."""
    return sum(v for seen, v in samples.get(name, []) if labels.items() <= seen.items())


def _fail_one_run(gh: EmulatorHandle, bot: RunningBot) -> None:
    """An approved request whose body holds no entity definition: its run fails (spec)."""
    repo = gh.github("maintainer").get_repo(DEMO_REPO)
    issue = repo.create_issue("Broken request", "There is no spec in here.",
                              labels=["needs-review", "entity-request"])  # fmt: skip
    issue.remove_from_labels("needs-review")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = bot.store.list_runs(repo=DEMO_REPO, issue=issue.number, limit=1)
        if runs and not runs[0].active:
            return
        time.sleep(0.2)
    pytest.fail("the broken request's run did not finish")


@pytest.fixture(scope="module")
def scraped() -> Samples:
    """One demo story plus one failed run, then one scrape of /metrics."""
    body: list[str] = []

    def scrape(gh: EmulatorHandle, bot: RunningBot) -> None:
        _fail_one_run(gh, bot)
        watch_run_store(bot.store)  # what `issuebot serve` does
        with urllib.request.urlopen(f"{bot.url}/metrics", timeout=10) as answer:
            body.append(answer.read().decode())

    run_demo(lambda _line: None, timeout=120, inspect=scrape)
    return _samples(body[0])


@pytest.mark.slow
def test_github_operations_are_counted_by_operation_and_status_with_rate_headroom(
    scraped: Samples,
) -> None:
    assert _value(scraped, "issuebot_github_requests_total", operation="ensure_pull_request",
                  status="ok") >= 1  # fmt: skip
    assert _value(scraped, "issuebot_github_requests_total", operation="merge_pull",
                  status="ok") >= 1  # fmt: skip
    statuses = {labels["status"] for labels, _ in scraped["issuebot_github_requests_total"]}
    assert "ok" in statuses
    # the emulator answers like GitHub, with X-RateLimit-Remaining below its 5000 limit
    remaining = _value(scraped, "issuebot_github_rate_limit_remaining")
    assert 0 < remaining < 5000


@pytest.mark.slow
def test_deliveries_runs_failures_steps_and_gate_rules_carry_their_labels(
    scraped: Samples,
) -> None:
    assert _value(scraped, "issuebot_deliveries_total", event="issues", outcome="queued") >= 1
    assert _value(scraped, "issuebot_runs_total", outcome="succeeded") >= 1
    assert _value(scraped, "issuebot_runs_total", outcome="failed") >= 1
    assert _value(scraped, "issuebot_run_failures_total", kind="spec-invalid") >= 1
    assert _value(scraped, "issuebot_step_duration_seconds_count", step="test") >= 1
    assert _value(scraped, "issuebot_gate_decisions_total", outcome="low-risk") >= 1
    rules = {labels["rule"] for labels, _ in scraped["issuebot_gate_rules_total"]}
    assert len(rules) >= 5
    assert _value(scraped, "issuebot_gate_rules_total", status="pass") >= len(rules)


@pytest.mark.slow
def test_the_run_store_gauges_show_no_active_run_and_no_incident_after_one_failure(
    scraped: Samples,
) -> None:
    assert scraped["issuebot_active_runs"] == [({}, 0.0)]
    assert scraped["issuebot_oldest_active_run_age_seconds"] == [({}, 0.0)]
    assert "issuebot_incident_severity" not in scraped  # one failure is not an incident
