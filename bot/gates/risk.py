"""The risk decision: one pure function from fetched PR facts to an explained outcome.

Kodiak's habit: everything is fetched first, ``decide`` only reads plain data, and every
rule reports passed/failed with a human reason, so a maintainer sees exactly why a bot PR
merged or waits. Merging is destructive, so anything not provably low-risk needs a human.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from bot.config import Paths, RiskPolicy
from bot.gates.paths import PROTECTED_KINDS, PathKind, PathRules, classify_path
from bot.gates.spec_change import SpecChange

Outcome = Literal["low-risk", "needs-review", "wait", "blocked"]
RuleStatus = Literal["pass", "fail", "pending"]
FileStatus = Literal["added", "modified", "removed", "renamed", "copied", "changed", "unchanged"]

# GitHub's branch protection counts these conclusions as passing.
GREEN = frozenset({"success", "neutral", "skipped"})

RULE_TITLES: dict[str, str] = {
    "pr-open": "the pull request is open and ready (not a draft)",
    "bot-author": "authored by the bot",
    "bot-head": "the head commit is the one the bot pushed, in this repository",
    "approved-request": "opened for an approved entity request",
    "auto-merge-enabled": "auto-merge enabled by the repository config",
    "allowed-paths": "touches only generated files, new hook stubs and the spec",
    "no-protected-files": "no workflow, config or dependency file changes",
    "additive-spec": "the spec change is additive",
    "diff-size": "diff size within risk.max_diff_lines",
    "required-checks-defined": "the repository requires at least one check",
    "checks-green": "every required check is green on the head commit",
    "mergeable": "up to date with the base branch or mergeable without conflicts",
    "not-held": "no hold label and no /hold",
}


@dataclass(frozen=True)
class ChangedFile:
    """One file of the PR diff, as GitHub's ``pulls/{n}/files`` reports it."""

    path: str
    status: FileStatus
    additions: int = 0
    deletions: int = 0
    previous_path: str | None = None


@dataclass(frozen=True)
class CheckResult:
    """One check run or commit status; later entries for a name supersede earlier ones.

    ``origin`` is who reported it: the GitHub App's slug for a check run, the login that
    posted a commit status. Only the sources the risk policy names are counted.
    """

    name: str
    sha: str
    status: Literal["queued", "in_progress", "completed", "waiting", "requested", "pending"]
    conclusion: str | None = None
    url: str | None = None
    source: Literal["check_run", "status"] = "check_run"
    origin: str | None = None

    @property
    def state(self) -> RuleStatus:
        """Passing, failing, or not finished yet."""
        if self.status != "completed":
            return "pending"
        return "pass" if self.conclusion in GREEN else "fail"


@dataclass(frozen=True)
class GateInputs:
    """Everything ``decide`` reads, fetched beforehand by the executor."""

    pr_number: int
    author: str
    bot_login: str
    head_sha: str
    labels: frozenset[str] = frozenset()
    approved_request: bool = False
    files: tuple[ChangedFile, ...] = ()
    spec_change: SpecChange = field(default_factory=lambda: SpecChange("unchanged"))
    checks: tuple[CheckResult, ...] = ()
    required_checks: tuple[str, ...] = ()
    protection_note: str | None = None
    mergeable: bool | None = None
    up_to_date: bool | None = None
    hold_label: str | None = None
    hold_comment: str | None = None
    is_open: bool = True
    draft: bool = False
    paths: Paths = field(default_factory=Paths)
    hold_label_on: str = ""  # where the hold label is ("issue #3"), for the decision comment
    hold_comment_on: str = ""
    pushed_sha: str | None = None  # the commit the bot's run recorded pushing to this branch
    head_repo: str = ""
    base_repo: str = ""
    foreign_commits: tuple[str, ...] = ()  # "abc1234 by Name <email>", newest last
    ungenerated: tuple[str, ...] = ()  # PR files under generated paths the generator never made

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy for the audit log."""
        data = asdict(self)
        data["labels"] = sorted(self.labels)
        data["paths"] = self.paths.model_dump(mode="json")
        return data


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict and the reason a human reads."""

    rule: str
    status: RuleStatus
    reason: str

    @property
    def passed(self) -> bool:
        """Whether the rule holds."""
        return self.status == "pass"

    @property
    def title(self) -> str:
        """What the rule demands, in words."""
        return RULE_TITLES[self.rule]


@dataclass(frozen=True)
class Decision:
    """The outcome plus every rule's verdict, in a fixed order."""

    outcome: Outcome
    pr_number: int
    head_sha: str
    rules: tuple[RuleResult, ...]
    failing_checks: tuple[CheckResult, ...] = ()

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        """The rules that did not pass (failed or still pending)."""
        return tuple(r for r in self.rules if not r.passed)

    def rule(self, rule_id: str) -> RuleResult:
        """Look one rule up by id."""
        return next(r for r in self.rules if r.rule == rule_id)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy for the audit log and `gate evaluate --json`."""
        return {
            "outcome": self.outcome,
            "pr": self.pr_number,
            "head_sha": self.head_sha,
            "rules": [asdict(r) for r in self.rules],
            "failing_checks": [asdict(c) for c in self.failing_checks],
        }


def _ok(rule: str, reason: str) -> RuleResult:
    return RuleResult(rule, "pass", reason)


def _bad(rule: str, reason: str) -> RuleResult:
    return RuleResult(rule, "fail", reason)


def _listing(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _is_migration_revision(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return len(parts) >= 3 and parts[-3:-1] == ("migrations", "versions") and path.endswith(".py")


def _paths_rules(inputs: GateInputs, policy: RiskPolicy) -> list[RuleResult]:
    rules = PathRules.from_config(inputs.paths, policy.protected_paths)
    outside: list[str] = []
    protected: list[str] = []
    ungenerated = frozenset(inputs.ungenerated)
    for f in inputs.files:
        kind = classify_path(f.path, rules)
        kinds = {kind}
        if f.previous_path:
            kinds.add(classify_path(f.previous_path, rules))
        if kinds & PROTECTED_KINDS:
            names = "/".join(sorted(k.value for k in kinds & PROTECTED_KINDS))
            protected.append(f"{f.path} ({names})")
            continue  # judged by no-protected-files alone, so each rule names one concern
        if PathKind.OTHER in kinds:
            outside.append(f"{f.path} (other)")
        elif f.path in ungenerated:
            outside.append(f"{f.path} (under generated paths, but the generator did not write it)")
        elif f.status == "renamed":
            outside.append(f"{f.path} (renamed from {f.previous_path})")
        elif kind == PathKind.HOOK and f.status != "added":
            outside.append(f"{f.path} (user-owned hook {f.status}; only new stubs are allowed)")
        elif f.status == "removed":
            outside.append(f"{f.path} ({kind.value} file deleted)")
        elif f.status == "modified" and _is_migration_revision(f.path):
            # Alembic never re-runs a revision a database already has: a rewritten one
            # silently skips the change on every existing database.
            outside.append(f"{f.path} (existing migration revision rewritten)")
    if not inputs.files:
        allowed = _bad("allowed-paths", "the PR changes no files")
    elif outside:
        allowed = _bad("allowed-paths", "outside the allowed paths: " + _listing(outside))
    else:
        allowed = _ok(
            "allowed-paths", f"all {len(inputs.files)} files are generated/spec/new hooks"
        )
    if protected:
        guarded = _bad("no-protected-files", "changes " + _listing(protected))
    else:
        guarded = _ok("no-protected-files", "no workflow, config or dependency file changed")
    return [allowed, guarded]


def _checks_rules(
    inputs: GateInputs, policy: RiskPolicy
) -> tuple[list[RuleResult], list[CheckResult]]:
    required = tuple(dict.fromkeys(inputs.required_checks + policy.required_checks))
    if required:
        defined = _ok("required-checks-defined", "required: " + ", ".join(required))
    else:
        why = f" ({inputs.protection_note})" if inputs.protection_note else ""
        defined = _bad(
            "required-checks-defined",
            f"no required checks{why}: add them to branch protection or risk.required_checks",
        )
    latest, ignored = counted_checks(inputs.checks, inputs.head_sha, policy)
    failing = [latest[n] for n in required if n in latest and latest[n].state == "fail"]
    pending = [
        n + (f" ({ignored[n]} does not count)" if n in ignored else "")
        for n in required
        if n not in latest or latest[n].state == "pending"
    ]
    short = inputs.head_sha[:7]
    if not required:
        green = _bad("checks-green", "nothing to be green about: no required checks")
    elif failing:
        red = [f"{c.name} ({c.conclusion})" for c in failing]
        green = _bad("checks-green", f"failing on {short}: " + _listing(red))
    elif pending:
        green = RuleResult("checks-green", "pending", f"waiting on {short}: " + _listing(pending))
    else:
        green = _ok("checks-green", f"all {len(required)} required checks green on {short}")
    return [defined, green], failing


def counted_checks(
    checks: tuple[CheckResult, ...], head_sha: str, policy: RiskPolicy
) -> tuple[dict[str, CheckResult], dict[str, str]]:
    """The checks on ``head_sha`` from trusted sources by name, and why others were ignored.

    Anyone with write access can post a commit status of any name, and any installed App a
    check run: only the policy's App counts for check runs, only a named creator for a
    status, and a status never overrides a check run of the same name.
    """
    at_head = [c for c in checks if c.sha == head_sha]
    run_names = {c.name for c in at_head if c.source == "check_run"}
    creators = {k: v.lower() for k, v in policy.status_creators.items()}
    latest: dict[str, CheckResult] = {}
    ignored: dict[str, str] = {}
    for check in at_head:
        origin = check.origin or "an unknown source"
        if check.source == "check_run":
            if check.origin == policy.check_app:
                latest[check.name] = check
            else:
                ignored[check.name] = f"a check run from app {origin}"
        elif check.name in run_names:
            ignored.setdefault(check.name, f"a status by {origin}")
        elif check.origin and creators.get(check.name) == check.origin.lower():
            latest[check.name] = check
        else:
            ignored[check.name] = f"a status by {origin}"
    return latest, ignored


def _head_rule(inputs: GateInputs) -> RuleResult:
    """Only the exact commit the bot pushed, in the base repository, may merge on its own."""
    if inputs.head_repo and inputs.base_repo and inputs.head_repo != inputs.base_repo:
        return _bad("bot-head", f"the head branch lives in {inputs.head_repo}, not the base repo")
    if inputs.pushed_sha is None:
        return _bad("bot-head", "the bot has no record of pushing this branch")
    if inputs.head_sha != inputs.pushed_sha:
        short = inputs.pushed_sha[:7]
        if inputs.foreign_commits:
            names = _listing(list(inputs.foreign_commits))
            return _bad("bot-head", f"commits not pushed by the bot (after {short}): {names}")
        return _bad("bot-head", f"the head is not the bot's commit {short}")
    return _ok("bot-head", f"the head is the bot's commit {inputs.head_sha[:7]}")


def _merge_rule(inputs: GateInputs, policy: RiskPolicy) -> RuleResult:
    if inputs.up_to_date and inputs.mergeable is not False:
        return _ok("mergeable", "up to date with the base branch")
    if policy.require_up_to_date:
        if inputs.up_to_date is None:
            return RuleResult("mergeable", "pending", "comparing with the base branch")
        return _bad("mergeable", "behind the base branch and risk.require_up_to_date is set")
    if inputs.mergeable is None:
        return RuleResult("mergeable", "pending", "GitHub is still computing mergeability")
    if inputs.mergeable:
        return _ok("mergeable", "mergeable without conflicts")
    return _bad("mergeable", "conflicts with the base branch")


def decide(inputs: GateInputs, policy: RiskPolicy) -> Decision:
    """Judge one PR: low-risk only when every rule passes; holds and red checks block."""
    is_bot = inputs.author == inputs.bot_login
    if not inputs.is_open:
        ready = _bad("pr-open", "the pull request is closed or already merged")
    elif inputs.draft:
        ready = _bad("pr-open", "the pull request is a draft")
    else:
        ready = _ok("pr-open", "open and ready for review")
    rules = [
        ready,
        _ok("bot-author", f"opened by {inputs.author}")
        if is_bot
        else _bad("bot-author", f"opened by {inputs.author}, not {inputs.bot_login}"),
        _head_rule(inputs),
        _ok("approved-request", "the linked entity request is approved")
        if inputs.approved_request
        else _bad("approved-request", "not looked up: only the bot's own PRs are linked")
        if not is_bot  # gather reads no request for someone else's PR; claim nothing about it
        else _bad("approved-request", "no approved entity request is linked with `Closes #N`"),
        _ok("auto-merge-enabled", "risk.auto_merge is true")
        if policy.auto_merge
        else _bad("auto-merge-enabled", "risk.auto_merge is false in .github/issuebot.yml"),
        *_paths_rules(inputs, policy),
        _ok("additive-spec", inputs.spec_change.describe())
        if inputs.spec_change.additive
        else _bad("additive-spec", inputs.spec_change.describe()),
    ]
    size = sum(f.additions + f.deletions for f in inputs.files)
    limit = policy.max_diff_lines
    rules.append(
        _ok("diff-size", f"{size} changed lines (limit {limit})")
        if size <= limit
        else _bad("diff-size", f"{size} changed lines, over the limit of {limit}")
    )
    check_rules, failing = _checks_rules(inputs, policy)
    rules.extend(check_rules)
    rules.append(_merge_rule(inputs, policy))
    holds = (
        [f"label `{inputs.hold_label}`" + _on(inputs.hold_label_on)] if inputs.hold_label else []
    )
    if inputs.hold_comment:
        holds.append(f"/hold by @{inputs.hold_comment}" + _on(inputs.hold_comment_on))
    rules.append(
        _bad("not-held", "held by " + " and ".join(holds)) if holds else _ok("not-held", "not held")
    )
    return Decision(
        _outcome(rules), inputs.pr_number, inputs.head_sha, tuple(rules), tuple(failing)
    )


def _on(where: str) -> str:
    return f" on {where}" if where else ""


def _outcome(rules: list[RuleResult]) -> Outcome:
    by_id = {r.rule: r for r in rules}
    red = by_id["checks-green"].status == "fail" and by_id["required-checks-defined"].passed
    if by_id["not-held"].status == "fail" or red:
        return "blocked"
    if any(r.status == "fail" for r in rules):
        return "needs-review"
    if any(r.status == "pending" for r in rules):
        return "wait"
    return "low-risk"
