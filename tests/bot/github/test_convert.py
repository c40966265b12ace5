"""GitHub's own recorded payloads convert into the bot's records."""

from __future__ import annotations

from bot.github import convert
from tests.plugins.github_data import webhook_example


def test_an_issue_payload_becomes_an_issue() -> None:
    data = webhook_example("issues", "labeled")["issue"]
    issue = convert.issue(data)
    assert issue.number == data["number"]
    assert issue.author == data["user"]["login"]
    assert issue.labels == tuple(label["name"] for label in data["labels"])
    assert not convert.is_pull_request(data)


def test_a_pull_request_payload_becomes_a_pull_request() -> None:
    data = webhook_example("pull_request", "opened")["pull_request"]
    pr = convert.pull(data)
    assert (pr.number, pr.head_ref, pr.base_ref) == (
        data["number"],
        data["head"]["ref"],
        data["base"]["ref"],
    )
    assert pr.head_sha == data["head"]["sha"]
    assert pr.merged is False


def test_a_comment_and_a_check_run_convert() -> None:
    comment = webhook_example("issue_comment", "created")["comment"]
    assert convert.comment(comment).author == comment["user"]["login"]
    run = webhook_example("check_run", "completed")["check_run"]
    converted = convert.check_run(run)
    assert (converted.name, converted.conclusion) == (run["name"], run["conclusion"])
