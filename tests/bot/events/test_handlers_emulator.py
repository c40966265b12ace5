"""People use the bot through GitHub: labels and comments on the emulator, its real webhooks.

Each story acts as a real user through PyGithub, takes the webhook the emulator actually
signed and sent, and runs it through `process_event` with the real GitHub layer. Only the
run pipeline is a recording fake of our own `Runner` Protocol (its own tests cover it).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from github.Issue import Issue as PyIssue

from bot.emulator.testing import EmulatorHandle
from bot.events.event import Event
from bot.events.handlers import Outcome, Services
from bot.events.process import process_event
from bot.events.reconcile import reconcile_repo
from bot.events.wiring import StoreDedupe
from bot.github import GitHubRepo, MemoryAuditSink, connect_repo
from bot.issuespec import on_issue_changed, preview_issue
from bot.issuespec.approval import approvals_of
from bot.settings import Settings
from bot.store import RunStore
from tests.plugins.emulator import ReceivedHook, WebhookReceiver

REPO = "acme/widgets"
BOT = "issuebot[bot]"


@dataclass
class RecordingRunner:
    """Our Runner Protocol, recording what the pipeline was asked to do."""

    calls: list[tuple[str, str, int, str]] = field(default_factory=list)
    approvals: list[int | None] = field(default_factory=list)

    def implement(
        self, repo: str, issue: int, actor: str, *, approval_id: int | None = None
    ) -> object:
        self.calls.append(("implement", repo, issue, actor))
        self.approvals.append(approval_id)
        return None

    def retry(self, repo: str, issue: int, actor: str, *, approval_id: int | None = None) -> object:
        self.calls.append(("retry", repo, issue, actor))
        self.approvals.append(approval_id)
        return None

    def cancel(self, repo: str, issue: int, actor: str) -> object:
        self.calls.append(("cancel", repo, issue, actor))
        return None

    def status(self, repo: str, issue: int) -> str:
        return f"no runs yet for #{issue}"

    def evaluate_merge(self, repo: str, pr: int, head_sha: str | None) -> object:
        self.calls.append(("evaluate_merge", repo, pr, head_sha or ""))
        return None


@dataclass
class World:
    """The emulator, the webhooks it sent, the bot's view of the repo, and the fake runner."""

    gh: EmulatorHandle
    hooks: WebhookReceiver
    repo: GitHubRepo
    runner: RecordingRunner
    store: RunStore

    @property
    def services(self) -> Services:
        return Services(self.runner, on_issue_changed, preview_issue, BOT, approvals=self.store)

    def as_user(self, login: str, number: int) -> PyIssue:
        return self.gh.github(login).get_repo(REPO).get_issue(number)

    def deliver(
        self, event: str, action: str, *, after: int = 0, comment_id: int | None = None
    ) -> Outcome:
        """Process the newest matching webhook the emulator sent (after index ``after``)."""
        deadline = time.monotonic() + 10
        while not (hooks := self._since(after, event, action, comment_id)):
            assert time.monotonic() < deadline, f"no {event}.{action} webhook after #{after}"
            time.sleep(0.02)
        parsed = Event.from_http(hooks[-1].headers, hooks[-1].body, self.hooks.secret)
        return process_event(
            parsed,
            repo_for=lambda _name: self.repo,
            services=self.services,
            dedupe=StoreDedupe(self.store),
        )

    def _since(
        self, after: int, event: str, action: str, comment_id: int | None
    ) -> list[ReceivedHook]:
        return [
            h
            for h in self.hooks.received[after:]
            if (h.event, h.action) == (event, action)
            and (comment_id is None or h.payload["comment"]["id"] == comment_id)
        ]

    def comment(self, login: str, number: int, text: str) -> Outcome:
        created = self.as_user(login, number).create_comment(text)
        return self.deliver("issue_comment", "created", comment_id=created.id)

    def bot_comments(self, number: int) -> list[str]:
        return [c.body for c in self.repo.list_comments(number) if c.author == BOT]


@pytest.fixture
def world(
    emulator_with_hooks: tuple[EmulatorHandle, WebhookReceiver], tmp_path: Path
) -> Iterator[World]:
    gh, hooks = emulator_with_hooks
    settings = Settings(
        GITHUB_API_URL=gh.api_url, GITHUB_TOKEN=gh.token(BOT), ISSUEBOT_BOT_LOGIN=BOT
    )
    repo = connect_repo(settings, REPO, MemoryAuditSink())
    store = RunStore.open(f"sqlite:///{tmp_path / 'runs.db'}")
    yield World(gh, hooks, repo, RecordingRunner(), store)
    store.close()


def entity_request(world: World, labels: tuple[str, ...] = ("entity-request",)) -> int:
    issue = (
        world.gh.github("maintainer")
        .get_repo(REPO)
        .create_issue(
            title="RawDataSource entity and API", body="Please add it.", labels=list(labels)
        )
    )
    return issue.number


def test_implement_by_a_writer_starts_a_run_and_acknowledges_with_eyes(world: World) -> None:
    number = entity_request(world)
    outcome = world.comment("writer", number, "Looks right.\n/implement")
    assert outcome.result == "done"
    assert world.runner.calls == [("implement", REPO, number, "writer")]
    comment = world.as_user("writer", number).get_comments().reversed[0]
    assert [r.content for r in comment.get_reactions()] == ["eyes"]


@pytest.mark.parametrize("login", ["reader", "stranger"])
def test_without_write_permission_one_polite_refusal_and_no_run(world: World, login: str) -> None:
    number = entity_request(world)
    first = world.comment(login, number, "/implement")
    second = world.comment(login, number, "/implement")
    assert (first.result, second.result) == ("refused", "refused")
    assert world.runner.calls == []
    refusals = [b for b in world.bot_comments(number) if "need **write** permission" in b]
    assert len(refusals) == 1
    assert login in refusals[0]


def test_the_bots_own_commands_are_ignored(world: World) -> None:
    number = entity_request(world)
    world.repo.upsert_comment(number, "loop-test", "/implement")
    outcome = world.deliver("issue_comment", "created")
    assert outcome.result == "ignored"
    assert world.runner.calls == []
    assert world.bot_comments(number) == [world.repo.list_comments(number)[0].body]


def test_help_and_unknown_commands_get_the_command_list(world: World) -> None:
    number = entity_request(world)
    world.comment("writer", number, "/help")
    world.comment("writer", number, "/deploy-now")
    helps = [b for b in world.bot_comments(number) if "| `/implement` |" in b]
    assert len(helps) == 1  # one help comment, updated in place
    assert "I don't know the command `/deploy-now`" in helps[0]


def test_status_answers_with_the_runs_state_quoted(world: World) -> None:
    number = entity_request(world)
    world.comment("writer", number, "/status")
    [status] = [b for b in world.bot_comments(number) if "`/status`" in b]
    assert f"```text\nno runs yet for #{number}\n```" in status


def test_removing_needs_review_as_a_maintainer_approves(world: World) -> None:
    number = entity_request(world, ("entity-request", "needs-review"))
    world.as_user("maintainer", number).remove_from_labels("needs-review")
    outcome = world.deliver("issues", "unlabeled")
    assert outcome.intent.kind == "implement"
    assert world.runner.calls == [("implement", REPO, number, "maintainer")]


def test_the_same_approval_under_a_new_delivery_id_runs_once(world: World) -> None:
    number = entity_request(world, ("entity-request", "needs-review"))
    world.as_user("maintainer", number).remove_from_labels("needs-review")
    world.deliver("issues", "unlabeled")
    hook = world.hooks.wait_for("issues", "unlabeled")
    headers = {**hook.headers, "X-GitHub-Delivery": "another-id-same-event"}
    duplicate = Event.from_http(headers, hook.body, world.hooks.secret)
    again = process_event(
        duplicate,
        repo_for=lambda _name: world.repo,
        services=world.services,
        dedupe=StoreDedupe(world.store),
    )
    assert again.result == "duplicate"
    assert world.runner.calls == [("implement", REPO, number, "maintainer")]


def test_a_broken_repo_config_is_quoted_back_not_crashed_on(world: World) -> None:
    world.gh.create_repo("acme/broken", {".github/issuebot.yml": "labels: [not, a, mapping\n"})
    world.gh.set_permission("acme/broken", BOT, "write")
    world.gh.set_permission("acme/broken", "writer", "write")
    settings = Settings(
        GITHUB_API_URL=world.gh.api_url, GITHUB_TOKEN=world.gh.token(BOT), ISSUEBOT_BOT_LOGIN=BOT
    )
    world.repo = connect_repo(settings, "acme/broken", MemoryAuditSink())
    issue = world.gh.github("writer").get_repo("acme/broken").create_issue("x", body="y")
    issue.create_comment("/implement")
    outcome = world.deliver("issue_comment", "created")
    assert outcome.result == "config-error"
    assert world.runner.calls == []
    [note] = world.bot_comments(issue.number)
    assert "not valid YAML" in note
    assert "```text" in note


def test_hold_and_unhold_toggle_the_hold_label(world: World) -> None:
    number = entity_request(world)
    world.comment("maintainer", number, "/hold")
    assert "hold" in world.repo.get_issue(number).labels
    world.comment("maintainer", number, "/unhold")
    assert "hold" not in world.repo.get_issue(number).labels


def test_the_reconciler_starts_an_approval_whose_webhook_was_missed(world: World) -> None:
    number = entity_request(world, ("entity-request", "needs-review"))
    world.as_user("maintainer", number).remove_from_labels("needs-review")  # webhook lost
    entity_request(world, ("entity-request", "needs-review"))  # still waiting: left alone
    entity_request(world)  # never reviewed, never approved by anyone: left alone too
    dedupe = StoreDedupe(world.store)

    first = reconcile_repo(world.repo, runs=world.store, services=world.services, dedupe=dedupe)
    again = reconcile_repo(world.repo, runs=world.store, services=world.services, dedupe=dedupe)

    assert [o.intent.number for o in first] == [number]
    assert again == []
    # The approver is read from the issue's event log, and the approval is pinned.
    assert world.runner.calls == [("implement", REPO, number, "maintainer")]
    [approval] = approvals_of(world.store, REPO, number)
    assert world.runner.approvals == [approval.id]
    assert (approval.actor, approval.trigger, approval.body) == (
        "maintainer",
        "reconciler",
        "Please add it.",
    )


def push_branch(world: World, branch: str, tmp_path: Path) -> None:
    """A real commit on a new branch, pushed over the emulator's smart HTTP as the bot."""
    work = tmp_path / "clone"
    url = world.gh.clone_url(REPO, BOT)
    git = ["git", "-c", "user.name=bot", "-c", "user.email=bot@example.com"]
    subprocess.run([*git, "clone", "-q", url, str(work)], check=True)
    (work / "entity.txt").write_text("RawDataSource\n")
    subprocess.run([*git, "-C", str(work), "checkout", "-q", "-b", branch], check=True)
    subprocess.run([*git, "-C", str(work), "add", "."], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-q", "-m", "feat"], check=True)
    subprocess.run([*git, "-C", str(work), "push", "-q", "origin", branch], check=True)


def test_a_merged_bot_pr_gets_the_final_note_and_its_branch_deleted(
    world: World, tmp_path: Path
) -> None:
    number = entity_request(world)
    branch = f"feat/issue-{number}-raw-data-source"
    push_branch(world, branch, tmp_path)
    pull = (
        world.gh.github(BOT)  # the bot's own PR: only those are cleaned up and reported done
        .get_repo(REPO)
        .create_pull(
            title="feat: add RawDataSource entity",
            body=f"Closes #{number}",
            head=branch,
            base="main",
        )
    )
    world.gh.github("maintainer").get_repo(REPO).get_pull(pull.number).merge(merge_method="squash")

    outcome = world.deliver("pull_request", "closed")

    assert outcome.intent.kind == "pr-merged"
    assert world.repo.branch_sha(branch) is None
    [note] = [b for b in world.bot_comments(number) if f"#{pull.number} was merged" in b]
    assert "was deleted" in note
    world.deliver("pull_request", "closed")  # the same job retried: nothing changes
    assert world.bot_comments(number) == [note]


def test_completed_checks_on_a_bot_pr_ask_the_merge_gate_again(
    world: World, tmp_path: Path
) -> None:
    number = entity_request(world)
    branch = f"feat/issue-{number}-raw-data-source"
    push_branch(world, branch, tmp_path)
    pull = (
        world.gh.github("maintainer")
        .get_repo(REPO)
        .create_pull(title="feat", body="", head=branch, base="main")
    )
    sha = pull.head.sha
    world.gh.post_check(REPO, sha, "tests", "success")

    outcome = world.deliver("check_run", "completed")

    assert outcome.intent.kind == "checks-completed"
    assert world.runner.calls == [("evaluate_merge", REPO, pull.number, sha)]


def test_retry_on_the_bots_pull_request_means_its_issue(world: World, tmp_path: Path) -> None:
    number = entity_request(world)
    branch = f"feat/issue-{number}-raw-data-source"
    push_branch(world, branch, tmp_path)
    pull = (
        world.gh.github("maintainer")
        .get_repo(REPO)
        .create_pull(title="feat", body="", head=branch, base="main")
    )
    unapproved = world.comment("writer", pull.number, "/retry")
    assert (unapproved.result, world.runner.calls) == ("ignored", [])
    assert "no approval on record" in unapproved.detail

    world.comment("maintainer", number, "/implement")
    outcome = world.comment("writer", pull.number, "/retry")
    assert outcome.intent.on_pull
    assert world.runner.calls[-1] == ("retry", REPO, number, "writer")
    # The retry builds the issue's recorded approval, the maintainer's.
    assert world.runner.approvals[-1] == world.runner.approvals[0] is not None


def test_retry_on_someone_elses_pull_request_is_explained(world: World, tmp_path: Path) -> None:
    push_branch(world, "fix/typo", tmp_path)
    pull = (
        world.gh.github("maintainer")
        .get_repo(REPO)
        .create_pull(title="typo", body="", head="fix/typo", base="main")
    )
    outcome = world.comment("writer", pull.number, "/retry")
    assert outcome.result == "failed"
    assert world.runner.calls == []
    [note] = world.bot_comments(pull.number)
    assert "not a pull request opened by the bot" in note
