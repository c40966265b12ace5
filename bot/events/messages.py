"""Every text the event handlers post, in one place: what happened and what to do next.

Anything that came from a user (logins, unknown command words, error text quoting a config
file) is escaped before it lands in Markdown, so a comment can never ping, link or inject.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.config import CONFIG_PATH, RepoConfig
from bot.issuespec.hygiene import neutralise

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(text: str) -> str:
    """Neutralise Markdown, HTML and @-mentions in untrusted text (one line, bounded)."""
    flat = " ".join(neutralise(text[:2000]).split())[:500]
    flat = "".join(_HTML.get(ch, ch) for ch in flat)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def quote_block(text: str) -> str:
    """Untrusted multi-line text as an indented-free fenced block that cannot be closed early."""
    text = neutralise(text[:4000], code=True)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def help_text(config: RepoConfig, unknown: str | None = None) -> str:
    """The `/help` answer, also given for an unknown command."""
    labels = config.labels
    intro = (
        f"I don't know the command `/{unknown}`. " if unknown else ""
    ) + "Here is what I understand, one command at the start of a comment line:"
    return "\n".join(
        [
            intro,
            "",
            "| command | what it does |",
            "| --- | --- |",
            "| `/implement` | generate the entity, run the tests, open a pull request |",
            "| `/preview` | show the files and endpoints approval would produce |",
            "| `/retry` | rerun the last failed run |",
            "| `/cancel` | stop a queued or running run |",
            "| `/status` | show the state of the run for this issue |",
            "| `/hold` / `/unhold` | keep the bot's pull request from auto-merging, or allow it |",
            "| `/help` | this message |",
            "",
            f"Removing the `{labels.needs_review}` label (or adding `{labels.approved}`) on an "
            f"`{labels.entity_request}` issue also approves it. Commands need "
            f"**{config.approval.min_permission}** permission on this repository or above"
            + _team_clause(config.approval.teams),
        ]
    )


def _team_clause(teams: Sequence[str]) -> str:
    """How the help text ends: a full stop, or the teams an approver must belong to."""
    if not teams:
        return "."
    return (
        ", and membership of one of these teams: "
        + ", ".join(f"**{escape(t)}**" for t in teams)
        + "."
    )


def refusal_text(login: str, permission: str, required: str, teams: Sequence[str] = ()) -> str:
    """Told once per issue per user: polite, says why, says who can help.

    ``teams`` is given when the permission was enough but the user is in none of the
    approving teams the repository's config lists.
    """
    if teams:
        names = ", ".join(f"**{escape(t)}**" for t in teams)
        return (
            f"Thanks for the interest, {escape(login)}! Bot commands and approvals on this "
            f"repository are limited to members of these teams: {names}. You are not a "
            "member of any of them, so I did not act on it. A member of one of these teams "
            "can approve the request for you."
        )
    return (
        f"Thanks for the interest, {escape(login)}! Bot commands and approvals on this "
        f"repository need **{required}** permission, and your permission here is "
        f"**{escape(permission)}**, so I did not act on it. A maintainer can approve the "
        "request for you."
    )


def config_error_text(message: str) -> str:
    """A broken repo config is shown to the people who can fix it, quoting the error."""
    return (
        f"I could not read `{CONFIG_PATH}`, so I did nothing with this event. "
        "Please fix the file on the default branch; the error was:\n\n"
        f"{quote_block(message)}"
    )


def failure_text(what: str, message: str, hint: str | None) -> str:
    """A command that failed: what, why, and how to try again."""
    lines = [f"`{what}` did not work:", "", quote_block(message)]
    if hint:
        lines += ["", escape(hint)]
    lines += ["", "Fix the cause and comment the command again, or `/help` for the options."]
    return "\n".join(lines)


def report_text(what: str, text: str) -> str:
    """A one-line report from the pipeline (status, cancel, busy), quoted so it cannot inject."""
    return f"`{what}`:\n\n{quote_block(text)}"


def merged_text(pr_number: int, branch: str, deleted: bool) -> str:
    """The final note on the issue once the bot's pull request is merged."""
    tail = f"Branch {escape(branch)} {'was deleted' if deleted else 'is already gone'}."
    return f"Pull request #{pr_number} was merged: this request is done. {tail}"


def hold_text(held: bool, label: str) -> str:
    """Acknowledge `/hold` and `/unhold`."""
    if held:
        return f"On hold: label `{label}` added, nothing will be merged until `/unhold`."
    return f"Hold lifted: label `{label}` removed, merge gates apply again."
