"""Slash commands in issue comments: `/implement` at the start of a line, Prow style.

Quoted lines (`> /implement`) and fenced code blocks are ignored, so quoting someone's
command in a reply never re-runs it. Pure: text in, commands out; nothing is executed.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

CommandName = Literal["implement", "preview", "retry", "cancel", "status", "help", "hold", "unhold"]
KNOWN: frozenset[str] = frozenset(get_args(CommandName))
MAX_COMMANDS = 10  # a comment is untrusted: never act on more than a handful

# `/word` at the start of a line (up to 3 spaces of indent, as Markdown allows), then the end
# of the line or whitespace: `/usr/bin/x` and `/path/to` are not commands.
_COMMAND = re.compile(r"^ {0,3}/([A-Za-z][A-Za-z0-9_-]{0,39})(?:[ \t]+(.*))?$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTE = re.compile(r"^ {0,3}>")


class Command(BaseModel):
    """One parsed command; an unknown word becomes `help` and remembers what was typed."""

    model_config = ConfigDict(frozen=True)

    name: CommandName
    args: str = ""
    unknown: str | None = None


def _outside_code(text: str) -> list[str]:
    """Lines that are neither inside a fenced block nor quoted."""
    lines: list[str] = []
    fence: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            continue
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if not _QUOTE.match(line):
            lines.append(line)
    return lines


def parse_commands(body: str | None) -> tuple[Command, ...]:
    """Every command in a comment body, in order (at most `MAX_COMMANDS`)."""
    commands: list[Command] = []
    for line in _outside_code(body or ""):
        match = _COMMAND.match(line.rstrip())
        if not match:
            continue
        word = match.group(1).lower()
        args = (match.group(2) or "").strip()[:200]
        if word in KNOWN:
            commands.append(Command.model_validate({"name": word, "args": args}))
        else:
            commands.append(Command(name="help", unknown=match.group(1)))
        if len(commands) >= MAX_COMMANDS:
            break
    return tuple(commands)


def first_command(body: str | None) -> Command | None:
    """The command a comment asks for: its first one (the router acts on one per comment)."""
    commands = parse_commands(body)
    return commands[0] if commands else None
