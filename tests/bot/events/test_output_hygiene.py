"""Whatever a stranger writes in an issue, the bot's comments ping nobody, show no image or
HTML of theirs, and close no issue: the one hygiene rule behind every markdown filter."""

from __future__ import annotations

import json
import re

import pytest

from bot.events import messages
from bot.issuespec.hygiene import neutralise
from bot.issuespec.render import environment, render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.templating import markdown_environment
from tests.bot.events.test_handlers_emulator import World
from tests.bot.events.test_pinned_approvals import request, world
from tests.bot.issuespec.seed import SEED_REQUEST

__all__ = ["world"]  # the App-mode world fixture

HOSTILE = "ping @org/team ![x](http://evil) <img src=x> Closes #1 and fixes acme/widgets#2"
# GitHub's closing keywords before an issue reference (what must never survive).
CLOSING = re.compile(r"(?i)\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+[\w./-]*#\d")
FENCE = re.compile(r"(?ms)^(`{3,}).*?^\1")


def assert_inert(text: str) -> None:
    """No live mention or closing keyword anywhere; no image or HTML outside code blocks."""
    assert "@org" not in text, text
    assert not CLOSING.search(text), text
    prose = FENCE.sub("", text)
    assert "http://evil" not in prose and "<img" not in prose, text


@pytest.mark.parametrize("name", ["code", "md_inline", "md_block", "md_text", "fenced"])
def test_every_filter_applies_the_rule(name: str) -> None:
    for kind in ("issue", "pipeline"):
        rendered = markdown_environment(kind).filters[name](HOSTILE)
        assert_inert(rendered)


def test_the_event_messages_apply_it_too() -> None:
    assert_inert(messages.escape(HOSTILE))
    assert_inert(messages.quote_block(HOSTILE))
    assert_inert(messages.failure_text("/implement", HOSTILE, HOSTILE))


def test_the_issue_body_itself_keeps_the_requesters_words() -> None:
    """The request must read back as filed, so only comments get the rule."""
    data = {**SEED_REQUEST, "description": HOSTILE}
    body = render_issue_body(FeatureRequest.model_validate(data))
    assert "@org/team" in body
    assert environment(hygiene=False) is not environment()


def test_neutralising_is_stable_and_keeps_ordinary_text() -> None:
    plain = "Adds widgets; see the docs at https://example.com, 3 < 4, email-free."
    assert neutralise(plain) == plain
    once = neutralise(HOSTILE)
    assert neutralise(once) == once


def hostile_body(world: World) -> str:
    """A valid request whose field description and criteria carry the hostile text."""
    data = json.loads(json.dumps(SEED_REQUEST))
    data["acceptance_criteria"] = [HOSTILE]
    data["entity_definition"]["fields"][1]["description"] = HOSTILE
    return render_issue_body(FeatureRequest.model_validate(data))


def test_no_bot_comment_echoes_the_hostile_text_live(world: World) -> None:
    valid = request(world, hostile_body(world))
    world.deliver("issues", "opened")
    world.comment("writer", valid, "/preview")
    broken = hostile_body(world).replace('"name": "name"', f'"name": {json.dumps(HOSTILE)}')
    invalid = request(world, broken)
    after = len(world.hooks.received)
    world.as_user("writer", invalid).edit(body=broken + "\n")
    world.deliver("issues", "edited", after=after)
    world.comment("writer", invalid, f"/frobnicate {HOSTILE}")

    comments = world.bot_comments(valid) + world.bot_comments(invalid)
    assert len(comments) >= 4  # summary, preview, review, help
    for body in comments:
        assert_inert(body)
    echoed = [b for b in comments if "team" in b]  # the text is there, made inert
    assert echoed and all("@\u200borg" in b or "@\u2060" in b for b in echoed)
