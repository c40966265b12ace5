"""Team membership, as the bot asks it to enforce a repository's list of approving teams."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request

from bot.emulator.core import emulator_of
from bot.emulator.web import Router, identity, not_found

router = Router()


@router.get("/orgs/{org}/teams/{team_slug}/memberships/{username}")
def get_membership(request: Request, org: str, team_slug: str, username: str) -> dict[str, Any]:
    """A user's active membership of a team; 404 for no such team, non-members and anonymous."""
    store = emulator_of(request).store
    # GitHub only shows a team to callers who can see it: anonymous callers learn nothing.
    if identity(request).login is None or not store.team_exists(org, team_slug):
        raise not_found()
    with store.lock:
        role = store.team_role(org, team_slug, username)
        user = store.user(username)
    if role is None or user is None:
        raise not_found()
    org_q, slug_q, login_q = (quote(part, safe="") for part in (org, team_slug, user.login))
    url = f"{store.base_url}/orgs/{org_q}/teams/{slug_q}/memberships/{login_q}"
    return {"url": url, "role": role, "state": "active"}
