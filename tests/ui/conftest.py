"""Fixtures of the browser tests: one UI build per spec per session, Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bot.demo.request import seed_request
from bot.issuespec.parse import parse_issue_body
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from generators.spec import SpecFile, dump_spec
from tests.ui.harness import CHROMIUM, build, generate, node_modules, serve

ROOT = Path(__file__).resolve().parents[2]
SPECS = {
    "example": ROOT / "specs" / "entities.json",
    "every_type": ROOT / "specs" / "examples" / "every_field_type.json",
    "relations": ROOT / "specs" / "examples" / "relations.json",
}
# The seed request's UI text, plus markup that must show as text (React escapes it).
REQUIREMENTS = (
    seed_request()["ui_requirements"] + "\nKeep <b>secrets</b> out of the table & the logs."
)


def requested_spec(out: Path) -> Path:
    """specs/entities.json as the bot writes it for the seed's request issue (its UI text too)."""
    req = FeatureRequest.model_validate({**seed_request(), "ui_requirements": REQUIREMENTS})
    parsed = parse_issue_body(render_issue_body(req))
    assert parsed.entity is not None, parsed.problems
    path = out / "entities.json"
    path.write_text(dump_spec(SpecFile(version=1).upsert(parsed.entity)), encoding="utf-8")
    return path


# What the team writes in a user-owned hooks file: here a sync that fails for some sources,
# so the browser sees a failed run with the hook's own message.
FAILING_SYNC = """

_generated_on_sync = on_sync


def on_sync(context):  # type: ignore[no-untyped-def]
    if context.item.name.startswith("broken"):
        raise RuntimeError("the source refused the connection")
    _generated_on_sync(context)
"""
HOOKS = {"example": ("app/hooks/raw_data_source.py", FAILING_SYNC)}
ARTIFACTS = Path(os.environ.get("UI_ARTIFACTS", ROOT / "build" / "test-artifacts" / "ui"))


@pytest.fixture(scope="session")
def modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """node_modules shared by every xdist worker of this session (the parent of their temps)."""
    return node_modules(tmp_path_factory.getbasetemp().parent)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, modules: Path) -> dict[str, Path]:
    """Each spec generated and built once: its service directory, by case name."""
    services = {}
    cases = {**SPECS, "requested": requested_spec(tmp_path_factory.mktemp("ui-request"))}
    for name, spec in cases.items():
        service = generate(spec, tmp_path_factory.mktemp(f"ui-{name}"))
        if name in HOOKS:
            path, code = HOOKS[name]
            hooks = service / path
            hooks.write_text(hooks.read_text(encoding="utf-8") + code, encoding="utf-8")
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
