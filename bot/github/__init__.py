"""The bot's GitHub access: one Protocol (``GitHubRepo``), its PyGithub implementation, auth.

Import from here: ``from bot.github import GitHubRepo, connect_repo, Approval``.
"""

from __future__ import annotations

from bot.github.audit import Approval, AuditSink, JsonlAuditSink, MemoryAuditSink
from bot.github.auth import ClientOptions, connect, connect_repo, github_auth
from bot.github.client import PyGithubRepo
from bot.github.markers import marker_tag
from bot.github.models import (
    CheckOutput,
    CheckRun,
    CombinedStatus,
    Comment,
    Issue,
    IssueEvent,
    Label,
    PullFile,
    PullRequest,
    StatusContext,
)
from bot.github.ops import OPERATIONS, OpClass, classification
from bot.github.protocol import GitHubRepo
from bot.github.retry import BoundedRetry, RetryPolicy

__all__ = [
    "OPERATIONS",
    "Approval",
    "AuditSink",
    "BoundedRetry",
    "CheckOutput",
    "CheckRun",
    "ClientOptions",
    "CombinedStatus",
    "Comment",
    "GitHubRepo",
    "Issue",
    "IssueEvent",
    "JsonlAuditSink",
    "Label",
    "MemoryAuditSink",
    "OpClass",
    "PullFile",
    "PullRequest",
    "PyGithubRepo",
    "RetryPolicy",
    "StatusContext",
    "classification",
    "connect",
    "connect_repo",
    "github_auth",
    "marker_tag",
]
