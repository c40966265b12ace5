"""Each edit of a request is reviewed against the body it has now, never against history.

A→B→A (valid → invalid → valid) must end valid, and a return to an earlier invalid body must
end invalid, however fast the edits come (GitHub's timestamps have second resolution).
"""

from __future__ import annotations

from tests.bot.events.test_handlers_emulator import World
from tests.bot.events.test_pinned_approvals import VALID, request, review_comment, world

__all__ = ["world"]  # the App-mode world fixture

BROKEN = VALID.replace('"type": "uuid"', '"type": "uuidish"')
OTHER = VALID.replace('"max_length": 100', '"max_length": 120')


def edit(world: World, number: int, body: str) -> None:
    """The writer edits the body; the bot handles the `issues.edited` webhook it caused."""
    after = len(world.hooks.received)
    world.as_user("writer", number).edit(body=body)
    outcome = world.deliver("issues", "edited", after=after)
    assert outcome.result == "done", outcome


def labels(world: World, number: int) -> tuple[str, ...]:
    return world.repo.get_issue(number).labels


def test_valid_broken_and_back_to_the_same_valid_text_ends_valid(world: World) -> None:
    assert BROKEN != VALID
    number = request(world)
    assert world.deliver("issues", "opened").result == "done"  # A reviewed: valid, no comment

    edit(world, number, BROKEN)
    assert "spec-invalid" in labels(world, number)
    edit(world, number, VALID)

    assert "spec-invalid" not in labels(world, number)
    text = review_comment(world, number)
    assert "valid again" in text and "needs a fix" not in text


def test_a_return_to_an_earlier_invalid_body_ends_invalid_with_its_problems(world: World) -> None:
    number = request(world, BROKEN)
    world.deliver("issues", "opened")
    first = review_comment(world, number)
    assert "needs a fix" in first

    edit(world, number, OTHER)
    assert "valid again" in review_comment(world, number)
    edit(world, number, BROKEN)

    assert "spec-invalid" in labels(world, number)
    assert review_comment(world, number) == first  # the same problems, said again
