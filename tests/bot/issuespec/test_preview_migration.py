"""/preview shows the migration approval would add, its risk class, and what it refuses."""

from __future__ import annotations

from typing import Any

from bot.issuespec.preview import compute_preview
from generators.model import Entity, SpecFile
from generators.spec import dump_spec

WIDGET = Entity.model_validate(
    {
        "name": "Widget",
        "fields": [
            {"name": "title", "type": "string", "required": True},
            {"name": "legacy", "type": "integer"},
        ],
    }
)
CURRENT = dump_spec(SpecFile.empty().upsert(WIDGET))


def shown(markdown: str) -> str:
    """The text as GitHub shows it (markdown escapes removed)."""
    return markdown.replace("\\", "")


def changed(*fields: dict[str, Any]) -> Entity:
    return Entity.model_validate({"name": "Widget", "fields": list(fields)})


def test_the_preview_names_the_operations_their_class_and_the_data_lost() -> None:
    title = {"name": "title", "type": "string", "required": True}
    text = shown(
        compute_preview(changed(title, {"name": "notes", "type": "text"}), CURRENT).markdown
    )
    assert "#### Migration: destructive" in text
    assert "**Approving this deletes data: widgets.legacy.**" in text
    assert "- add column widgets.notes (additive)" in text


def test_the_preview_says_when_the_change_would_be_refused() -> None:
    title = {"name": "title", "type": "string", "required": True}
    sku = {"name": "sku", "type": "string", "required": True}
    legacy = {"name": "legacy", "type": "integer"}
    text = shown(compute_preview(changed(title, legacy, sku), CURRENT).markdown)
    assert "#### Migration: refused" in text
    assert "widgets.sku is new and required" in text


def test_a_first_entity_has_no_migration_section() -> None:
    assert "Migration" not in compute_preview(WIDGET, None).markdown


def test_the_second_request_on_a_shipped_entity_lists_a_new_revision_not_a_rewritten_one() -> None:
    from bot.issuespec.preview import blob_sha
    from generators.service import generate_service
    from tests.bot.widget import WIDGET

    shipped = SpecFile.empty().upsert(Entity.model_validate(WIDGET))
    service = generate_service(shipped)
    tree = {path: blob_sha(text) for path, text in {**service.files, **service.user_owned}.items()}
    wanted = Entity.model_validate(
        {**WIDGET, "fields": [*WIDGET["fields"], {"name": "note", "type": "text"}]}
    )

    preview = compute_preview(wanted, dump_spec(shipped), existing=tree)

    revisions = [(c.path, c.change) for c in preview.files if c.path.startswith("migrations/")]
    assert len(revisions) == 1 and revisions[0][1] == "new"  # one appended revision
    assert "migrations/versions/widget.py" not in {path for path, _ in revisions}
