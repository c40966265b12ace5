"""`issuebot demo` is the first thing a new user runs: it must tell the whole story, green.

One run of the demo's story (what the command runs, in this process; `tests/test_packaging.py`
runs the command itself from the built wheel and `tests/bot/test_signals.py` interrupts it),
then one approval of a request without an entity definition (a run that fails) and one scrape
of the bot's own `GET /metrics` over HTTP: every family an alert in `deploy/alerts.yml` reads
must be there with the labels the alert filters on. One story serves both, so the suite pays
for it once.
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass, field

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.demo import DemoReport, run_demo
from bot.demo.story import DEMO_REPO
from bot.emulator.testing import EmulatorHandle
from bot.server.metrics import watch_run_store
from bot.server.stack import RunningBot

pytestmark = pytest.mark.slow
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


@dataclass
class Story:
    """What the demo said, what it reported, and what /metrics showed afterwards."""

    lines: list[str] = field(default_factory=list)
    report: DemoReport = field(default_factory=DemoReport)
    metrics: Samples = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture(scope="module")
def story() -> Story:
    """The demo's story, one failed run, then one scrape of /metrics."""
    told = Story()

    def scrape(gh: EmulatorHandle, bot: RunningBot) -> None:
        _fail_one_run(gh, bot)
        watch_run_store(bot.store)  # what `issuebot serve` does
        with urllib.request.urlopen(f"{bot.url}/metrics", timeout=10) as answer:
            told.metrics = _samples(answer.read().decode())

    run_demo(told.lines.append, timeout=120, report=told.report, inspect=scrape)
    return told


def test_demo_runs_the_request_through_approval_pr_and_auto_merge(story: Story) -> None:
    out = story.text
    assert "labels=['entity-request', 'needs-review']" in out
    assert "feat/issue-1-raw-data-source" in out
    assert story.report.merged and story.report.issue_closed
    assert "issue #1 is closed" in out
    # the reviewer's edit (the seed's `tags` field) reached the generated spec
    assert len(story.report.spec_fields) == 14 and "tags" in story.report.spec_fields
    # the gate explains itself: every rule it checked is listed with its verdict
    decision = out.split("5. merge gate", 1)[1]
    assert "outcome low-risk" in decision
    assert "fail" not in decision


def test_github_operations_are_counted_by_operation_and_status_with_rate_headroom(
    story: Story,
) -> None:
    assert _value(story.metrics, "issuebot_github_requests_total", operation="ensure_pull_request",
                  status="ok") >= 1  # fmt: skip
    assert _value(story.metrics, "issuebot_github_requests_total", operation="merge_pull",
                  status="ok") >= 1  # fmt: skip
    statuses = {labels["status"] for labels, _ in story.metrics["issuebot_github_requests_total"]}
    assert "ok" in statuses
    # the emulator answers like GitHub, with X-RateLimit-Remaining below its 5000 limit
    remaining = _value(story.metrics, "issuebot_github_rate_limit_remaining")
    assert 0 < remaining < 5000


def test_deliveries_runs_failures_steps_and_gate_rules_carry_their_labels(
    story: Story,
) -> None:
    assert _value(story.metrics, "issuebot_deliveries_total", event="issues", outcome="queued") >= 1
    assert _value(story.metrics, "issuebot_runs_total", outcome="succeeded") >= 1
    assert _value(story.metrics, "issuebot_runs_total", outcome="failed") >= 1
    assert _value(story.metrics, "issuebot_run_failures_total", kind="spec-invalid") >= 1
    assert _value(story.metrics, "issuebot_step_duration_seconds_count", step="test") >= 1
    assert _value(story.metrics, "issuebot_gate_decisions_total", outcome="low-risk") >= 1
    rules = {labels["rule"] for labels, _ in story.metrics["issuebot_gate_rules_total"]}
    assert len(rules) >= 5
    assert _value(story.metrics, "issuebot_gate_rules_total", status="pass") >= len(rules)


def test_the_run_store_gauges_show_no_active_run_and_no_incident_after_one_failure(
    story: Story,
) -> None:
    assert story.metrics["issuebot_active_runs"] == [({}, 0.0)]
    assert story.metrics["issuebot_oldest_active_run_age_seconds"] == [({}, 0.0)]
    assert "issuebot_incident_severity" not in story.metrics  # one failure is not an incident
