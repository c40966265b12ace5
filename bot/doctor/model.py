"""What the gates read and answer: the gathered facts, one delivery summary, one verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["pass", "fail", "skip"]
CredentialKind = Literal["app", "pat", "actions", "none"]


@dataclass(frozen=True)
class Verdict:
    """One gate's answer: what was checked, what was found, how to fix a failure."""

    gate: str
    status: Status
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        """The JSON form (`doctor --json`, `/readyz?full=1`)."""
        return {"gate": self.gate, "status": self.status, "detail": self.detail, "fix": self.fix}


@dataclass(frozen=True)
class Delivery:
    """One webhook delivery as `GET /app/hook/deliveries` summarises it (newest first)."""

    event: str
    status_code: int
    delivered_at: str

    @property
    def ok(self) -> bool:
        """Whether the receiver answered 2xx."""
        return 200 <= self.status_code < 300


@dataclass(frozen=True)
class Facts:
    """Everything the gates judge; ``None`` means not gathered, ``*_error`` why it failed."""

    credential_kind: CredentialKind = "none"
    credential_error: str | None = None
    identity: str | None = None
    repo: str | None = None
    repo_error: str | None = None
    # App mode (from `GET /app`, the installation, `GET /app/hook/...`).
    app_permissions: dict[str, str] | None = None
    app_events: list[str] | None = None
    installation_error: str | None = None
    hook_url: str | None = None
    hook_secret_set: bool | None = None
    local_secret_set: bool = False
    deliveries: list[Delivery] | None = None
    hook_error: str | None = None
    # The repository.
    config_error: str | None = None
    uses_teams: bool = False
    labels_wanted: tuple[str, ...] = ()
    labels_present: tuple[str, ...] | None = None
    labels_created: tuple[str, ...] = ()
    default_branch: str = "main"
    checks_wanted: tuple[str, ...] = ()
    checks_required: tuple[str, ...] | None = None
    can_push: bool | None = None
    merge_method: str = "squash"
    merge_methods_allowed: tuple[str, ...] | None = None
    # This host and the backends.
    sandbox_checked: bool = True  # False: this process runs no tests (a queue's web server)
    sandbox_error: str | None = None
    store_error: str | None = None
    store_revision: str | None = None
    store_head: str | None = None
    queue_url_set: bool = False
    queue_error: str | None = None


def pass_(gate: str, detail: str) -> Verdict:
    """A passing verdict."""
    return Verdict(gate, "pass", detail)


def fail_(gate: str, detail: str, fix: str) -> Verdict:
    """A failing verdict and the one line that fixes it."""
    return Verdict(gate, "fail", detail, fix)


def skip_(gate: str, detail: str) -> Verdict:
    """A gate that does not apply here."""
    return Verdict(gate, "skip", detail)
