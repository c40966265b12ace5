"""Move the bot pin inside files a user may have edited: only the pin's lines change (pure).

`issuebot init --upgrade` must not undo a user's extra CI job or a tuned risk policy, so it
rewrites the value of the `ISSUEBOT_PACKAGE:` lines of the workflows and the `bot:` keys of
the config, and checks the result still parses to what it meant to write.
"""

from __future__ import annotations

import json
import re

import yaml

from bot.config import BOT_SOURCE_PATTERN, CONFIG_PATH, parse_repo_config
from bot.errors import ConfigError, UsageError
from bot.scaffold.source import BotPin

WORKFLOW_PINS = (".github/workflows/ci.yml", ".github/workflows/issuebot.yml")
"""The bot-owned scaffold files that install the pinned bot."""

_WORKFLOW_PIN = re.compile(r"^(?P<lead>[ \t]*ISSUEBOT_PACKAGE:)(?P<value>[^\n]*)$", re.MULTILINE)
_BOT_BLOCK = re.compile(r"^bot:[ \t]*(#[^\n]*)?$")
_BOT_KEY = re.compile(r"^(?P<indent>[ \t]+)(?P<key>version|source):[^\n]*$")


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar for ``value`` (JSON's string syntax is valid YAML)."""
    return json.dumps(str(value))


def repin_workflow(text: str, source: str) -> str | None:
    """``text`` with every `ISSUEBOT_PACKAGE:` set to ``source``; None when it has none."""
    if not _WORKFLOW_PIN.search(text):
        return None
    return _WORKFLOW_PIN.sub(lambda m: f"{m['lead']} {yaml_str(source)}", text)


def repin_config(text: str, pin: BotPin) -> str:
    """The config with `bot.version` and `bot.source` set to ``pin``, everything else kept.

    A config without a `bot:` block (scaffolded before pins existed) gets one appended; a
    `bot:` the line edit cannot reach (flow style, say) is a usage error naming the fix.
    """
    lines = text.splitlines(keepends=True)
    wanted = {"version": yaml_str(pin.version), "source": yaml_str(pin.source)}
    start = next((i for i, line in enumerate(lines) if _BOT_BLOCK.match(line.rstrip("\n"))), None)
    if start is None:
        tail = "" if not text or text.endswith("\n") else "\n"
        block = "".join(f"  {key}: {value}\n" for key, value in wanted.items())
        result = f"{text}{tail}\nbot:\n{block}"
    else:
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
            end += 1
        seen: set[str] = set()
        for i in range(start + 1, end):
            key = _BOT_KEY.match(lines[i].rstrip("\n"))
            if key:
                seen.add(key["key"])
                lines[i] = f"{key['indent']}{key['key']}: {wanted[key['key']]}\n"
        missing = [f"  {key}: {value}\n" for key, value in wanted.items() if key not in seen]
        lines[start + 1 : start + 1] = missing
        result = "".join(lines)
    try:
        recorded = parse_repo_config(result).bot
    except ConfigError as exc:
        raise UsageError(f"cannot record the bot pin in {CONFIG_PATH}: {exc.message}") from exc
    if (recorded.version, recorded.source) != (pin.version, pin.source):
        raise UsageError(
            f"cannot rewrite the `bot:` block of {CONFIG_PATH}; write it as two lines, "
            f"`version: {wanted['version']}` and `source: {wanted['source']}`"
        )
    return result


def workflow_pin(text: str) -> str | None:
    """The pinned requirement a workflow installs, if it has one (`issuebot` alone is none)."""
    found = _WORKFLOW_PIN.search(text)
    try:
        value = yaml.safe_load(found["value"]) if found else None
    except yaml.YAMLError:
        return None
    return value if isinstance(value, str) and re.fullmatch(BOT_SOURCE_PATTERN, value) else None
