"""Failures reach people: the approver is named, a failing streak is an incident, success ends it.

Five requests in a row fail at the test gate of a repository whose own test is broken; the
operator's notification URL is apprise's `json://` pointed at a local receiver.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.errors import TestsFailedError
from bot.github.markers import marker_tag
from tests.bot.incidents.test_tracker import Receiver
from tests.bot.pipeline.conftest import WIDGET, Target, scaffold

# The repository's own test fails for every entity named Broken*: a team's real regression.
GUARD = (
    "from pathlib import Path\n\n\n"
    "def test_no_broken_entities():\n"
    "    assert 'Broken' not in Path('specs/entities.json').read_text()\n"
)


def quick_config() -> str:
    """The scaffolded config, running only the repository's own test (the gate is what counts)."""
    text = scaffold()[".github/issuebot.yml"]
    default = 'command: [python, -m, pytest, -q, -p, "no:cacheprovider"]'
    text = text.replace(default, default[:-1] + ", tests/test_guard.py]")
    return text.replace("coverage_min: 90", "coverage_min: 0")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


def test_five_failures_in_a_row_open_then_escalate_one_incident_and_a_success_closes_it(
    make_target: Callable[..., Target], receiver: Receiver
) -> None:
    target = make_target({"tests/test_guard.py": GUARD, ".github/issuebot.yml": quick_config()})
    target.settings = target.settings.model_copy(update={"notify_urls": receiver.url("ops")})
    bot = target.bot

    for n, letter in enumerate("ABCDE", start=1):
        number = target.file_request({**WIDGET, "name": f"Broken{letter}"})
        with pytest.raises(TestsFailedError):
            target.orchestrator().implement_issue(number, actor="maintainer")
        comments = [c.body for c in bot.list_comments(number)]
        [diagnosis] = [c for c in comments if c.startswith(marker_tag("run-diagnosis"))]
        assert "@maintainer, the run you started stopped at the test gate" in diagnosis
        incidents = bot.list_open_issues(label="issuebot-incident")
        if n < 3:
            assert incidents == () and receiver.posts == []
        elif n < 5:
            [incident] = incidents
            assert "Degraded" in incident.body and f"{n}** runs failed" in incident.body
            assert len(receiver.posts) == 1 and "DEGRADED" in receiver.posts[0]["message"]
        else:
            [incident] = incidents
            assert "Critical" in incident.body
            assert [p["message"].split(":")[0] for p in receiver.posts] == ["DEGRADED", "CRITICAL"]

    fixed = target.file_request(WIDGET)
    assert target.orchestrator().implement_issue(fixed, actor="maintainer").status == "succeeded"
    assert bot.list_open_issues(label="issuebot-incident") == ()
    assert bot.get_issue(incident.number).state == "closed"
    assert [p["type"] for p in receiver.posts] == ["failure", "failure", "success"]
