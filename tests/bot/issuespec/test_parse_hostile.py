"""Bodies written to hurt the bot get a specific verdict, fast, and never crash the process."""

from __future__ import annotations

import json

import pytest

from bot.issuespec.parse import parse_issue_body


def block(definition: object, info: str = "json") -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return f"## Entity definition\n\n```{info}\n{text}\n```\n"


def fields(count: int) -> list[dict[str, str]]:
    return [{"name": f"f{i}", "type": "json"} for i in range(count)]


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)

HOSTILE = {
    "body over GitHub's 65,536 characters": (
        block({"name": "Big", "fields": fields(1)}) + "x" * 70_000,
        "issue body",
        "GitHub allows 65536",
    ),
    "10,000 fields": (
        block({"name": "Wide", "fields": fields(10_000)}),
        "issue body",
        "GitHub allows 65536",
    ),
    "1,500 fields that fit in a body": (
        block({"name": "Wide", "fields": fields(1_500)}),
        "fields",
        "has 1500 fields",
    ),
    "a fake definition hidden inside a code block": (
        '## Description\n\n```\n## Entity definition\n```json\n{"name": "Evil"}\n```\n```\n'
        '## Entity definition\n```json\n{"name": "Real"}\n```\n',
        "entity definition",
        "no entity definition found",
    ),
    "nested fences inside the definition block": (
        '## Entity definition\n\n````json\n```json\n{"name": "A"}\n```\n{"x": 1}\n````\n',
        "entity definition",
        "invalid JSON at line 3, column 1 of the entity definition block",
    ),
    "a fence that is never closed": (
        '## Entity definition\n\n```json\n{"name": "A", "fields": [\n',
        "entity definition",
        "invalid JSON at line 2",
    ),
    "non-UTF-8 bytes smuggled in as lone surrogates": (
        block({"name": "Odd", "fields": fields(1)}) + "\udcff\udcfe",
        "issue body",
        "2 undecodable character(s)",
    ),
    "a \\udcff escape inside a JSON string": (
        block(
            '{"name": "Odd", "fields": [{"name": "x", "type": "string", "description": "\\udcff"}]}'
        ),
        "fields[0].description",
        "lone UTF-16 surrogate",
    ),
    "a field called __class__": (
        block({"name": "Thing", "fields": [{"name": "__class__", "type": "string"}]}),
        "fields[0].name",
        "",
    ),
    "a field called ../../x": (
        block({"name": "Thing", "fields": [{"name": "../../x", "type": "string"}]}),
        "fields[0].name",
        "",
    ),
    "a field called drop table": (
        block({"name": "Thing", "fields": [{"name": "drop table", "type": "string"}]}),
        "fields[0].name",
        "",
    ),
    "an entity called __class__": (
        block({"name": "__class__", "fields": fields(1)}),
        "name",
        "",
    ),
    "50,000 nested brackets": (block("[" * 50_000), "entity definition", "deeper than 32"),
    "a 5,000-digit number": (
        block('{"name": "N", "fields": [], "x": ' + "9" * 5_000 + "}"),
        "entity definition",
        "cannot be decoded",
    ),
    "NaN in JSON": (block('{"name": "N", "fields": [], "x": NaN}'), "entity definition", "NaN"),
    "duplicate keys": (
        block('{"name": "A", "name": "B", "fields": []}'),
        "entity definition",
        'the key "name" appears twice',
    ),
    "YAML billion laughs": (block(LAUGHS, "yaml"), "entity definition", "YAML alias"),
    "a YAML python tag": (
        block("!!python/object/apply:os.system ['echo pwned']", "yaml"),
        "entity definition",
        "could not determine a constructor",
    ),
    "a top-level list": (block([{"name": "A"}]), "entity definition", "holds list"),
    "3,000 empty Entity definition headings": (
        "## Entity definition\n" * 3_000,
        "entity definition",
        "3000 Entity definition sections",
    ),
    "thousands of fences": ("```json\n```\n" * 5_000, "entity definition", "no entity definition"),
    "one 60 kB line": (
        "## Entity definition\n\n```json\n" + "{" * 1 + " " * 60_000 + "}\n```",
        "name",
        "",
    ),
}


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("body", "path", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_body_gets_a_specific_verdict(body: str, path: str, message: str) -> None:
    parsed = parse_issue_body(body)

    assert parsed.entity is None
    assert not parsed.valid
    matching = [p for p in parsed.problems if p.path == path and message in p.message]
    assert matching, [p.render() for p in parsed.problems]


def test_hostile_names_are_never_executed_or_echoed_raw() -> None:
    parsed = parse_issue_body(
        block(
            {
                "name": "Thing",
                "fields": [{"name": "__import__('os').system('x')", "type": "string"}],
            }
        )
    )

    assert parsed.entity is None
    assert parsed.definition is not None  # read as data, still there for the reviewer
