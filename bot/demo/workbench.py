"""The demo's last step: the merged spec's service with its workbench, built, served, pictured.

It renders what the merged repository holds (generation is deterministic), installs the UI's
locked packages once into the user's cache, builds, serves on a free port and takes a
screenshot with Debian's Chromium. Without npm the step says so and the demo still passes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx

from bot.uibuild import CHROMIUM, build, generate, node_modules, serve

Say = Callable[[str], None]
ARTIFACT = Path("build") / "demo" / "workbench.png"


def _cache() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "issuebot"


def _screenshot(url: str, target: Path) -> Path | None:
    """A full-page PNG of `url`, or None without Playwright or Chromium (dev-only tools)."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 (a dev dependency)
    except ImportError:
        return None
    if not CHROMIUM.is_file():
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        page.locator(".table-card tbody tr").first.wait_for(timeout=15_000)
        page.wait_for_function(  # the stats answer after the table: picture them filled in
            "document.querySelector('[data-testid=stat-total]')?.textContent !== '\u2026'"
        )
        page.screenshot(path=str(target), full_page=True)
        browser.close()
    return target.resolve()


def show_workbench(spec_text: str, tmp: Path, stack: ExitStack, say: Say) -> str | None:
    """Serve the merged service's workbench until `stack` closes; its URL (None: skipped)."""
    if shutil.which("npm") is None:
        say("6. workbench skipped: npm is not installed (the UI needs Node.js to build)")
        return None
    spec = tmp / "merged-spec.json"
    spec.write_text(spec_text, encoding="utf-8")
    service = generate(spec, tmp / "service")
    seconds = build(service, node_modules(_cache()))
    base = stack.enter_context(serve(service, tmp / "service.db"))
    first = {"name": "orders warehouse", "connection_string": "dsn", "source_type": "database"}
    httpx.post(f"{base}/raw-data-sources", json=first, timeout=10).raise_for_status()
    url = f"{base}/ui/#/raw-data-sources"
    say(f"6. workbench built in {seconds:.0f} s and served by the generated service: {url}")
    shot = _screenshot(url, ARTIFACT)
    say(f"   screenshot: {shot}" if shot else "   screenshot skipped: no Playwright/Chromium")
    return url
