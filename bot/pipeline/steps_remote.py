"""Steps 7-9: push the bot's branch, open or update the PR, report on the issue.

Every write here is idempotent (leased push, ``ensure_pull_request``, marked comments, a
check run found by name before one is created), so redoing a step after a crash is safe.
"""

from __future__ import annotations

from bot.errors import GitError
from bot.gates.heads import pushed_shas
from bot.github.models import CheckOutput
from bot.gitops import ls_remote
from bot.issuespec.approval import require_still_approved
from bot.pipeline import texts
from bot.pipeline.model import Output, RunContext, Step
from bot.pipeline.render import CHECK_NAME


# 7. push -------------------------------------------------------------------------------------
def push(ctx: RunContext) -> Output:
    """Push the run's commit to its branch, never over someone else's commits.

    When the branch already holds exactly these files in a commit the bot pushed before,
    nothing is pushed: moving the head would only restart CI on a PR that is up to date.
    The recorded sha is then that earlier commit, the one the merge gate must see as head.
    """
    ws = ctx.workspace()
    branch = ctx.outputs["workspace"]["branch"]
    base = ctx.outputs["workspace"]["base"]
    sha = ctx.outputs["commit"]["sha"]
    approval_id = ctx.outputs["verify"].get("approval_id")
    if approval_id is not None:  # an edit since verify revokes the approval: push nothing
        require_still_approved(ctx.gh, ctx.store, ctx.issue, approval_id, ctx.config.labels)
    remote = ws.remote_branch_sha(branch)
    if remote is not None and remote != sha and _already_pushed(ctx, branch, remote, sha):
        check = _ensure_check_run(ctx, remote)
        return {"branch": branch, "sha": remote, "check_run_id": check, "up_to_date": True}
    if remote != sha:
        foreign = ws.foreign_commits(branch, base, ctx.identity)
        if foreign:
            raise GitError(
                f"branch {branch} gained commits not authored by the bot; refusing to overwrite",
                hint="delete the branch or move those commits elsewhere, then /retry",
            )
        ws.push(branch, expected_remote=remote, protected=base)
    check = _ensure_check_run(ctx, sha)
    return {"branch": branch, "sha": sha, "check_run_id": check}


def _already_pushed(ctx: RunContext, branch: str, remote: str, sha: str) -> bool:
    """The remote head is a commit of an earlier bot run with the same tree as ours."""
    if remote not in pushed_shas(ctx.store, ctx.run.repo, branch):
        return False
    return ctx.workspace().same_tree(branch, sha)


def push_holds(ctx: RunContext, out: Output) -> bool:
    """The remote branch still points at the commit we pushed."""
    return bool(ls_remote(ctx.url(), out["branch"]) == out["sha"])


def _ensure_check_run(ctx: RunContext, sha: str) -> int:
    """The run's check on ``sha``: found by name first, so a redo never makes a second."""
    for check in ctx.gh.list_check_runs(sha):
        if check.name == CHECK_NAME:
            return check.id
    output = CheckOutput(
        title="Tests passed; opening the pull request",
        summary=ctx.outputs["test"]["summary"],
    )
    return ctx.gh.create_check_run(
        name=CHECK_NAME, head_sha=sha, status="in_progress", output=output
    ).id


# 8. pull request -----------------------------------------------------------------------------
def pull_request(ctx: RunContext) -> Output:
    """Create or update the one PR for the branch: linked, summarised, labelled."""
    labels = ctx.config.labels
    pr = ctx.gh.ensure_pull_request(
        head=ctx.outputs["push"]["branch"],
        base=ctx.outputs["workspace"]["base"],
        title=texts.pr_title(ctx),
        body=texts.pr_body(ctx),
        labels=[labels.entity_request, labels.bot_generated],
    )
    return {"number": pr.number, "url": pr.html_url, "head_sha": pr.head_sha}


def pull_request_holds(ctx: RunContext, out: Output) -> bool:
    """The PR is still open on the pushed commit."""
    pr = ctx.gh.get_pull(out["number"])
    return pr.state == "open" and pr.head_sha == ctx.outputs["push"]["sha"]


# 9. report -----------------------------------------------------------------------------------
def report(ctx: RunContext) -> Output:
    """Complete the check run, swap the labels; the executor writes the final summary."""
    labels = ctx.config.labels
    sha = ctx.outputs["push"]["sha"]
    check_id = ctx.outputs["push"].get("check_run_id") or _ensure_check_run(ctx, sha)
    test_out = ctx.outputs["test"]
    ctx.gh.update_check_run(
        check_id,
        status="completed",
        conclusion="success",
        output=CheckOutput(
            title=f"Tests passed: {test_out['summary']}",
            summary=texts.check_summary(ctx),
            text=texts.check_text(ctx),
        ),
    )
    ctx.gh.add_labels(ctx.issue, [labels.pr_opened])
    ctx.gh.remove_label(ctx.issue, labels.in_progress)
    ctx.gh.remove_label(ctx.issue, labels.bot_failed)
    return {"check_run_id": check_id, "pr": ctx.outputs["pull_request"]["number"]}


def _never(_ctx: RunContext, _out: Output) -> bool:
    return False


REMOTE_STEPS: tuple[Step, ...] = (
    Step("push", push, push_holds),
    Step("pull_request", pull_request, pull_request_holds),
    Step("report", report, _never),
)
