"""Filing a request: files in JSON or YAML, hostile sizes refused, invalid specs create nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.config import RepoConfig
from bot.errors import SpecError
from bot.issuespec.request import (
    FeatureRequest,
    InvalidRequestError,
    load_request_file,
    load_request_text,
)
from bot.issuespec.request_feature import request_feature
from tests.bot.issuespec.fakes import FakeRepo
from tests.bot.issuespec.seed import SEED_REQUEST, seed_request


def test_json_and_yaml_files_with_the_seed_keys_load_the_same(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(json.dumps(SEED_REQUEST))
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(SEED_REQUEST))

    assert load_request_file(tmp_path / "r.json") == load_request_file(tmp_path / "r.yaml")
    assert (
        load_request_file(tmp_path / "r.json").entity_definition
        == SEED_REQUEST["entity_definition"]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 2]", "must be a mapping"),
        ('{"title": "x"', "not valid JSON (line 1, column 14"),
        ("a: &x [1]\nb: *x\n", "YAML aliases"),
        ("!!python/object/apply:os.system ['true']", "not valid YAML"),
        (json.dumps(seed_request(title="t" * 300)), "title"),
        (json.dumps(seed_request(api_endpoints=["GET /a\nGET /b"])), "single line"),
        (json.dumps(seed_request(acceptance_criteria=["x"] * 101)), "acceptance_criteria"),
        (
            json.dumps(seed_request(entity_definition={"a": json.loads("[" * 40 + "]" * 40)})),
            "nested deeper",
        ),
        (json.dumps(seed_request(entity_definition={"x": "y" * 50_000})), "characters as JSON"),
        (json.dumps({k: v for k, v in SEED_REQUEST.items() if k != "user_story"}), "user_story"),
        (json.dumps(seed_request(extra="?")), "extra"),
    ],
)
def test_malformed_requests_are_refused_with_the_reason(text: str, expected: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        load_request_text(text)

    assert expected in caught.value.message


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_bytes(b'{"title": "\xff"}')

    with pytest.raises(InvalidRequestError, match="not UTF-8"):
        load_request_file(tmp_path / "r.json")


def test_request_feature_files_one_issue_with_both_labels_and_a_reply() -> None:
    repo = FakeRepo()

    number, url = request_feature(repo, FeatureRequest.model_validate(SEED_REQUEST), RepoConfig())

    issue = repo.get_issue(number)
    assert url == issue.html_url
    assert set(issue.labels) == {"entity-request", "needs-review"}
    assert {"needs-review", "entity-request", "spec-invalid"} <= set(repo.labels)
    assert all(label.color and label.description for label in repo.labels.values())
    assert "```json\n{" in issue.body
    assert [c[1] for c in repo.calls if c[0] == "upsert_comment"] == ["request-summary"]


def test_filing_the_same_request_again_reuses_the_open_issue() -> None:
    repo = FakeRepo()
    req = FeatureRequest.model_validate(SEED_REQUEST)

    first = request_feature(repo, req, RepoConfig())
    second = request_feature(repo, req, RepoConfig())

    assert first == second
    assert [c for c in repo.calls if c[0] == "create_issue"] == [("create_issue", req.title)]
    assert len(repo.comments[first[0]]) == 1


def test_an_invalid_definition_creates_nothing_and_lists_every_problem() -> None:
    repo = FakeRepo()
    definition = {
        "name": "bad name",
        "fields": [
            {"name": "x", "type": "integer", "max_length": 3},
            {"name": "n", "type": "integer", "min": 9, "default": 1},
        ],
    }
    req = FeatureRequest.model_validate(seed_request(entity_definition=definition))

    with pytest.raises(SpecError) as caught:
        request_feature(repo, req, RepoConfig())

    paths = [p.split(":")[0] for p in caught.value.problems]
    assert (
        "name" in paths
        and "fields[0].max_length" in paths
        and any(p.startswith("fields[1]") for p in paths)
    )
    assert repo.calls == [] and repo.issues == {}


def test_an_endpoint_line_that_is_neither_crud_nor_an_action_is_blamed_by_line() -> None:
    req = FeatureRequest.model_validate(
        seed_request(
            api_endpoints=[*SEED_REQUEST["api_endpoints"], "GET /raw-data-sources/{id}/logs - x"]
        )
    )

    with pytest.raises(SpecError) as caught:
        request_feature(FakeRepo(), req, RepoConfig())

    assert caught.value.problems[0].startswith("api_endpoints[8]:")
