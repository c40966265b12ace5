"""Every webhook the emulator sends validates against @octokit/webhooks-schemas.

One scripted session triggers each (event, action) the emulator emits; each parametrized
case then checks every delivery of its kind against the schema GitHub's payloads follow.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.emulator import gitrepo
from bot.emulator.testing import start_emulator
from bot.emulator.webhooks import Delivery
from tests.bot.emulator.schemas import validate_webhook
from tests.bot.emulator.world import REPO, World
from tests.plugins.github_data import webhook_examples

R = f"/repos/{REPO}"

EMITTED = [
    ("issues", "opened"),
    ("issues", "edited"),
    ("issues", "labeled"),
    ("issues", "unlabeled"),
    ("issues", "closed"),
    ("issues", "reopened"),
    ("issue_comment", "created"),
    ("issue_comment", "edited"),
    ("issue_comment", "deleted"),
    ("pull_request", "opened"),
    ("pull_request", "edited"),
    ("pull_request", "labeled"),
    ("pull_request", "unlabeled"),
    ("pull_request", "synchronize"),
    ("pull_request", "closed"),
    ("pull_request", "reopened"),
    ("pull_request", "review_requested"),
    ("pull_request", "review_request_removed"),
    ("push", None),
    ("create", None),
    ("delete", None),
    ("check_run", "created"),
    ("check_run", "completed"),
    ("check_suite", "completed"),
    ("status", None),
    ("workflow_run", "completed"),
    ("label", "created"),
    ("label", "edited"),
    ("label", "deleted"),
]


def _script(w: World) -> None:
    """Touch every kind of state change once."""
    client = w.client()
    issue = w.issue(labels=["bug"], body="first body")
    number = issue["number"]
    client.patch(f"{R}/issues/{number}", json={"title": "renamed", "body": "second body"})
    client.delete(f"{R}/issues/{number}/labels/bug")
    client.patch(f"{R}/issues/{number}", json={"state": "closed", "state_reason": "not_planned"})
    client.patch(f"{R}/issues/{number}", json={"state": "open"})
    comment = w.comment(number)
    client.patch(f"{R}/issues/comments/{comment['id']}", json={"body": "edited"})
    client.delete(f"{R}/issues/comments/{comment['id']}")

    pr = w.pull(body=f"Closes #{number}")
    pr_number = pr["number"]
    client.patch(f"{R}/pulls/{pr_number}", json={"title": "better title"})
    client.post(f"{R}/issues/{pr_number}/labels", json={"labels": ["enhancement"]})
    client.delete(f"{R}/issues/{pr_number}/labels/enhancement")
    branch = pr["head"]["ref"]
    client.patch(f"{R}/pulls/{pr_number}", json={"state": "closed"})
    client.patch(f"{R}/pulls/{pr_number}", json={"state": "open"})
    w.gh.add_team(REPO, "core-devs")
    reviewers = f"{R}/pulls/{pr_number}/requested_reviewers"
    client.post(reviewers, json={"reviewers": ["writer"], "team_reviewers": ["core-devs"]})
    gone = {"reviewers": ["writer"], "team_reviewers": ["core-devs"]}
    client.request("DELETE", reviewers, json=gone)
    git_dir = w.gh.git_dir(REPO)
    moved = gitrepo.commit_files(
        git_dir, f"{branch}-next", {"more.txt": b"more"}, "More", pr["head"]["sha"]
    )
    client.patch(f"{R}/git/refs/heads/{branch}", json={"sha": moved})
    client.post(f"{R}/git/refs", json={"ref": "refs/heads/from-api", "sha": moved})
    w.check_run(sha=moved, status="completed", conclusion="success")
    client.post(f"{R}/statuses/{moved}", json={"state": "success", "context": "lint"})
    w.gh.complete_workflow_run(REPO, moved, name="CI", conclusion="success")
    client.put(f"{R}/pulls/{pr_number}/merge", json={"merge_method": "squash"})
    client.delete(f"{R}/git/refs/heads/{branch}")
    client.post(f"{R}/labels", json={"name": "triaged", "color": "cb1f00"})
    client.patch(f"{R}/labels/triaged", json={"new_name": "sorted", "color": "00ff00"})
    client.delete(f"{R}/labels/sorted")


@pytest.fixture(scope="module")
def deliveries() -> Iterator[list[Delivery]]:
    """Every delivery of the scripted session (sent to nowhere: payloads are recorded)."""
    with start_emulator() as gh:
        world = World(gh)
        try:
            _script(world)
            gh.wait_for_delivery("label", "deleted")
            yield gh.deliveries()
        finally:
            world.close()


@pytest.mark.parametrize(("event", "action"), EMITTED, ids=str)
def test_payloads_match_github_webhook_schema(
    deliveries: list[Delivery], event: str, action: str | None
) -> None:
    matching = [d for d in deliveries if d.event == event and d.action == action]
    assert matching, f"the session sent no {event}.{action}"
    for delivery in matching:
        validate_webhook(event, action, delivery.payload)


MAIN_OBJECT = {
    "issues": "issue",
    "issue_comment": "comment",
    "pull_request": "pull_request",
    "check_run": "check_run",
    "check_suite": "check_suite",
    "workflow_run": "workflow_run",
    "label": "label",
}
# Keys a recorded example has only because of how it was recorded (a deployment's check run).
NOT_APPLICABLE = {("check_run", "deployment")}


@pytest.mark.parametrize(("event", "action"), EMITTED, ids=str)
def test_payloads_carry_every_key_of_githubs_recorded_example(
    deliveries: list[Delivery], event: str, action: str | None
) -> None:
    examples = [p for p in webhook_examples().get(event, []) if p.get("action") == action]
    ours = next(d.payload for d in deliveries if d.event == event and d.action == action)
    for example in examples[:1]:  # some actions have no recording; the schema test covers them
        assert set(example) <= set(ours)
        if (main := MAIN_OBJECT.get(event)) is not None:
            wanted = {k for k in example[main] if (main, k) not in NOT_APPLICABLE}
            assert wanted <= set(ours[main])


def test_nothing_is_sent_that_the_schema_test_does_not_cover(
    deliveries: list[Delivery],
) -> None:
    sent = {(d.event, d.action) for d in deliveries}
    assert sent <= set(EMITTED)


def test_label_edits_say_what_each_changed_field_was(deliveries: list[Delivery]) -> None:
    label_events = [(d.action, d.payload) for d in deliveries if d.event == "label"]
    assert [action for action, _ in label_events] == ["created", "edited", "deleted"]
    (_, created), (_, edited), (_, deleted) = label_events
    assert created["label"]["name"] == "triaged"
    assert edited["changes"] == {"name": {"from": "triaged"}, "color": {"from": "cb1f00"}}
    assert edited["label"] == deleted["label"]
    assert (deleted["label"]["name"], deleted["label"]["color"]) == ("sorted", "00ff00")
    assert deleted["sender"]["login"] == "maintainer"
