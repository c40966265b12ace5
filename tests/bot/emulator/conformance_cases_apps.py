"""Conformance cases for the App's own webhook: its config, its deliveries, a redelivery."""

from __future__ import annotations

import httpx

from bot.emulator.routes_apps import ping
from tests.bot.emulator.conformance_cases import Case
from tests.bot.emulator.world import World


def _pinged(w: World) -> None:
    """A finished ping delivery (to a closed port: failed, but recorded as GitHub records it)."""
    app = w.gh.emulator.store.apps[w.gh.app_id]
    ping(w.gh.emulator, app).done.wait(10)


def _config(w: World) -> httpx.Response:
    w.gh.set_webhook("http://127.0.0.1:9/webhook", "s3cret")
    return w.app_client().get("/app/hook/config")


def _patch_config(w: World) -> httpx.Response:
    return w.app_client().patch("/app/hook/config", json={"content_type": "json"})


def _deliveries(w: World) -> httpx.Response:
    _pinged(w)
    return w.app_client().get("/app/hook/deliveries", params={"per_page": 5})


def _redeliver(w: World) -> httpx.Response:
    _pinged(w)
    newest = w.app_client().get("/app/hook/deliveries").json()[0]["id"]
    return w.app_client().post(f"/app/hook/deliveries/{newest}/attempts")


CASES = [
    Case("GET", "/app/hook/config", 200, _config),
    Case("PATCH", "/app/hook/config", 200, _patch_config),
    Case("GET", "/app/hook/deliveries", 200, _deliveries),
    Case("POST", "/app/hook/deliveries/{delivery_id}/attempts", 202, _redeliver),
]
