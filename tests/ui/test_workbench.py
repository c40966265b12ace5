"""The generated workbench in Debian's Chromium: what a person does with it, end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Locator, Page, expect

from tests.ui.conftest import REQUIREMENTS, SPECS, shot
from tests.ui.harness import build, generate

# The first test of a worker waits for npm ci (shared, locked) and the two builds.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SOURCES = "raw-data-sources"
EXAMPLE = pytest.mark.parametrize("served", ["example"], indirect=True)
EVERY_TYPE = pytest.mark.parametrize("served", ["every_type"], indirect=True)
REQUESTED = pytest.mark.parametrize("served", ["requested"], indirect=True)
RELATIONS = pytest.mark.parametrize("served", ["relations"], indirect=True)


def workbench(page: Page, base: str, path: str = SOURCES) -> None:
    page.goto(f"{base}/ui/#/{path}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def form(page: Page, title: str) -> Locator:
    return page.get_by_role("form", name=title)


def rows(page: Page) -> Locator:
    return page.locator(".table-card tbody tr")


def source(base: str, name: str, kind: str = "database") -> dict[str, object]:
    body = {"name": name, "connection_string": "dsn", "source_type": kind}
    response = httpx.post(f"{base}/{SOURCES}", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def serious(page: Page) -> list[str]:
    """axe-core violations of impact serious or critical, as readable lines."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@EXAMPLE
def test_create_edit_filter_and_delete_through_the_forms(served: str, page: Page) -> None:
    workbench(page, served)
    expect(page.get_by_test_id("ui-requirements")).to_have_count(0)  # this spec has none
    page.get_by_role("button", name="New raw data source").click()
    new = form(page, "New raw data source")
    new.get_by_label("name", exact=True).fill("orders db")
    new.get_by_label("connection string").fill("postgres://secret-dsn")
    new.get_by_label("source type").select_option("api")
    new.get_by_label("refresh interval").fill("120")
    new.get_by_label("schema definition").fill('{"tables": ["orders"]}')
    new.get_by_role("button", name="Create", exact=True).click()

    expect(page.get_by_role("status")).to_have_text("Created the raw data source")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("orders db")
    expect(page.get_by_test_id("stat-total")).to_have_text("1")
    expect(page.locator(".breakdown li", has_text="api")).to_contain_text("1")
    assert "secret-dsn" not in page.content()  # write-only: never read back or shown
    shot(page, "example-created")

    source(served, "events stream", "stream")
    page.reload()
    expect(page.get_by_test_id("stat-total")).to_have_text("2")
    page.get_by_role("group", name="Filters").get_by_label("source type").select_option("stream")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("events stream")
    page.get_by_role("group", name="Filters").get_by_label("source type").select_option("")
    expect(rows(page)).to_have_count(2)

    row = rows(page).filter(has_text="orders db")
    row.focus()
    page.keyboard.press("Enter")
    detail = page.get_by_role("complementary", name="Details")
    expect(detail.get_by_role("heading", name="raw data source")).to_be_visible()
    detail.get_by_role("button", name="Edit").click()
    edit = form(page, "Edit raw data source")
    expect(edit.get_by_label("connection string")).to_have_value("")  # never prefilled
    edit.get_by_label("name", exact=True).fill("orders warehouse")
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved the raw data source")
    expect(detail).to_contain_text("orders warehouse")
    expect(rows(page).filter(has_text="orders warehouse")).to_have_count(1)
    shot(page, "example-edited")

    detail.get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Confirm delete").click()
    expect(page.get_by_role("status")).to_have_text("Deleted the raw data source")
    expect(rows(page)).to_have_count(1)
    expect(page.get_by_test_id("stat-total")).to_have_text("1")
    assert httpx.get(f"{served}/{SOURCES}").json()["total"] == 1


@EXAMPLE
def test_an_api_error_shows_next_to_the_field_it_names(served: str, page: Page) -> None:
    workbench(page, served)
    page.get_by_role("button", name="New raw data source").click()
    new = form(page, "New raw data source")
    new.get_by_label("schema definition").fill("{not json")
    expect(page.locator(f"#{SOURCES}-field-schema_definition-error")).to_contain_text(
        "Not valid JSON"
    )
    new.get_by_label("schema definition").fill("")
    new.get_by_label("name", exact=True).fill("too often")
    new.get_by_label("connection string").fill("dsn")
    new.get_by_label("refresh interval").fill("5")  # the spec's minimum is 60: the API says so
    new.get_by_role("button", name="Create", exact=True).click()
    error = page.locator(f"#{SOURCES}-field-refresh_interval-error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("60")
    expect(new.get_by_label("refresh interval")).to_have_attribute("aria-invalid", "true")
    shot(page, "example-field-error")
    assert serious(page) == []
    assert httpx.get(f"{served}/{SOURCES}").json()["total"] == 0


@EXAMPLE
def test_pages_sort_and_home_counts(served: str, page: Page) -> None:
    for n in range(23):
        source(served, f"source {n:02d}")
    page.goto(f"{served}/ui/")
    expect(page.get_by_test_id(f"count-{SOURCES}")).to_have_text("23")
    shot(page, "example-home")
    assert serious(page) == []
    page.get_by_role("link", name="raw data sources").first.click()
    page.get_by_label("Rows per page").select_option("10")
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("1–10 of 23")
    pager.get_by_role("button", name="Next").click()
    expect(pager).to_contain_text("11–20 of 23")
    pager.get_by_role("button", name="Next").click()
    expect(pager).to_contain_text("21–23 of 23")
    expect(rows(page)).to_have_count(3)
    expect(pager.get_by_role("button", name="Next")).to_be_disabled()
    pager.get_by_role("button", name="Previous").click()
    expect(pager).to_contain_text("11–20 of 23")
    page.get_by_role("button", name="name", exact=True).click()
    expect(page.locator("th", has_text="name").first).to_have_attribute("aria-sort", "ascending")
    expect(rows(page).first).to_contain_text("source 00")
    page.get_by_role("button", name="name", exact=True).click()
    expect(rows(page).first).to_contain_text("source 22")
    rows(page).first.click()
    shot(page, "example-workbench")
    assert serious(page) == []


@EXAMPLE
def test_an_action_run_shows_in_the_history_until_it_finishes(served: str, page: Page) -> None:
    good = source(served, "orders db")
    source(served, "broken feed")  # its sync hook raises (tests/ui/conftest.py FAILING_SYNC)
    workbench(page, served)
    detail = page.get_by_role("complementary", name="Details")

    rows(page).filter(has_text="orders db").click()
    detail.get_by_role("button", name="sync", exact=True).click()
    expect(detail.get_by_role("status")).to_contain_text("sync: queued")
    status = detail.get_by_test_id("run-status").first
    expect(status).to_have_text("succeeded", timeout=20_000)
    history = httpx.get(f"{served}/{SOURCES}/{good['id']}/action-runs").json()["items"]
    assert [run["status"] for run in history] == ["succeeded"]
    shot(page, "example-action-history")

    rows(page).filter(has_text="broken feed").click()
    detail.get_by_role("button", name="sync", exact=True).click()
    expect(detail.get_by_test_id("run-status").first).to_have_text("failed", timeout=20_000)
    expect(detail.locator(".history .error-text").first).to_have_text(
        "the source refused the connection"
    )
    shot(page, "example-action-failed")
    assert serious(page) == []


@RELATIONS
def test_a_child_picks_its_parent_by_name_and_links_back(served: str, page: Page) -> None:
    workbench(page, served, "data-sources")
    page.get_by_role("button", name="New data source").click()
    form(page, "New data source").get_by_label("name", exact=True).fill("orders db")
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Created the data source")
    parent = httpx.get(f"{served}/data-sources").json()["items"][0]

    workbench(page, served, "sync-runs")
    page.get_by_role("button", name="New sync run").click()
    new = form(page, "New sync run")
    choice = new.get_by_label("source", exact=True)
    expect(choice.locator("option", has_text="orders db")).to_have_count(1)  # named, not a uuid
    choice.select_option(label="orders db")
    new.get_by_label("rows").fill("42")
    new.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Created the sync run")
    child = httpx.get(f"{served}/sync-runs").json()["items"][0]
    assert child["source_id"] == parent["id"]
    link = rows(page).first.get_by_role("link", name="orders db")
    expect(link).to_have_attribute("href", f"#/data-sources/{parent['id']}")
    detail = page.get_by_role("complementary", name="Details")
    expect(detail.get_by_role("link", name="orders db")).to_be_visible()
    assert serious(page) == []

    link.click()  # the parent's page opens with its detail, listing the new child
    expect(page.get_by_role("heading", level=1)).to_have_text("data sources")
    runs = detail.get_by_role("region", name=re.compile("sync runs"))
    back = runs.get_by_role("link")
    expect(back).to_have_count(1)
    expect(back).to_have_attribute("href", f"#/sync-runs/{child['id']}")
    shot(page, "relations-parent-detail")
    assert serious(page) == []
    back.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("sync runs")
    expect(detail).to_contain_text("42")
    expect(detail.get_by_role("link", name="orders db")).to_be_visible()


@REQUESTED
def test_the_requests_ui_requirements_head_the_workbench(served: str, page: Page) -> None:
    workbench(page, served)
    header = page.get_by_test_id("ui-requirements")
    expect(header).to_contain_text("DataSourceWorkbench with Bento layout")
    expect(header).to_contain_text("Keep <b>secrets</b> out of the table & the logs.")
    expect(header.locator("b")).to_have_count(0)  # text, never HTML
    assert header.inner_text() == REQUIREMENTS
    shot(page, "requested-header")


@EVERY_TYPE
def test_every_field_type_has_its_input(served: str, page: Page) -> None:
    spec = json.loads(Path(SPECS["every_type"]).read_text(encoding="utf-8"))
    enums = {f["name"]: f["values"] for f in spec["entities"][0]["fields"] if f["type"] == "enum"}
    workbench(page, served, "lab-samples")
    page.get_by_role("button", name="New lab sample").click()
    new = form(page, "New lab sample")
    expect(new.get_by_label("received at")).to_have_attribute("type", "datetime-local")
    expect(new.get_by_label("expires on")).to_have_attribute("type", "date")
    expect(new.get_by_label("quantity")).to_have_attribute("type", "number")
    expect(new.get_by_label("api key")).to_have_attribute("type", "password")
    expect(new.get_by_label("code")).to_have_attribute("required", "")
    new.get_by_label("code").fill("LS-1")
    new.get_by_label("notes").fill("handle with care")
    new.get_by_label("quantity").fill("7")
    new.get_by_label("weight").fill("2.5")
    new.get_by_label("fragile").check()
    new.get_by_label("received at").fill("2024-05-01T10:30:00")
    new.get_by_label("expires on").fill("2024-06-01")
    new.get_by_label("status").select_option(enums["status"][-1])
    new.get_by_label("payload").fill('{"k": [1, 2]}')
    new.get_by_label("api key").fill("sk-hidden-value")
    new.get_by_label("order", exact=True).fill("3")
    new.get_by_label("json", exact=True).check()
    new.get_by_label("select", exact=True).select_option(enums["select"][0])
    new.get_by_label("date", exact=True).fill("2023-12-31")
    shot(page, "every-type-form")
    assert serious(page) == []
    new.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Created the lab sample")
    stored = httpx.get(f"{served}/lab-samples").json()["items"][0]
    assert stored["quantity"] == 7 and stored["weight"] == 2.5 and stored["fragile"] is True
    assert stored["payload"] == {"k": [1, 2]} and stored["expires_on"] == "2024-06-01"
    assert stored["status"] == enums["status"][-1] and stored["date"] == "2023-12-31"
    assert "api_key" not in stored and "sk-hidden-value" not in page.content()
    expect(page.get_by_role("complementary", name="Details")).to_contain_text('{"k":[1,2]}')
    shot(page, "every-type-detail")


def test_the_build_is_byte_for_byte_the_same_for_the_same_spec(
    built: dict[str, Path], modules: Path, tmp_path: Path
) -> None:
    again = generate(SPECS["example"], tmp_path / "again")
    build(again, modules)

    def dist(service: Path) -> dict[str, bytes]:
        root = service / "ui" / "dist"
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    first = dist(built["example"])
    assert first and dist(again) == first
