"""The issue is the spec: render feature requests as issues, read them back, review edits.

Package-level names are what other areas call: ``preview_issue`` is the `/preview` answer
for an issue; the pure ``(entity, current_spec_text)`` form is
``bot.issuespec.preview.render_preview``.
"""

from __future__ import annotations

from bot.issuespec.handlers import on_issue_changed, preview_issue
from bot.issuespec.parse import ParsedIssue, parse_issue_body
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest, InvalidRequestError, load_request_file
from bot.issuespec.request_feature import request_feature, validate_request
from bot.issuespec.review import ReviewOutcome, apply_review, review
from bot.issuespec.sections import Criterion

__all__ = [
    "Criterion",
    "FeatureRequest",
    "InvalidRequestError",
    "ParsedIssue",
    "ReviewOutcome",
    "apply_review",
    "load_request_file",
    "on_issue_changed",
    "parse_issue_body",
    "preview_issue",
    "render_issue_body",
    "request_feature",
    "review",
    "validate_request",
]
