"""Every implemented endpoint answers what GitHub's OpenAPI description says it answers.

Each case calls the emulator over HTTP and validates status and body against the response
schema of ``@octokit/openapi`` for that path, method and status code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute

from bot.emulator import pages
from bot.emulator.app import ROUTERS
from bot.emulator.testing import start_emulator
from tests.bot.emulator import (
    conformance_cases,
    conformance_cases_apps,
    conformance_cases_events,
    conformance_cases_git,
    conformance_cases_reviews,
    conformance_cases_teams,
)
from tests.bot.emulator.conformance_cases import Case
from tests.bot.emulator.schemas import validate_response
from tests.bot.emulator.world import REPO, World
from tests.plugins.github_data import openapi

CASES: list[Case] = (
    conformance_cases.CASES
    + conformance_cases_events.CASES
    + conformance_cases_git.CASES
    + conformance_cases_reviews.CASES
    + conformance_cases_teams.CASES
    + conformance_cases_apps.CASES
)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One emulator shared by every case; each case creates the objects it touches."""
    with start_emulator() as gh:
        prepared = World(gh)
        try:
            yield prepared
        finally:
            prepared.close()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_response_matches_github_openapi(world: World, case: Case) -> None:
    answer = case.call(world)
    assert answer.status_code == case.status, answer.text
    body = answer.json() if answer.content else None
    validate_response(case.method, case.path, answer.status_code, body)


# Routes GitHub serves but does not describe separately (legacy ref reads, contents root).
UNDOCUMENTED_ALIASES = {
    ("GET", "/repos/{}/{}/git/refs/{}"),
    ("GET", "/repos/{}/{}/git/refs"),  # checked against matching-refs' schema below
    ("GET", "/repos/{}/{}/contents"),
}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_every_implemented_endpoint_has_a_conformance_case() -> None:
    implemented = {
        (method, _shape(route.path))
        for router in ROUTERS
        if router.prefix != "/_emulator" and router is not pages.router  # HTML, not REST
        for route in router.routes
        if isinstance(route, APIRoute) and ".git/" not in route.path
        for method in route.methods or ()
    }
    assert len(implemented) > 50
    covered = {(case.method, _shape(case.path)) for case in CASES}
    assert implemented - covered - UNDOCUMENTED_ALIASES == set()


def test_the_legacy_ref_listing_answers_like_matching_refs(world: World) -> None:
    name, sha = world.branch()
    listing = world.client().get(f"/repos/{REPO}/git/refs?per_page=100")
    assert listing.status_code == 200, listing.text
    validate_response("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref}", 200, listing.json())
    refs = {r["ref"]: r["object"]["sha"] for r in listing.json()}
    assert refs[f"refs/heads/{name}"] == sha
    assert "refs/heads/main" in refs


LABEL_PATHS = [
    ("/repos/{owner}/{repo}/labels/{name}", None),
    ("/repos/{owner}/{repo}/issues/{issue_number}", "labels"),
    ("/repos/{owner}/{repo}/pulls/{pull_number}", "labels"),
]


@pytest.mark.parametrize(("path", "field"), LABEL_PATHS, ids=str)
def test_labels_carry_exactly_the_properties_the_current_description_lists(
    world: World, path: str, field: str | None
) -> None:
    """Typed clients fail on a missing required label key (``archived_at`` in some versions).

    @octokit/openapi's label schema is read, not copied: when GitHub adds a key to labels
    (as it did with ``archived_at``/``archived_by`` in other descriptions), this fails.
    """
    schema = openapi()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    node = schema["schema"]
    if field is not None:
        node = node["properties"][field]["items"]
        node = next((o for o in node.get("oneOf", [node]) if o.get("type") == "object"), node)
    documented = set(node["properties"])
    pr = world.pull()
    world.client().post(f"/repos/{REPO}/issues/{pr['number']}/labels", json=["bug"])
    url = {
        None: f"/repos/{REPO}/labels/bug",
        "labels": f"/repos/{REPO}/issues/{pr['number']}",
    }[field]
    if path.endswith("{pull_number}"):
        url = f"/repos/{REPO}/pulls/{pr['number']}"
    body = world.client().get(url).json()
    label = body if field is None else body[field][0]
    assert set(label) == documented
