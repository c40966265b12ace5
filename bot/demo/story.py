"""The demo story: emulated GitHub + webhook server + worker, driven like real users would.

Nothing is called behind the bot's back: the maintainer approves by removing a label through
the REST API, the emulator sends a signed webhook, the server verifies it and queues a job,
the worker runs the pipeline, CI reports checks, and the merge gate decides.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml
from github.Issue import Issue
from github.PullRequest import PullRequest
from github.Repository import Repository

from bot.demo.request import seed_request, with_tags
from bot.demo.workbench import show_workbench
from bot.emulator.seed import default_seed
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.errors import IssuebotError
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.pipeline import Orchestrator
from bot.scaffold import initialised_files
from bot.server.stack import RunningBot, run_bot
from bot.settings import Settings
from bot.store import RunStore
from generators.spec import load_spec

DEMO_REPO = "acme/data-platform"
BOT = "issuebot[bot]"
T = TypeVar("T")


class DemoFailedError(IssuebotError):
    """A step of the demo did not happen in time; the message says which and why."""

    exit_code = 50
    kind = "demo-failed"


@dataclass
class DemoReport:
    """What the demo saw, for the printed story and for tests."""

    repo: str = DEMO_REPO
    issue_number: int = 0
    issue_url: str = ""
    branch: str = ""
    pr_number: int = 0
    pr_url: str = ""
    files: list[str] = field(default_factory=list)
    tests: str = ""
    required_checks: list[str] = field(default_factory=list)
    decision: list[str] = field(default_factory=list)
    merged: bool = False
    issue_closed: bool = False
    spec_fields: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    workbench_url: str | None = None

    def done_so_far(self, elapsed: float) -> str:
        """What an interrupted demo had done: its finished phases and what they produced."""
        phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.timings.items())
        made = [f"issue #{self.issue_number}"] if self.issue_number else []
        made += [f"PR #{self.pr_number} on {self.branch}"] if self.pr_number else []
        made += ["merged"] if self.merged else []
        return (f"interrupted after {elapsed:.1f}s; finished phases: {phases or 'none'}; "
                f"done: {', '.join(made) or 'nothing yet'}; stopping and cleaning up")  # fmt: skip


Say = Callable[[str], None]


def required_check_names(files: dict[str, str]) -> list[str]:
    """The job names of the scaffolded CI workflow: what branch protection requires."""
    workflow = yaml.safe_load(files[".github/workflows/ci.yml"])
    return sorted(str(job.get("name", key)) for key, job in workflow["jobs"].items())


def wait_for(
    what: str, probe: Callable[[], T | None], timeout: float, failed: Callable[[], str | None]
) -> T:
    """Poll ``probe`` until it returns something; stop early when ``failed`` explains why."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        reason = failed()
        if reason:
            raise DemoFailedError(f"{what}: {reason}")
        time.sleep(0.2)
    raise DemoFailedError(f"{what}: nothing after {timeout:.0f} s")


@contextmanager
def _timed(report: DemoReport, phase: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    report.timings[phase] = time.perf_counter() - start


def run_demo(
    say: Say,
    *,
    timeout: float = 120.0,
    report: DemoReport | None = None,
    inspect: Callable[[EmulatorHandle, RunningBot], None] | None = None,
) -> DemoReport:
    """Run the whole story; raises DemoFailedError naming the step that did not happen.

    ``report`` is filled in as the story goes, so an interrupted caller can tell what was done;
    ``inspect`` sees GitHub and the bot after the story, before they stop (tests, metrics).
    """
    report = report if report is not None else DemoReport()
    files = initialised_files()
    report.required_checks = required_check_names(files)
    secret = secrets.token_hex(16)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="issuebot-demo-")))
        with _timed(report, "start"):
            gh = stack.enter_context(start_emulator(default_seed()))
            _seed_target_repo(gh, files, report.required_checks)
            say(f"GitHub emulator on {gh.api_url}; {DEMO_REPO} scaffolded by `issuebot init`")
            settings = Settings.model_validate(_bot_environment(gh, tmp, secret))
            bot = stack.enter_context(run_bot(settings))
            gh.set_webhook(bot.webhook_url, secret)
            say(f"webhook server on {bot.webhook_url} (signed with a fresh secret), worker ready")
        _story(gh, bot.store, report, say, settings=settings, timeout=timeout)
        _settle(gh, bot, timeout)
        with _timed(report, "workbench"):
            merged = gh.github("maintainer").get_repo(DEMO_REPO).get_contents("specs/entities.json")
            assert not isinstance(merged, list)
            spec_text = merged.decoded_content.decode()
            report.workbench_url = show_workbench(spec_text, tmp, stack, say)
        if inspect is not None:
            inspect(gh, bot)
    return report


def _settle(gh: EmulatorHandle, bot: RunningBot, timeout: float) -> None:
    """Let the last webhooks (PR closed, issue closed) be handled before GitHub goes away."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline:
        bot.wait_idle(max(0.0, deadline - time.monotonic()))
        count = len(gh.deliveries())
        if count == seen:
            return
        seen = count
        time.sleep(0.5)


def _seed_target_repo(gh: EmulatorHandle, files: dict[str, str], checks: list[str]) -> None:
    gh.create_target_repo(DEMO_REPO, files)
    gh.set_required_checks(DEMO_REPO, "main", checks)


def _bot_environment(gh: EmulatorHandle, tmp: Path, secret: str) -> dict[str, str]:
    """The operator's environment of a bot installed against the emulator."""
    return {
        "GITHUB_API_URL": gh.api_url,
        "GITHUB_TOKEN": gh.token(BOT),
        "ISSUEBOT_WEBHOOK_SECRET": secret,
        "DATABASE_URL": f"sqlite:///{tmp / 'issuebot.db'}",
        "ISSUEBOT_WORK_DIR": str(tmp / "work"),
        "ISSUEBOT_BOT_LOGIN": BOT,
        "ISSUEBOT_LOG_JSON": "false",
    }


def _story(
    gh: EmulatorHandle,
    store: RunStore,
    report: DemoReport,
    say: Say,
    *,
    settings: Settings,
    timeout: float,
) -> None:
    maintainer_repo = gh.github("maintainer").get_repo(DEMO_REPO)
    with _timed(report, "request"):
        orchestrator = Orchestrator(repo=DEMO_REPO, store=store, settings=settings)
        request = seed_request()
        result = orchestrator.request_feature(**request)
        report.issue_number, report.issue_url = result.number, result.url
        issue = maintainer_repo.get_issue(result.number)
        say(f"1. request filed: issue #{issue.number} {issue.html_url} labels={_labels(issue)}")
        # The seed's review: "add a 'tags' field as JSON array", edited into the issue itself.
        request["entity_definition"] = with_tags(request["entity_definition"])
        issue.edit(body=render_issue_body(FeatureRequest.model_validate(request)))
        say("   review: the maintainer added a `tags` field to the issue (issues.edited)")

    with _timed(report, "approval_to_pr"):
        issue.remove_from_labels("needs-review")
        say("2. maintainer removed `needs-review` → issues.unlabeled webhook → queue → run")
        pr = wait_for(
            "waiting for the pull request",
            lambda: _open_bot_pull(maintainer_repo, result.number),
            timeout,
            lambda: _run_failure(maintainer_repo, store, result.number),
        )
    report.pr_number, report.pr_url, report.branch = pr.number, pr.html_url, pr.head.ref
    run = store.list_runs(repo=DEMO_REPO, issue=result.number, limit=1)[0]
    report.files, report.tests = _run_outputs(store, run.id)
    spec = maintainer_repo.get_contents("specs/entities.json", ref=pr.head.ref)
    assert not isinstance(spec, list)
    report.spec_fields = _entity_fields(spec.decoded_content.decode(), "RawDataSource")
    say(
        f"3. PR #{pr.number} {pr.html_url} on {pr.head.ref}: "
        f"{len(report.files)} files, {report.tests}"
    )

    with _timed(report, "checks_to_merge"):
        for name in report.required_checks:
            gh.post_check(DEMO_REPO, pr.head.sha, name, "success")
        say(
            f"4. CI reported green checks on {pr.head.sha[:7]}: {', '.join(report.required_checks)}"
        )
        merged = wait_for(
            "waiting for the merge gate",
            lambda: _merged(maintainer_repo, pr.number),
            timeout,
            lambda: None,
        )
        report.decision = wait_for(
            "waiting for the merge decision in the audit log",
            lambda: _decision_rules(store, pr.number) or None,
            timeout,
            lambda: None,
        )
    report.merged = merged.merged
    closed = maintainer_repo.get_issue(result.number)
    report.issue_closed = closed.state == "closed"
    say(f"5. merge gate auto-merged PR #{pr.number} as {merged.merge_commit_sha[:7]}; "
        f"issue #{closed.number} is {closed.state}")  # fmt: skip
    for line in report.decision:
        say(f"     {line}")
    if not report.issue_closed:
        raise DemoFailedError(f"issue #{closed.number} is still open after the merge")


def _entity_fields(spec_text: str, entity: str) -> list[str]:
    """Field names of one entity in the branch's specs/entities.json."""
    return [f.name for f in load_spec(spec_text).entity(entity).fields]


def _labels(issue: Issue) -> list[str]:
    return sorted(label.name for label in issue.labels)


def _open_bot_pull(repo: Repository, number: int) -> PullRequest | None:
    for pull in repo.get_pulls(state="open"):
        if pull.head.ref.startswith(f"feat/issue-{number}-"):
            return pull
    return None


def _run_failure(repo: Repository, store: RunStore, number: int) -> str | None:
    runs = store.list_runs(repo=DEMO_REPO, issue=number, limit=1)
    if runs and runs[0].status == "failed":
        return f"the run failed: {runs[0].error_message or runs[0].error_kind}"
    return None


def _merged(repo: Repository, number: int) -> PullRequest | None:
    pull = repo.get_pull(number)
    return pull if pull.merged else None


def _run_outputs(store: RunStore, run_id: str) -> tuple[list[str], str]:
    """The committed files and the test summary, as the run recorded them."""
    outputs = {step.name: step.output for step in store.steps(run_id) if step.outcome == "ok"}
    files = sorted(outputs.get("commit", {}).get("files", []))
    return files, str(outputs.get("test", {}).get("summary", "tests passed"))


def _decision_rules(store: RunStore, pr_number: int) -> list[str]:
    """The merging decision's rules, as the audit log recorded them."""
    entries = [e for e in store.audit_entries(repo=DEMO_REPO, limit=1000)
               if e.kind == "merge-decision" and e.data.get("pr") == pr_number
               and e.data.get("merged")]  # fmt: skip
    if not entries:
        return []
    decision = entries[-1].data
    rules = decision.get("rules", [])
    lines = [f"outcome {decision.get('outcome')} on {str(decision.get('head_sha'))[:7]}"]
    lines += [f"{r.get('status', '?'):>4}  {r.get('rule')}: {r.get('reason')}" for r in rules]
    return lines
