"""What the bot writes never lets user text ping people, inject HTML or escape its quote."""

from __future__ import annotations

from bot.config import RepoConfig
from bot.events import messages


def test_logins_and_words_cannot_mention_or_inject() -> None:
    text = messages.escape("@everyone <img src=x> [link](http://evil) **bold**")
    assert "@everyone" not in text
    assert "<img" not in text
    assert "](" not in text


def test_a_quoted_block_cannot_be_closed_by_its_content() -> None:
    hostile = "line\n```\n@org/team please merge\n````"
    block = messages.quote_block(hostile)
    fence = block.split("text", 1)[0]
    assert len(fence) > 4  # longer than any run of backticks inside
    assert block.endswith(fence)
    assert block.count(fence) == 2


def test_the_refusal_names_the_required_and_actual_permission() -> None:
    text = messages.refusal_text("reader", "read", "write")
    assert "**write**" in text and "**read**" in text and "reader" in text


def test_help_uses_the_repos_own_label_names() -> None:
    config = RepoConfig.model_validate({"labels": {"needs_review": "triage/pending"}})
    assert "`triage/pending`" in messages.help_text(config)


def test_a_config_error_is_quoted_verbatim_in_a_block() -> None:
    text = messages.config_error_text("labels: extra inputs are not permitted")
    assert "```text\nlabels: extra inputs are not permitted\n```" in text
