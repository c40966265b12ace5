"""The App's own webhook: ``/app/hook/config``, ``/app/hook/deliveries``, and their admin side.

The emulator has one webhook (``WebhookSender``); it is the App's webhook, as on GitHub where an
App has exactly one. Deliveries are listed newest first with GitHub's summary fields; a ``ping``
is what GitHub sends when the App's webhook is created (``POST /_emulator/apps/{id}/ping``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from bot.emulator.core import Emulator, emulator_of
from bot.emulator.serializers import user_json
from bot.emulator.state import App, now_iso
from bot.emulator.web import ApiError, JsonObject, Router, identity, not_found, validation_failed
from bot.emulator.webhooks import HOOK_ID, Delivery

router = Router()
admin = Router(prefix="/_emulator")

_ZEN = "Keep it logically awesome."


def _app_of(request: Request) -> tuple[Emulator, App]:
    """The App whose JWT authenticates the call (these endpoints accept nothing else)."""
    emulator = emulator_of(request)
    who = identity(request)
    if who.app_id is None:
        raise ApiError(401, "A JSON web token could not be decoded")
    return emulator, emulator.store.apps[who.app_id]


def hook_config(emulator: Emulator) -> dict[str, Any]:
    """``webhook-config``: GitHub never returns the secret, only that one is set."""
    hooks = emulator.hooks
    config: dict[str, Any] = {"content_type": "json", "insecure_ssl": "0", "url": hooks.url or ""}
    if hooks.secret:
        config["secret"] = "********"  # noqa: S105 - the mask GitHub answers with
    return config


def _status(delivery: Delivery) -> str:
    if delivery.status_code is not None and 200 <= delivery.status_code < 300:
        return "OK"
    if delivery.status_code is not None:
        return f"Invalid HTTP Response: {delivery.status_code}"
    return "failed to connect to host" if delivery.url else "no webhook URL configured"


def _summary(number: int, delivery: Delivery) -> dict[str, Any]:
    """``hook-delivery-item``: what GitHub lists for one delivery attempt."""
    installation = delivery.payload.get("installation")
    repository = delivery.payload.get("repository")
    return {
        "id": number,
        "guid": delivery.id,
        "delivered_at": delivery.delivered_at or now_iso(),
        "redelivery": delivery.redelivery,
        "duration": 0.0,  # the sender does not time attempts
        "status": _status(delivery),
        "status_code": delivery.status_code or 0,
        "event": delivery.event,
        "action": delivery.action,
        "installation_id": installation.get("id") if isinstance(installation, dict) else None,
        "repository_id": repository.get("id") if isinstance(repository, dict) else None,
        "throttled_at": None,
    }


@router.get("/app/hook/config")
def get_hook_config(request: Request) -> dict[str, Any]:
    """The App's webhook configuration (secret masked)."""
    emulator, _ = _app_of(request)
    return hook_config(emulator)


@router.patch("/app/hook/config")
def update_hook_config(request: Request, body: JsonObject) -> dict[str, Any]:
    """Change the App's webhook URL or secret (fields left out are kept)."""
    emulator, _ = _app_of(request)
    hooks = emulator.hooks
    url = body.get("url", hooks.url)
    if url is not None and not isinstance(url, str):
        raise validation_failed("Hook", "invalid", "url")
    secret = body.get("secret", hooks.secret)
    hooks.configure(url or None, secret if isinstance(secret, str) and secret else None)
    return hook_config(emulator)


@router.get("/app/hook/deliveries")
def list_deliveries(request: Request) -> list[dict[str, Any]]:
    """Finished deliveries of the App's webhook, newest first (``status``, ``per_page``)."""
    emulator, _ = _app_of(request)
    wanted = request.query_params.get("status")
    if wanted not in (None, "success", "failure"):
        raise ApiError(422, "Validation Failed")
    try:
        per_page = max(1, min(100, int(request.query_params.get("per_page", "30"))))
    except ValueError as exc:
        raise ApiError(400, "per_page must be an integer") from exc
    rows = [
        _summary(number, d)
        for number, d in enumerate(emulator.hooks.deliveries(), start=1)
        if d.done.is_set()
    ]
    if wanted is not None:
        rows = [r for r in rows if (r["status"] == "OK") == (wanted == "success")]
    return rows[::-1][:per_page]


@router.post("/app/hook/deliveries/{delivery_id}/attempts", status_code=202)
def redeliver(request: Request, delivery_id: int) -> JSONResponse:
    """Send a past delivery again (same GUID), as the Redeliver button does."""
    emulator, _ = _app_of(request)
    records = emulator.hooks.deliveries()
    if not 1 <= delivery_id <= len(records):
        raise not_found()
    emulator.hooks.redeliver(records[delivery_id - 1].id)
    return JSONResponse({}, status_code=202)


def ping(emulator: Emulator, app: App) -> Delivery:
    """Queue the ``ping`` GitHub sends when an App's webhook is created."""
    config = hook_config(emulator)
    store = emulator.store
    hook = {
        "type": "App",
        "id": HOOK_ID,
        "name": "web",
        "active": True,
        "events": list(app.events),
        "config": {k: v for k, v in config.items() if k != "secret"},
        "updated_at": now_iso(),
        "created_at": app.created_at,
        "app_id": app.id,
        "deliveries_url": f"{store.base_url}/app/hook/deliveries",
    }
    payload = {
        "zen": _ZEN,
        "hook_id": HOOK_ID,
        "hook": hook,
        "sender": user_json(store, app.owner),
    }
    return emulator.hooks.emit("ping", payload)


def _admin_app(request: Request, app_id: int) -> tuple[Emulator, App]:
    emulator = emulator_of(request)
    app = emulator.store.apps.get(app_id)
    if app is None:
        raise not_found()
    return emulator, app


@admin.patch("/apps/{app_id}")
def set_app_grants(request: Request, app_id: int, body: JsonObject) -> dict[str, Any]:
    """Change what an App was granted: ``{"permissions"?: {name: level}, "events"?: [...]}``."""
    emulator, app = _admin_app(request, app_id)
    permissions, events = body.get("permissions"), body.get("events")
    with emulator.store.lock:
        if isinstance(permissions, dict):
            app.permissions = {str(k): str(v) for k, v in permissions.items()}
        if isinstance(events, list):
            app.events = [str(e) for e in events]
    return {"id": app.id, "permissions": app.permissions, "events": app.events}


@admin.post("/apps/{app_id}/ping", status_code=201)
def send_ping(request: Request, app_id: int) -> dict[str, Any]:
    """Deliver a ``ping`` to the App's webhook (GitHub sends one when the hook is created)."""
    emulator, app = _admin_app(request, app_id)
    return {"guid": ping(emulator, app).id}
