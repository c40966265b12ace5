"""Logs are JSON with run context and never carry a secret; metrics reach one /metrics page."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from pydantic import SecretStr

from bot.observability import (
    REDACTED,
    configure_logging,
    get_logger,
    log_context,
    redact,
    register_secret,
    register_settings_secrets,
    render_metrics,
)
from bot.settings import Settings

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
WEBHOOK_SECRET = "whsec-do-not-print-7731"
SENSITIVE_VALUE = "postgres://admin:hunter2-prod@db.internal/app"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything every logger writes while the test runs, as the worker would print it."""
    stream = io.StringIO()
    factory = logging.getLogRecordFactory()
    handler = configure_logging(stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)
    logging.setLogRecordFactory(factory)
    structlog.reset_defaults()


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_secrets_logged_anywhere_never_reach_the_output(captured: io.StringIO) -> None:
    register_settings_secrets(
        Settings(github_token=SecretStr(TOKEN), webhook_secret=SecretStr(WEBHOOK_SECRET))
    )
    register_secret(SENSITIVE_VALUE)  # a spec field marked `sensitive`
    log = get_logger("issuebot.test")
    log.info("token_refreshed", token=TOKEN, headers={"X-Secret": WEBHOOK_SECRET})
    log.info("spec_parsed", fields=[{"name": "dsn", "default": SENSITIVE_VALUE}])
    try:
        raise RuntimeError(f"push failed for https://x-access-token:{TOKEN}@github.com/a/b")
    except RuntimeError:
        log.exception("push_failed")
    logging.getLogger("rq.worker").warning("job args: %s", {"secret": WEBHOOK_SECRET})
    logging.getLogger("alembic.runtime").warning("key loaded: %s", PEM)
    output = captured.getvalue()
    for secret in (TOKEN, WEBHOOK_SECRET, SENSITIVE_VALUE, "hunter2-prod", "MIIEowIBAAKCAQEA"):
        assert secret not in output
    assert output.count(REDACTED) >= 6
    assert len(_lines(captured)) == 5


def test_other_handlers_such_as_pytests_log_capture_get_masked_records_too(
    captured: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    register_secret(WEBHOOK_SECRET)
    try:
        raise ValueError(f"bad signature with {WEBHOOK_SECRET}")
    except ValueError:
        logging.getLogger("uvicorn.error").exception("webhook %s failed", WEBHOOK_SECRET)
    get_logger("issuebot.server").error("webhook_rejected", secret=WEBHOOK_SECRET)
    assert len(caplog.records) == 2
    assert WEBHOOK_SECRET not in caplog.text
    assert "bad signature with [redacted]" in caplog.text


def test_log_lines_are_json_with_the_bound_run_context(captured: io.StringIO) -> None:
    log = get_logger("issuebot.pipeline")
    with log_context(delivery_id="d-1", run_id="r-1", repo="acme/shop", issue=7, step="test"):
        log.info("step_started")
    log.info("run_idle")
    started, idle = _lines(captured)
    assert {k: started[k] for k in ("event", "level", "delivery_id", "run_id", "repo")} == {
        "event": "step_started",
        "level": "info",
        "delivery_id": "d-1",
        "run_id": "r-1",
        "repo": "acme/shop",
    }
    assert (started["issue"], started["step"]) == (7, "test")
    assert "run_id" not in idle and "timestamp" in idle


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("token ghs_16C7e42F292c6912E7710c838347Ae178B4a expired", "token  expired"),
        ("pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz used", "pat  used"),
        (f"key:\n{PEM}\nnext", "key:\n\nnext"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC (truncated", ""),
        ("Authorization: Bearer abc.def.ghi", "Authorization: Bearer "),
        (
            "clone https://x-access-token:s3cr3t@github.com/a/b.git",
            "clone https://x-access-token:@github.com/a/b.git",
        ),
        ("plain test output: 3 passed", "plain test output: 3 passed"),
    ],
)
def test_redact_masks_token_shapes_in_untrusted_text(text: str, kept: str) -> None:
    assert redact(text).replace(REDACTED, "") == kept


def test_metrics_from_worker_processes_appear_on_the_servers_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path
) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    worker = "from bot.observability import RUNS_TOTAL; RUNS_TOTAL.labels(outcome='failed').inc(3)"
    for _ in range(2):  # two work horses, each gone after its job
        subprocess.run([sys.executable, "-c", worker], env=env, cwd=repo_root, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    body, content_type = render_metrics()
    assert content_type.startswith("text/plain")
    assert 'issuebot_runs_total{outcome="failed"} 6.0' in body.decode()


def test_the_metrics_page_names_every_series_the_dashboards_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    text = render_metrics()[0].decode()
    for name in (
        "issuebot_deliveries_total",
        "issuebot_runs_total",
        "issuebot_step_duration_seconds",
        "issuebot_queue_depth",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "as_json"), [(io.StringIO(), True), (_Terminal(), False)])
def test_people_get_text_and_log_collectors_get_json_and_library_chatter_stays_quiet(
    stream: io.StringIO, as_json: bool
) -> None:
    factory = logging.getLogRecordFactory()
    handler = configure_logging(json_output=None, stream=stream)
    try:
        logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
        logging.getLogger("urllib3.connectionpool").info("Starting new HTTPS connection")
        get_logger("issuebot.test").info("run_started", run_id="r-1")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.setLogRecordFactory(factory)
        structlog.reset_defaults()
    [line] = stream.getvalue().splitlines()
    assert "run_started" in line and "Context impl" not in stream.getvalue()
    assert line.startswith("{") is as_json
