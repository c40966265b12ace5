"""Conformance cases for an issue's event log (who removed `needs-review`, and when)."""

from __future__ import annotations

import httpx

from tests.bot.emulator.conformance_cases import Case
from tests.bot.emulator.world import REPO, World

EVENTS = "/repos/{owner}/{repo}/issues/{issue_number}/events"


def _label_log(w: World) -> httpx.Response:
    name = w.unique("label")
    number = w.issue(labels=[name])["number"]
    w.client().delete(f"/repos/{REPO}/issues/{number}/labels/{name}")
    return w.client("reader").get(f"/repos/{REPO}/issues/{number}/events")


CASES = [
    Case("GET", EVENTS, 200, _label_log),
]
