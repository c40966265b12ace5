"""Print the workbench UI's build time and its first-page load with 1,000 rows.

Generates the example service with its UI, `npm ci` once (cached under build/), times
`npm run build` (OpenAPI dump, openapi-typescript, tsc, vite), then serves it with 1,000
raw data sources and times DOMContentLoaded and the first rows in Debian's Chromium.
The table pages on the server (25 rows a page), so the load does not grow with the table.
Target: first page under 1 s on this machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bot.uibuild import CHROMIUM, build, generate, node_modules, serve  # noqa: E402

ROWS = 1000
RUNS = 5


def seed(base: str) -> None:
    """1,000 rows through the API (one client, keep-alive)."""
    with httpx.Client(base_url=base, timeout=10) as client:
        for n in range(ROWS):
            body = {"name": f"source {n:04d}", "connection_string": "dsn", "source_type": "api"}
            client.post("/raw-data-sources", json=body).raise_for_status()


def loads(base: str) -> list[tuple[float, float]]:
    """(DOMContentLoaded ms, first rows visible ms) of cold page loads."""
    figures = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        for _ in range(RUNS):
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(f"{base}/ui/#/raw-data-sources", wait_until="domcontentloaded")
            dom = page.evaluate(
                "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            page.locator(".table-card tbody tr").nth(24).wait_for()
            figures.append((float(dom), (time.perf_counter() - started) * 1000))
            page.close()
        browser.close()
    return figures


def main() -> None:
    cache = ROOT / "build" / "bench-ui"
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    modules = node_modules(cache)
    print(f"npm ci (cached after the first run): {time.perf_counter() - started:6.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        service = generate(ROOT / "specs" / "entities.json", Path(tmp) / "service")
        print(f"UI build (openapi, types, tsc, vite):  {build(service, modules):6.1f} s")
        with serve(service, Path(tmp) / "bench.db") as base:
            seed(base)
            figures = loads(base)
    dom = statistics.median(f[0] for f in figures)
    rows = statistics.median(f[1] for f in figures)
    print(f"first page, {ROWS} rows in the table, median of {RUNS} cold loads:")
    print(
        f"  DOMContentLoaded {dom:7.0f} ms   first 25 rows visible {rows:7.0f} ms   (target < 1000)"
    )


if __name__ == "__main__":
    main()
