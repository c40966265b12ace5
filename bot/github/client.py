"""``PyGithubRepo``: the real ``GitHubRepo``, PyGithub underneath, plain records on top.

Build it with ``bot.github.auth.connect_repo(settings, full_name, audit)``, or directly from a
``github.Github`` (tests hand it the emulator's client). Every public method is an operation
classified by ``@operation``; failures surface as ``bot.errors`` types, never PyGithub's.
"""

from __future__ import annotations

from bot.github.issues import IssueOps
from bot.github.pulls import PullOps


class PyGithubRepo(IssueOps, PullOps):
    """One repository through PyGithub: ``PyGithubRepo(gh, "owner/name", audit=sink)``.

    ``bot_login`` names the account whose marked comments are the bot's own; when None it is
    read once from ``GET /user`` (works for tokens, not for App installations: pass it there).
    """
