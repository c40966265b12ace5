"""Fixtures of the browser tests: one UI build per spec per session, Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.ui.harness import CHROMIUM, build, generate, node_modules, serve

ROOT = Path(__file__).resolve().parents[2]
SPECS = {
    "example": ROOT / "specs" / "entities.json",
    "every_type": ROOT / "specs" / "examples" / "every_field_type.json",
}
ARTIFACTS = Path(os.environ.get("UI_ARTIFACTS", ROOT / "build" / "test-artifacts" / "ui"))


@pytest.fixture(scope="session")
def modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """node_modules shared by every xdist worker of this session (the parent of their temps)."""
    return node_modules(tmp_path_factory.getbasetemp().parent)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, modules: Path) -> dict[str, Path]:
    """Each spec generated and built once: its service directory, by case name."""
    services = {}
    for name, spec in SPECS.items():
        service = generate(spec, tmp_path_factory.mktemp(f"ui-{name}"))
        build(service, modules)
        services[name] = service
    return services


@pytest.fixture
def served(request: pytest.FixtureRequest, built: dict[str, Path], tmp_path: Path) -> Iterator[str]:
    """A fresh database and server per test, for the case named by `indirect` param."""
    with serve(built[request.param], tmp_path / "app.db") as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot under the artifacts directory (CI uploads it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
