"""Minimal read-only HTML pages behind every ``html_url``, so demo links open something real.

Everything shown comes from users (titles, bodies, comments, labels) and is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.emulator.access import RepoAccess, repo_access
from bot.emulator.state import Issue
from bot.emulator.web import Router, not_found

router = Router()

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}"
    "pre{white-space:pre-wrap;background:#f6f8fa;padding:.75rem;border-radius:6px}"
    ".label{border-radius:1rem;padding:0 .5rem;margin-right:.25rem;font-size:.85rem}"
    ".meta{color:#57606a}"
)


def _page(title: str, body: str) -> HTMLResponse:
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )
    return HTMLResponse(html)


def _labels(access: RepoAccess, issue: Issue) -> str:
    spans = []
    for name in issue.labels:
        label = access.repo.labels.get(name)
        color = label.color if label is not None else "ededed"
        spans.append(
            f"<span class='label' style='background:#{escape(color)}'>{escape(name)}</span>"
        )
    return "".join(spans)


@router.get("/{owner}/{repo}", response_class=HTMLResponse)
def repo_page(request: Request, owner: str, repo: str) -> HTMLResponse:
    """The repository: its issues and pull requests, newest first."""
    access = repo_access(request, owner, repo)
    rows = []
    with access.store.lock:
        for issue in sorted(access.repo.issues.values(), key=lambda i: -i.number):
            kind = "pull" if issue.pull is not None else "issues"
            link = f"/{escape(access.repo.full_name)}/{kind}/{issue.number}"
            rows.append(
                f"<li><a href='{link}'>#{issue.number} {escape(issue.title)}</a> "
                f"<span class='meta'>{escape(issue.state)}</span> {_labels(access, issue)}</li>"
            )
    name = escape(access.repo.full_name)
    return _page(access.repo.full_name, f"<h1>{name}</h1><ul>{''.join(rows)}</ul>")


@router.get("/{owner}/{repo}/issues/{number}", response_class=HTMLResponse)
@router.get("/{owner}/{repo}/pull/{number}", response_class=HTMLResponse)
def issue_page(request: Request, owner: str, repo: str, number: int) -> HTMLResponse:
    """One issue or pull request with its conversation."""
    access = repo_access(request, owner, repo)
    with access.store.lock:
        issue = access.repo.issues.get(number)
        if issue is None:
            raise not_found()
        comments = [c for c in access.repo.comments.values() if c.issue_number == number]
        name = escape(access.repo.full_name)
        parts = [
            f"<p><a href='/{name}'>{name}</a></p>",
            f"<h1>{escape(issue.title)} <span class='meta'>#{issue.number}</span></h1>",
            f"<p class='meta'>{escape(issue.state)} · opened by {escape(issue.user)}</p>",
            f"<p>{_labels(access, issue)}</p>",
        ]
        if issue.pull is not None:
            pull = issue.pull
            merged = " · merged" if pull.merged else ""
            parts.append(
                f"<p class='meta'>{escape(pull.head_ref)} → {escape(pull.base_ref)}{merged}</p>"
            )
        parts.append(f"<pre>{escape(issue.body or '')}</pre>")
        for comment in comments:
            parts.append(
                f"<h3 id='issuecomment-{comment.id}'>{escape(comment.user)}</h3>"
                f"<pre>{escape(comment.body)}</pre>"
            )
    return _page(f"{issue.title} · #{issue.number}", "".join(parts))
