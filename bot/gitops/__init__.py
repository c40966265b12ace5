"""Git for the run pipeline: a clean per-run workspace, bot-owned branches, safe pushes."""

from bot.gitops.messages import branch_name, commit_message, is_bot_branch
from bot.gitops.workspace import GitIdentity, Workspace, ls_remote

__all__ = [
    "GitIdentity",
    "Workspace",
    "branch_name",
    "commit_message",
    "is_bot_branch",
    "ls_remote",
]
