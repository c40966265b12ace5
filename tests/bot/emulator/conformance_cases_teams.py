"""Conformance cases for team membership (who may approve, when a repo lists teams)."""

from __future__ import annotations

import httpx

from tests.bot.emulator.conformance_cases import Case
from tests.bot.emulator.world import World

MEMBERSHIP = "/orgs/{org}/teams/{team_slug}/memberships/{username}"


def _member(w: World) -> httpx.Response:
    slug = w.unique("approvers")
    w.gh.add_team_member("acme", slug, "writer", role="maintainer")
    return w.client().get(f"/orgs/acme/teams/{slug}/memberships/writer")


def _not_member(w: World) -> httpx.Response:
    slug = w.unique("approvers")
    w.gh.add_team_member("acme", slug, "writer")
    return w.client().get(f"/orgs/acme/teams/{slug}/memberships/reader")


CASES = [
    Case("GET", MEMBERSHIP, 200, _member),
    Case("GET", MEMBERSHIP, 404, _not_member),
]
