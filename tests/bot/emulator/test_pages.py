"""Every html_url opens a readable page, and user text on it is escaped, never executed."""

from __future__ import annotations

import httpx

from bot.emulator.testing import EmulatorHandle

EVIL = "<script>alert('x')</script>"


def test_issue_pages_show_the_conversation_escaped(emulator: EmulatorHandle) -> None:
    repo = emulator.github("stranger").get_repo("acme/widgets")
    issue = repo.create_issue(f"Title {EVIL}", body=f"Body {EVIL}")
    issue.create_comment(f"Comment {EVIL}")

    page = httpx.get(issue.html_url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<script>" not in page.text
    assert page.text.count("&lt;script&gt;") == 4  # <title>, heading, body, comment

    listing = httpx.get(repo.html_url)
    assert f"#{issue.number} Title &lt;script&gt;" in listing.text


def test_pages_of_private_repos_are_hidden(emulator: EmulatorHandle) -> None:
    emulator.create_repo("acme/secret", {"a.txt": "a\n"}, private=True)
    assert httpx.get(f"{emulator.web_url}/acme/secret").status_code == 404
