"""An App's permissions and events are seeded and changed like GitHub's settings page does,
and its webhook reports config and deliveries as GitHub's `/app/hook/*` endpoints do."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt

from bot.emulator.seed import default_seed
from bot.emulator.testing import EmulatorHandle, start_emulator


def _app_client(gh: EmulatorHandle) -> httpx.Client:
    now = int(time.time())
    token = jwt.encode(
        {"iat": now - 60, "exp": now + 300, "iss": str(gh.app_id)},
        gh.app_private_key(),
        algorithm="RS256",
    )
    return httpx.Client(base_url=gh.api_url, headers={"Authorization": f"Bearer {token}"})


def test_seeded_grants_are_what_get_app_answers_and_the_admin_api_changes_them() -> None:
    seed = default_seed()
    seed.apps[0].permissions = {"issues": "write", "metadata": "read"}
    seed.apps[0].events = ["issues"]
    with start_emulator(seed) as gh, _app_client(gh) as app:
        got: dict[str, Any] = app.get("/app").json()
        assert got["permissions"] == {"issues": "write", "metadata": "read"}
        assert got["events"] == ["issues"]

        changed = httpx.patch(
            f"{gh.api_url}/_emulator/apps/{gh.app_id}",
            json={"events": ["issues", "issue_comment"]},
        )
        assert changed.status_code == 200
        assert app.get("/app").json()["events"] == ["issues", "issue_comment"]
        assert app.get("/app").json()["permissions"] == {"issues": "write", "metadata": "read"}


def test_hook_config_masks_the_secret_and_deliveries_list_the_ping_newest_first() -> None:
    with start_emulator() as gh, _app_client(gh) as app:
        assert app.get("/app/hook/config").json() == {
            "content_type": "json",
            "insecure_ssl": "0",
            "url": "",
        }
        gh.set_webhook("http://127.0.0.1:9/webhook", "s3cret")
        assert app.get("/app/hook/config").json()["secret"] == "********"

        sent = httpx.post(f"{gh.api_url}/_emulator/apps/{gh.app_id}/ping")
        assert sent.status_code == 201
        delivery = gh.wait_for_delivery("ping")
        assert delivery.payload["hook"]["app_id"] == gh.app_id

        listed = app.get("/app/hook/deliveries").json()
        assert [(d["guid"], d["event"], d["status_code"]) for d in listed] == [
            (delivery.id, "ping", 0)
        ]
        assert listed[0]["status"] == "failed to connect to host"
        assert app.get("/app/hook/deliveries", params={"status": "success"}).json() == []

        user = httpx.get(
            f"{gh.api_url}/app/hook/config",
            headers={"Authorization": f"token {gh.token('writer')}"},
        )
        assert user.status_code == 401  # only the App's JWT reads its webhook
