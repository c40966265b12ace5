"""`/hold` and `/unhold` are about the request, wherever they are said (emulator, real handlers)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import RepoConfig
from bot.events.handlers import Outcome, Services, handle
from bot.events.router import Intent
from bot.events.wiring import PipelineRunner
from bot.gates.merge import evaluate_pull, load_config
from bot.github import GitHubRepo
from bot.github.models import CombinedStatus
from bot.issuespec import on_issue_changed, preview_issue
from bot.locks import SqlLockManager
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.gates.botpr import BOT, CHECKS, TargetRepo, evaluate, git, new_entity_files, write


def settings_for(target: TargetRepo, tmp_path: Path) -> Settings:
    return Settings(
        GITHUB_API_URL=target.gh.api_url,
        GITHUB_TOKEN=target.gh.token(BOT),
        DATABASE_URL=f"sqlite:///{tmp_path / 'runs.db'}",
        ISSUEBOT_BOT_LOGIN=BOT,
    )


def say(
    target: TargetRepo, store: RunStore, tmp_path: Path, login: str, number: int, text: str
) -> Outcome:
    """A user comments a command; the bot's handler acts on it as the webhook worker would."""
    comment = target.gh.github(login).get_repo(target.name).get_issue(number).create_comment(text)
    repo = target.bot_repo(store)
    runner = PipelineRunner(settings_for(target, tmp_path), store, lambda _name: repo)
    services = Services(runner, on_issue_changed, preview_issue, BOT)
    is_pull = comment.html_url.split("#")[0].rsplit("/", 2)[-2] == "pull"
    intent = Intent(
        kind=text.strip().lstrip("/"),  # type: ignore[arg-type]
        repo=target.name,
        number=number,
        actor=login,
        comment_id=comment.id,
        on_pull=is_pull,
    )
    return handle(intent, repo, load_config(repo), services)


def decision_comment(target: TargetRepo, pr: int) -> str:
    bodies = [c.body for c in target.upstream().get_issue(pr).get_comments()]
    return next(b for b in bodies if "issuebot gate" in b)


def test_hold_on_the_issue_keeps_its_green_pr_unmerged_until_unhold_merges_it_at_once(
    target: TargetRepo, store: RunStore, tmp_path: Path
) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    assert say(target, store, tmp_path, "maintainer", issue, "/hold").result == "done"
    target.green(head, *CHECKS)

    held = evaluate(target, store, pr)

    assert held.outcome == "blocked"
    assert [r.rule for r in held.failed] == ["not-held"]
    assert not target.upstream().get_pull(pr).merged
    body = decision_comment(target, pr)
    assert f"label 'hold' on issue #{issue}" in body
    assert f"/hold by @maintainer on issue #{issue}" in body

    # no CI event follows: `/unhold` itself lets the gate decide again
    assert say(target, store, tmp_path, "maintainer", issue, "/unhold").result == "done"

    assert target.upstream().get_pull(pr).merged
    assert "hold" not in {label.name for label in target.upstream().get_issue(issue).labels}


def test_hold_on_the_pr_is_lifted_by_unhold_on_the_issue(
    target: TargetRepo, store: RunStore, tmp_path: Path
) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, *CHECKS)
    say(target, store, tmp_path, "maintainer", pr, "/hold")
    assert evaluate(target, store, pr).outcome == "blocked"
    assert "on pull request" in decision_comment(target, pr)

    say(target, store, tmp_path, "maintainer", issue, "/unhold")

    pull = target.upstream().get_pull(pr)
    assert pull.merged
    assert "hold" not in {label.name for label in pull.labels}


def test_a_hold_from_someone_without_write_access_holds_nothing(
    target: TargetRepo, store: RunStore
) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, *CHECKS)
    target.gh.github("reader").get_repo(target.name).get_issue(issue).create_comment("/hold")
    assert evaluate(target, store, pr).outcome == "low-risk"


@dataclass
class HoldWhileDeciding:
    """Our GitHubRepo, unchanged, except that a maintainer says `/hold` mid-decision."""

    repo: GitHubRepo
    target: TargetRepo
    issue: int
    said: bool = False

    def combined_status(self, ref: str) -> CombinedStatus:
        status = self.repo.combined_status(ref)  # the gate reads checks after the holds
        if not self.said:
            self.said = True
            gh = self.target.gh.github("maintainer").get_repo(self.target.name)
            gh.get_issue(self.issue).create_comment("/hold: launch freeze")
            gh.get_issue(self.issue).create_comment("/hold")
        return status

    def __getattr__(self, name: str) -> Any:
        return getattr(self.repo, name)


def test_a_hold_said_while_the_gate_decides_wins_over_the_merge(
    target: TargetRepo, store: RunStore
) -> None:
    issue = target.open_request()
    pr, head = target.open_bot_pr(issue, new_entity_files())
    target.green(head, *CHECKS)
    repo = HoldWhileDeciding(target.bot_repo(store), target, issue)

    decision = evaluate_pull(
        repo,  # type: ignore[arg-type]
        pr,
        RepoConfig.model_validate({"risk": {"required_checks": list(CHECKS)}}),
        audit=store,
        locks=SqlLockManager(store),
        bot_login=BOT,
        runs=store,
    )

    assert repo.said
    assert decision.outcome == "blocked"
    assert not target.upstream().get_pull(pr).merged
    assert f"/hold by @maintainer on issue #{issue}" in decision_comment(target, pr)


def test_a_merged_pr_not_opened_by_the_bot_on_a_bot_named_branch_is_never_cleaned_up_or_done(
    target: TargetRepo, store: RunStore, tmp_path: Path
) -> None:
    issue = target.open_request()
    _, bots = target.open_bot_pr(issue, new_entity_files())
    bot_branch = f"feat/issue-{issue}-raw-data-source"
    theirs = f"feat/issue-{issue}-x"
    head = target.push_branch(theirs, {"notes.md": "mine\n"}, "notes", by_bot=False)
    gh = target.gh.github("writer").get_repo(target.name)
    pull = gh.create_pull(title="notes", body=f"Closes #{issue}", head=theirs, base="main")
    target.green(head, *CHECKS)
    target.upstream().get_pull(pull.number).merge(merge_method="merge")
    merged = Intent(
        kind="pr-merged",
        repo=target.name,
        number=issue,
        actor="maintainer",
        head_sha=head,
        branch=theirs,
        pr_numbers=(pull.number,),
    )
    repo = target.bot_repo(store)
    services = Services(PipelineRunner(settings_for(target, tmp_path), store, lambda _n: repo),
                        on_issue_changed, preview_issue, BOT)  # fmt: skip

    outcome = handle(merged, repo, load_config(repo), services)

    assert "not the bot's own pull request" in outcome.detail
    assert repo.branch_sha(theirs) == head and repo.branch_sha(bot_branch) == bots
    notes = [c.body for c in target.upstream().get_issue(issue).get_comments()]
    assert not [n for n in notes if "was merged" in n]


def test_a_merged_fork_pr_named_like_the_bots_branch_deletes_nothing_and_reports_nothing(
    target: TargetRepo, store: RunStore, tmp_path: Path
) -> None:
    issue = target.open_request()
    _, bots = target.open_bot_pr(issue, new_entity_files())
    branch = f"feat/issue-{issue}-raw-data-source"  # the very name of the bot's branch
    fork = target.gh.fork_repo(target.name, "writer")
    work = tmp_path / "fork"
    url = target.gh.clone_url(fork, "writer")
    git(tmp_path, "clone", "-q", url, str(work))
    git(work, "checkout", "-q", "-b", branch, "origin/main")
    write(work, {"docs/fork.md": "from a fork\n"})
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "docs")
    git(work, "push", "-q", "-f", "origin", branch)  # the fork copied the bot's branch too
    upstream = target.gh.github("writer").get_repo(target.name)
    pull = upstream.create_pull(
        title="docs", body=f"Closes #{issue}", head=f"writer:{branch}", base="main"
    )
    assert pull.head.repo.full_name == fork and pull.head.ref == branch
    target.green(pull.head.sha, *CHECKS)
    target.upstream().get_pull(pull.number).merge(merge_method="merge")
    merged = Intent(
        kind="pr-merged",
        repo=target.name,
        number=issue,
        actor="maintainer",
        head_sha=pull.head.sha,
        branch=branch,
        pr_numbers=(pull.number,),
    )  # fmt: skip  (what the router makes of the pull_request.closed webhook)
    repo = target.bot_repo(store)
    services = Services(PipelineRunner(settings_for(target, tmp_path), store, lambda _n: repo),
                        on_issue_changed, preview_issue, BOT)  # fmt: skip

    outcome = handle(merged, repo, load_config(repo), services)

    assert "not the bot's own pull request" in outcome.detail
    assert repo.branch_sha(branch) == bots  # the bot's branch of that name is untouched
    notes = [c.body for c in target.upstream().get_issue(issue).get_comments()]
    assert not [n for n in notes if "was merged" in n]
