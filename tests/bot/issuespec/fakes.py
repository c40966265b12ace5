"""A recording in-memory ``GitHubRepo`` for the pure review logic (the real one is tested
against the emulator in test_emulator_flow.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.github.markers import has_marker, with_marker
from bot.github.models import Comment, Issue, IssueEvent, Label
from bot.issuespec.preview import blob_sha


@dataclass
class FakeRepo:
    """Issues, labels and comments in dicts; every write is appended to ``calls``."""

    full_name: str = "acme/widgets"
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, list[Comment]] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, object]] = field(default_factory=list)

    def add_issue(self, body: str, labels: Sequence[str] = ("entity-request",)) -> int:
        number = len(self.issues) + 1
        self.issues[number] = Issue(
            number, "A request", body, "open", tuple(labels), "writer",
            f"https://github.test/{self.full_name}/issues/{number}",
        )  # fmt: skip
        return number

    def read_file(self, path: str, ref: str | None = None) -> str | None:
        return self.files.get(path)

    def file_shas(self, ref: str | None = None) -> dict[str, str] | None:
        return {path: blob_sha(text) for path, text in self.files.items()}

    def get_issue(self, number: int) -> Issue:
        return self.issues[number]

    def create_issue(self, title: str, body: str, labels: Sequence[str] = ()) -> Issue:
        self.calls.append(("create_issue", title))
        number = self.add_issue(body, labels)
        self.issues[number] = replace(self.issues[number], title=title)
        return self.issues[number]

    def issue_events(self, number: int) -> tuple[IssueEvent, ...]:
        return ()

    def list_open_issues(self, label: str | None = None) -> tuple[Issue, ...]:
        return tuple(
            i
            for i in self.issues.values()
            if i.state == "open" and (label is None or label in i.labels)
        )

    def ensure_label(self, name: str, color: str, description: str = "") -> Label:
        self.calls.append(("ensure_label", name))
        self.labels[name] = Label(name, color, description)
        return self.labels[name]

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        self.calls.append(("add_labels", tuple(labels)))
        issue = self.issues[number]
        merged = issue.labels + tuple(name for name in labels if name not in issue.labels)
        self.issues[number] = replace(issue, labels=merged)

    def remove_label(self, number: int, label: str) -> None:
        self.calls.append(("remove_label", label))
        issue = self.issues[number]
        self.issues[number] = replace(issue, labels=tuple(n for n in issue.labels if n != label))

    def find_comment(self, number: int, marker: str) -> Comment | None:
        return next((c for c in self.comments.get(number, []) if has_marker(c.body, marker)), None)

    def upsert_comment(self, number: int, marker: str, body: str) -> Comment:
        self.calls.append(("upsert_comment", marker))
        thread = self.comments.setdefault(number, [])
        old = self.find_comment(number, marker)
        new = Comment(old.id if old else 1000 + len(thread), with_marker(marker, body), "bot", "")
        if old is None:
            thread.append(new)
        else:
            thread[thread.index(old)] = new
        return new
