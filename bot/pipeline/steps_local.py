"""Steps 1-6: verify the request, prepare the workspace, write spec and code, test, commit.

Each step returns a small JSON-able output that the store records; its ``holds`` twin says
whether that output is still true (so a resumed run can skip it) by looking at the world,
never by trusting the record alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.codegen import write_generated
from bot.errors import (
    GenerationError,
    GitError,
    NotApprovedError,
    PermissionDeniedError,
    SpecError,
    TestsFailedError,
)
from bot.gates.migration_ops import is_revision_file, summarize
from bot.github.approvers import check_approver
from bot.gitops import branch_name, commit_message, ls_remote
from bot.gitops.workspace import Workspace
from bot.issuespec.approval import pinned_approval, spec_hash
from bot.issuespec.change import EntityChange, spec_after
from bot.issuespec.parse import parse_issue_body
from bot.issuespec.preview import current_spec
from bot.migrations import generate_with_history
from bot.observability import redact as redact_registered
from bot.pipeline.model import Output, RunContext, Step
from bot.testgate import Redactor, TestReport, interpreter_for, resolve_sandbox, run_tests
from generators.spec import Entity, SpecFile, dump_spec, load_spec


class TestGateError(TestsFailedError):
    """The hard gate said no; ``report`` holds the (redacted) result for the diagnosis."""

    __test__ = False

    def __init__(self, report: TestReport) -> None:
        diagnosis = report.diagnosis()
        detail = report.summary()
        if diagnosis.kind == "coverage":
            detail += f", coverage {report.coverage}% < {report.coverage_min}%"
        super().__init__(
            f"{diagnosis.title} ({detail})",
            hint="fix the failing tests on the default branch, then comment /retry",
        )
        self.report = report


def tree_digest(root: Path, paths: list[str]) -> str:
    """One hash over the content of ``paths`` (a missing file hashes as absent)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        target = root / path
        content = target.read_bytes() if target.is_file() else b"\0absent"
        digest.update(path.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


# 1. verify -----------------------------------------------------------------------------------
def verify(ctx: RunContext) -> Output:
    """The issue exists, is an open, approved entity request, and its spec is valid."""
    labels = ctx.config.labels
    issue = ctx.gh.get_issue(ctx.issue)
    if issue.state != "open":
        raise NotApprovedError(f"issue #{ctx.issue} is {issue.state}", hint="reopen it first")
    if labels.entity_request not in issue.labels:
        raise NotApprovedError(
            f"issue #{ctx.issue} is not an entity request (no {labels.entity_request!r} label)"
        )
    awaiting = labels.needs_review in issue.labels and labels.approved not in issue.labels
    if awaiting:  # only `/implement` from someone with write access overrides the review
        if ctx.run.actor == ctx.settings.bot_login:
            raise NotApprovedError(
                f"issue #{ctx.issue} still carries {labels.needs_review!r}",
                hint=f"remove the {labels.needs_review!r} label or comment /implement",
            )
        check = check_approver(ctx.gh, ctx.run.actor, ctx.config.approval)
        if not check.has_permission:
            raise PermissionDeniedError(
                f"@{ctx.run.actor} has {check.permission} access; approving needs {check.required}"
            )
        if not check.allowed:
            raise PermissionDeniedError(
                f"@{check.reason()}",  # names the teams, and any it could not ask about
                hint="ask a member of one of those teams to comment /implement",
            )
    # Build exactly what was approved: the recorded body, never the live one alone.
    approval = pinned_approval(ctx.gh, ctx.store, issue, labels, ctx.run)
    shipped, _ = current_spec(ctx.gh.read_file(ctx.config.paths.spec))  # change requests
    parsed = parse_issue_body(approval.body, shipped)
    if parsed.entity is None or parsed.problems:
        raise SpecError([p.render() for p in parsed.problems] or ["no entity definition found"])
    definition = parsed.entity.model_dump(mode="json", exclude_defaults=True)
    change = parsed.change if parsed.change is not None and not parsed.change.empty else None
    return {
        "entity": parsed.entity.name,
        "definition": definition,
        "spec_hash": spec_hash(definition),
        "title": approval.title or issue.title,
        "branch": branch_name(ctx.issue, parsed.entity.name),
        "approval_id": approval.id,
        "remove_entity": bool(change and change.dropped),
        "change": {"title": change.title(), "lines": change.lines()} if change else None,
    }


# 2. workspace --------------------------------------------------------------------------------
def workspace(ctx: RunContext) -> Output:
    """A clean clone of the default branch with the bot's branch checked out on top."""
    base = ctx.gh.default_branch()
    branch = ctx.outputs["verify"]["branch"]
    if branch == base:
        raise GitError(f"refusing to use the default branch {base!r} as the run's branch")
    ws = Workspace.prepare(ctx.workdir, ctx.url(), base)
    foreign = ws.foreign_commits(branch, base, ctx.identity)
    if foreign:
        raise GitError(
            f"branch {branch} has {len(foreign)} commit(s) not authored by the bot "
            f"(first {foreign[0][:12]}); refusing to rewrite it",
            hint="delete or rename that branch, then comment /retry",
        )
    ws.checkout_branch(branch, f"origin/{base}")
    ctx.set_workspace(ws)
    return {
        "path": str(ws.path),
        "branch": branch,
        "base": base,
        "base_sha": ws.head_sha(),
        "remote_sha": ws.remote_branch_sha(branch),
    }


def _on_current_base(ctx: RunContext) -> bool:
    """Local work only counts while the default branch has not moved under it."""
    ws_out = ctx.outputs["workspace"]
    ws = ctx.workspace()
    return bool(
        ws.current_branch() == ws_out["branch"]
        and ls_remote(ctx.url(), ws_out["base"]) == ws_out["base_sha"]
    )


def workspace_holds(ctx: RunContext, out: Output) -> bool:
    """Still on the branch at the base commit with nothing changed."""
    ws = ctx.workspace()
    return _on_current_base(ctx) and ws.head_sha() == out["base_sha"] and not ws.changed_paths()


# 3. spec -------------------------------------------------------------------------------------
def spec(ctx: RunContext) -> Output:
    """Add, replace or remove the entity in the spec file, written deterministically."""
    ws = ctx.workspace()
    path = ctx.config.paths.spec
    target = ws.path / path
    current = load_spec(target.read_text("utf-8")) if target.is_file() else SpecFile.empty()
    entity = Entity.model_validate(ctx.outputs["verify"]["definition"])
    existed = any(e.name == entity.name for e in current.entities)
    removing = bool(ctx.outputs["verify"].get("remove_entity"))
    dropped = EntityChange(entity.name, dropped=True) if removing else None
    text = dump_spec(spec_after(current, entity, dropped))
    changed = not target.is_file() or target.read_text("utf-8") != text
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    action = ("replaced" if changed else "unchanged") if existed else "added"
    action = ("removed" if existed else "already absent") if removing else action
    return {"path": path, "action": action, "digest": tree_digest(ws.path, [path])}


def spec_holds(ctx: RunContext, out: Output) -> bool:
    """The spec file in the workspace is the one this step wrote."""
    ws = ctx.workspace()
    return _on_current_base(ctx) and out["digest"] == tree_digest(ws.path, [out["path"]])


# 4. generate ---------------------------------------------------------------------------------
def generate(ctx: RunContext) -> Output:
    """Run the generator for the whole spec; refuse if it touched anything outside its paths."""
    ws = ctx.workspace()
    spec_path = ctx.config.paths.spec
    current = load_spec((ws.path / spec_path).read_text("utf-8"))
    out_dir = ws.path / ctx.config.paths.output
    service = generate_with_history(
        out_dir, current, ui=ctx.config.ui, issue=ctx.issue,
        sandbox=resolve_sandbox(ctx.config.tests.sandbox),  # revision files are the repo's code
    )  # fmt: skip
    report = write_generated(out_dir, service)
    new_revisions = {p: service.files[p] for p in report.written if is_revision_file(p)}
    prefix = Path(ctx.config.paths.output)
    generated = sorted((prefix / p).as_posix() for p in service.files)
    hooks = sorted((prefix / p).as_posix() for p in service.user_owned)
    removed = sorted((prefix / p).as_posix() for p in report.removed)  # a renamed entity's
    allowed = {*generated, *hooks, *removed, spec_path}
    changed = ws.changed_paths()
    outside = [p for p in changed if p not in allowed]
    if outside:
        raise GenerationError(
            f"the generator touched {len(outside)} path(s) outside its area: "
            + ", ".join(outside[:5])
        )
    return {
        "files": generated,
        "hooks": hooks,
        "removed": removed,
        "changed": changed,
        "digest": tree_digest(ws.path, sorted({*generated, *hooks, spec_path})),
        "migration": summarize(new_revisions).as_data() if new_revisions else None,
    }


def generate_holds(ctx: RunContext, out: Output) -> bool:
    """Every generated file, hook and the spec still have the content written."""
    ws = ctx.workspace()
    paths = sorted({*out["files"], *out["hooks"], ctx.outputs["spec"]["path"]})
    return _on_current_base(ctx) and out["digest"] == tree_digest(ws.path, paths)


# 5. test -------------------------------------------------------------------------------------
def _sensitive_fields(ctx: RunContext) -> list[str]:
    path = ctx.workspace().path / ctx.config.paths.spec
    try:
        current = load_spec(path.read_text("utf-8"))
    except (OSError, SpecError):
        return []
    return sorted({f.name for e in current.entities for f in e.fields if f.sensitive})


def _known_secrets(ctx: RunContext) -> list[str]:
    """Every secret the bot holds: its token, App key, webhook secret, store and clone creds."""
    found = list(ctx.secrets)
    for url in (ctx.settings.database_url, ctx.url()):
        parts = urlsplit(url)
        found += [unquote(v) for v in (parts.password,) if v]
        found += [unquote(parts.username)] if parts.username and not parts.password else []
    return found


def test(ctx: RunContext) -> Output:
    """The hard gate: the target repo's tests, sandboxed, with coverage; red ends the run."""
    ws = ctx.workspace()
    app_dir = Path(ctx.config.paths.output) / "app"
    redactor = Redactor(secrets=_known_secrets(ctx), sensitive_fields=_sensitive_fields(ctx))
    timeout = ctx.config.tests.timeout_seconds
    sandbox = resolve_sandbox(ctx.config.tests.sandbox)
    interpreter = interpreter_for(
        ws.path, ctx.workdir.parents[1] / "venvs", repo=ctx.run.repo,
        timeout_seconds=timeout, sandbox=sandbox,
    )  # fmt: skip
    if interpreter.error is not None:
        output = redact_registered(redactor(interpreter.error))
        command = tuple(ctx.config.tests.command)
        raise TestGateError(
            TestReport(False, None, False, 0.0, output, command=command, sandbox=sandbox.mode)
        )
    report = run_tests(
        ws.path,
        command=ctx.config.tests.command,
        timeout_seconds=timeout,
        python=interpreter.python,
        coverage_source=app_dir.as_posix() if (ws.path / app_dir).is_dir() else None,
        coverage_min=ctx.config.tests.coverage_min,
        redact=lambda text: redact_registered(redactor(text)),
        sandbox=sandbox,
    )
    if not report.passed:
        raise TestGateError(report)
    return {
        "passed": True,
        "summary": report.summary(),
        "counts": report.counts,
        "coverage": report.coverage,
        "coverage_min": report.coverage_min,
        "command": " ".join(report.command),
        "duration_s": round(report.duration_s, 2),
        "sandbox": sandbox.mode,
    }


def test_holds(ctx: RunContext, out: Output) -> bool:
    """A pass still counts while the tested files are unchanged."""
    return bool(out.get("passed")) and generate_holds(ctx, ctx.outputs["generate"])


# 6. commit -----------------------------------------------------------------------------------
def commit(ctx: RunContext) -> Output:
    """One commit by the bot with exactly the spec, generated files and new hooks."""
    ws = ctx.workspace()
    gen = ctx.outputs["generate"]
    allowed = {*gen["files"], *gen["hooks"], *gen.get("removed", []), ctx.outputs["spec"]["path"]}
    paths = [p for p in ws.changed_paths() if p in allowed]
    verify_out = ctx.outputs["verify"]
    message = commit_message(verify_out["entity"], ctx.issue, ctx.run.id)
    date = ctx.run.created_at.strftime("%Y-%m-%dT%H:%M:%S+0000")
    sha = ws.commit(paths, message, ctx.identity, date)
    base = ctx.outputs["workspace"]["base"]
    return {"sha": sha, "files": ws.committed_paths(f"origin/{base}")}


def commit_holds(ctx: RunContext, out: Output) -> bool:
    """The workspace's branch still points at the recorded commit."""
    ws = ctx.workspace()
    return _on_current_base(ctx) and ws.head_sha() == out["sha"]


def _always(_ctx: RunContext, _out: Output) -> bool:
    return True


LOCAL_STEPS: tuple[Step, ...] = (
    Step("verify", verify, _always),
    Step("workspace", workspace, workspace_holds),
    Step("spec", spec, spec_holds),
    Step("generate", generate, generate_holds),
    Step("test", test, test_holds),
    Step("commit", commit, commit_holds),
)
