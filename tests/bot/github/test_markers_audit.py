"""Hidden comment markers and the audit log sinks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import UsageError
from bot.github import Approval, JsonlAuditSink, MemoryAuditSink, marker_tag
from bot.github.audit import AuditSink
from bot.github.markers import has_marker, with_marker


def test_a_marker_is_an_html_comment_github_hides() -> None:
    assert marker_tag("run-summary") == "<!-- issuebot:run-summary -->"
    assert with_marker("run-summary", "All green") == "<!-- issuebot:run-summary -->\nAll green"


@pytest.mark.parametrize("bad", ["", "Run", "x -->", "a b", "../x", "x" * 65])
def test_markers_that_could_break_out_of_the_comment_are_refused(bad: str) -> None:
    with pytest.raises(UsageError):
        marker_tag(bad)


def test_only_a_marker_on_the_first_line_counts() -> None:
    assert has_marker("<!-- issuebot:preview -->\r\nbody", "preview")
    assert not has_marker("quoting: <!-- issuebot:preview -->", "preview")
    assert not has_marker("<!-- issuebot:preview-2 -->\nbody", "preview")


def test_jsonl_sink_appends_one_line_per_event(tmp_path: Path) -> None:
    sink = JsonlAuditSink(tmp_path / "audit" / "github.jsonl")
    approval = Approval.merge("acme/widgets", 3, actor="maintainer", reason="lgtm")
    sink.record({"operation": "merge_pull", "approval": approval.as_dict()})
    sink.record({"operation": "delete_branch", "approval": None})
    lines = (tmp_path / "audit" / "github.jsonl").read_text().splitlines()
    assert len(lines) == 2
    events = sink.read()
    assert events[0]["approval"] == approval.as_dict()
    assert events[1]["operation"] == "delete_branch"


def test_sinks_satisfy_the_audit_protocol(tmp_path: Path) -> None:
    memory = MemoryAuditSink()
    memory.record({"a": 1})
    assert memory.events == [{"a": 1}]
    assert isinstance(memory, AuditSink)
    assert isinstance(JsonlAuditSink(tmp_path / "a.jsonl"), AuditSink)
