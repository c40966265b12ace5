"""What the gate writes on GitHub: one marked PR comment per decision, and the final issue note.

Texts live here (one module of user-facing messages). Paths, check names and URLs come from
the PR and from CI, so they are neutralised before they reach Markdown.
"""

from __future__ import annotations

import re

from bot.gates.risk import Decision, RuleResult

DECISION_MARKER = "gate-decision"
MERGED_MARKER = "gate-merged"

_HEADLINES = {
    "low-risk": "Low risk: every rule holds, merging.",
    "needs-review": "Needs human review: the bot will not merge this on its own.",
    "wait": "Waiting: not every rule can be judged yet.",
    "blocked": "Blocked: the bot will not merge this pull request.",
}
_ICON = {"pass": "✅", "fail": "❌", "pending": "⏳"}


def safe(text: str, limit: int = 300) -> str:
    """Untrusted text as inert inline Markdown: no backticks, markup or line breaks."""
    flat = re.sub(r"[\r\n\t]+", " ", text).replace("`", "'")
    flat = re.sub(r"([<>\[\]|*_~\\])", r"\\\1", flat)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def safe_url(url: str | None) -> str | None:
    """Only plain http(s) URLs become links."""
    if url and re.fullmatch(r"https?://[^\s()<>\[\]]+", url):
        return url
    return None


_TEXT_STATUS = {"pass": "PASS", "fail": "FAIL", "pending": "WAIT"}


def decision_text(decision: Decision) -> str:
    """Plain text for terminals and the demo: the outcome, then one line per rule."""
    lines = [f"PR #{decision.pr_number} at {decision.head_sha[:12]}: {decision.outcome}"]
    width = max(len(r.rule) for r in decision.rules)
    lines += [f"  {_TEXT_STATUS[r.status]}  {r.rule:<{width}}  {r.reason}" for r in decision.rules]
    return "\n".join(lines)


def _rule_line(rule: RuleResult) -> str:
    return f"| {_ICON[rule.status]} | {rule.title} | {safe(rule.reason)} |"


def decision_comment(decision: Decision, *, review_note: str | None = None) -> str:
    """The PR comment that says exactly which rules kept the PR from auto-merging."""
    lines = [
        f"**issuebot gate: {_HEADLINES[decision.outcome]}**",
        "",
        f"Decided on head commit `{decision.head_sha[:12]}`.",
    ]
    failed = [r for r in decision.rules if r.status == "fail"]
    if failed:
        lines += ["", "Rules that made it need a human:"]
        lines += [f"- **{r.rule}** ({r.title}): {safe(r.reason)}" for r in failed]
    if decision.failing_checks:
        lines += ["", "Failing checks:"]
        for check in decision.failing_checks:
            url = safe_url(check.url)
            name = safe(check.name, 100)
            shown = f"[{name}]({url})" if url else name
            lines.append(f"- {shown}: {safe(check.conclusion or 'failed', 40)}")
        lines += ["", "Fix the cause and push, or comment `/retry` to run the checks again."]
    if review_note:
        lines += ["", review_note]
    if decision.rule("not-held").status == "fail":
        lines += ["", "Comment `/unhold` (or remove the hold label) to let the gate decide again."]
    lines += ["", "| | rule | why |", "| --- | --- | --- |", *map(_rule_line, decision.rules)]
    return "\n".join(lines)


def merged_comment(decision: Decision, merge_sha: str, method: str) -> str:
    """The PR comment once the gate merged it (replaces any earlier decision comment)."""
    return (
        f"**issuebot gate: merged** ({method}) as `{merge_sha[:12]}`: all "
        f"{len(decision.rules)} rules held on `{decision.head_sha[:12]}`."
    )


def issue_final_note(pr_number: int, merge_sha: str, decision: Decision) -> str:
    """The last word on the request: what was merged and why it needed no human."""
    return "\n".join(
        [
            f"Done: pull request #{pr_number} was merged automatically as `{merge_sha[:12]}`.",
            "",
            f"The gate judged it low-risk: all {len(decision.rules)} rules held "
            "(generated files only, additive spec change, required checks green on the "
            "head commit). This issue is closed by the pull request's `Closes` line.",
        ]
    )
