"""A maintainer types `/implement` in a comment; quotes and code samples never trigger."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.events.commands import first_command, parse_commands


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/implement", ["implement"]),
        ("Looks great!\n/implement please", ["implement"]),
        ("/preview\r\n", ["preview"]),
        ("   /retry", ["retry"]),
        ("/cancel\n/status", ["cancel", "status"]),
        ("/HOLD", ["hold"]),
        ("/unhold", ["unhold"]),
        ("/help", ["help"]),
        ("please /implement this", []),
        ("> /implement\nquoted from above", []),
        ("```\n/implement\n```\n", []),
        ("~~~~\n/implement\n~~~\n/still-code\n~~~~\n/status", ["status"]),
        ("    /implement", []),
        ("/usr/bin/python crashed", []),
        ("", []),
    ],
)
def test_commands_are_read_only_at_the_start_of_a_line(body: str, expected: list[str]) -> None:
    assert [c.name for c in parse_commands(body)] == expected


def test_an_unknown_command_gets_help_and_remembers_the_word() -> None:
    command = first_command("/deploy now")
    assert command is not None
    assert (command.name, command.unknown) == ("help", "deploy")


def test_arguments_are_kept_but_bounded() -> None:
    command = first_command("/retry " + "x" * 1000)
    assert command is not None
    assert command.name == "retry"
    assert len(command.args) == 200


def test_a_comment_cannot_fire_more_than_ten_commands() -> None:
    assert len(parse_commands("/status\n" * 500)) == 10


def test_no_command_without_a_comment_body() -> None:
    assert first_command(None) is None


@given(st.text(max_size=2000))
def test_any_comment_text_parses_without_error(body: str) -> None:
    for command in parse_commands(body):
        assert command.unknown is None or command.name == "help"
