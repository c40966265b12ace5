"""URL paths are public API: the plural of an entity name must be real English."""

from __future__ import annotations

import pytest

from generators.naming import kebab_plural, pluralize, table_name


@pytest.mark.parametrize(
    ("entity", "path"),
    [
        ("RawDataSource", "raw-data-sources"),
        ("Category", "categories"),
        ("Box", "boxes"),
        ("Bus", "buses"),
        ("Status", "statuses"),
        ("Person", "people"),
        ("Analysis", "analyses"),
        ("LabSample", "lab-samples"),
        ("AllTypes", "all-types"),  # already plural: not "all-typeses"
        ("Series", "series"),
    ],
)
def test_entity_paths_use_real_plurals(entity: str, path: str) -> None:
    assert kebab_plural(entity) == path


def test_table_names_follow_the_same_plural() -> None:
    assert table_name("DataPerson") == "data_people"


@pytest.mark.parametrize("snake", ["__class__", "x_", "v2_1", "_"])
def test_names_without_an_english_last_word_get_a_plain_s(snake: str) -> None:
    assert pluralize(snake) == snake + "s"
