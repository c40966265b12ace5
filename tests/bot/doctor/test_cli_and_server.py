"""The same gates through the real `issuebot doctor` process and the server's `/readyz?full=1`."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.queue import InProcessQueue
from bot.server.app import create_app
from bot.server.background import serve_in_thread
from bot.settings import Settings
from bot.store import RunStore
from tests.bot.doctor.setup import REPO, Installation, installation


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Installation]:
    """A correctly set-up installation, fresh per test."""
    with installation(tmp_path) as ready:
        yield ready


def doctor(repo_root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`.venv/bin/issuebot doctor` as an operator runs it, with only these settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ISSUEBOT_"))}
    return subprocess.run(
        [str(repo_root / ".venv/bin/issuebot"), "doctor", "--repo", REPO, *args],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_exits_0_when_ready_and_15_with_the_fix_when_not(
    setup: Installation, repo_root: Path
) -> None:
    good = doctor(repo_root, setup.env, "--json")
    assert good.returncode == 0, good.stdout + good.stderr
    report = json.loads(good.stdout)
    assert report["ready"] is True
    assert {g["gate"] for g in report["gates"] if g["status"] == "pass"} >= {
        "credentials", "app-permissions", "app-events", "webhook-delivery", "labels",
        "branch-protection", "can-merge", "repo-config", "sandbox", "store",
    }  # fmt: skip

    del setup.app.permissions["issues"]
    bad = doctor(repo_root, setup.env)
    assert bad.returncode == 15, bad.stdout + bad.stderr
    assert "FAIL  app-permissions    the App lacks issues: write" in bad.stdout
    assert "fix: grant issues: write in the App's settings" in bad.stdout
    assert bad.stderr.strip() == "not-ready: 1 readiness gate(s) failed: app-permissions"


def test_readyz_full_runs_the_gates_and_plain_readyz_stays_cheap(
    setup: Installation, tmp_path: Path
) -> None:
    settings = Settings.model_validate(setup.env)
    store = RunStore.open(setup.env["DATABASE_URL"])
    app = create_app(settings, store=store, queue=InProcessQueue())
    try:
        with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=60) as client:
            assert client.get("/readyz").json() == {
                "ready": True,
                "checks": {"store": "ok", "queue": "ok"},
            }
            full = client.get("/readyz", params={"full": "1", "repo": REPO})
            assert full.status_code == 200, full.text
            assert full.json()["ready"] is True

            setup.app.events.remove("issue_comment")
            broken = client.get("/readyz", params={"full": "1", "repo": REPO})
            assert broken.status_code == 503
            failing = [g for g in broken.json()["gates"] if g["status"] == "fail"]
            assert [g["gate"] for g in failing] == ["app-events"]
            assert "issue_comment" in failing[0]["detail"]

            assert client.get("/readyz", params={"full": "1", "repo": "../x"}).status_code == 400
    finally:
        store.close()


def test_readyz_full_is_for_the_operator_once_a_token_is_set(
    setup: Installation, tmp_path: Path
) -> None:
    settings = Settings.model_validate({**setup.env, "ISSUEBOT_METRICS_TOKEN": "ops-only-4417"})
    store = RunStore.open(setup.env["DATABASE_URL"])
    app = create_app(settings, store=store, queue=InProcessQueue())
    try:
        with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=60) as client:
            anyone = client.get("/readyz", params={"full": "1", "repo": REPO})
            assert anyone.status_code == 401 and "gates" not in anyone.json()
            assert client.get("/readyz").status_code == 200  # the cheap probe stays open
            operator = client.get(
                "/readyz", params={"full": "1", "repo": REPO},
                headers={"authorization": "Bearer ops-only-4417"},
            )  # fmt: skip
            assert operator.status_code == 200 and operator.json()["ready"] is True
    finally:
        store.close()


@pytest.mark.redis
def test_a_web_server_with_a_queue_skips_the_sandbox_its_workers_need(
    setup: Installation, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISSUEBOT_BWRAP", "/nonexistent/bwrap")  # as in the server's container
    settings = Settings.model_validate(setup.env | {"QUEUE_URL": redis_url})
    store = RunStore.open(setup.env["DATABASE_URL"])
    app = create_app(settings, store=store, queue=InProcessQueue())
    try:
        with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=60) as client:
            full = client.get("/readyz", params={"full": "1", "repo": REPO}).json()
    finally:
        store.close()
    gates = {g["gate"]: g for g in full["gates"]}
    assert full["ready"] is True
    assert gates["sandbox"]["status"] == "skip"
    assert "run `issuebot doctor` where they run" in gates["sandbox"]["detail"]
    assert gates["queue"]["status"] == "pass"
    assert setup.doctor({"ISSUEBOT_BWRAP": "/nonexistent/bwrap"})["sandbox"].status == "fail"
