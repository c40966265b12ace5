"""A prepared emulator world for tests that need issues, branches and PRs to exist."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from bot.emulator import gitrepo
from bot.emulator.testing import EmulatorHandle

REPO = "acme/widgets"


@dataclass
class World:
    """An emulator plus raw HTTP clients per user and helpers that create fresh objects."""

    gh: EmulatorHandle
    clients: dict[str, httpx.Client] = field(default_factory=dict)
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def client(self, login: str = "maintainer") -> httpx.Client:
        """A raw HTTP client authenticated as ``login``."""
        if login not in self.clients:
            self.clients[login] = httpx.Client(
                base_url=self.gh.api_url,
                headers={"Authorization": f"token {self.gh.token(login)}"},
            )
        return self.clients[login]

    def app_client(self) -> httpx.Client:
        """A raw HTTP client authenticated as the default App (RS256 JWT)."""
        now = int(time.time())
        token = jwt.encode(
            {"iat": now - 60, "exp": now + 300, "iss": str(self.gh.app_id)},
            self.gh.app_private_key(),
            algorithm="RS256",
        )
        return httpx.Client(base_url=self.gh.api_url, headers={"Authorization": f"Bearer {token}"})

    def unique(self, prefix: str) -> str:
        """A name not used before in this world."""
        return f"{prefix}-{next(self._names)}"

    def issue(self, **fields: Any) -> dict[str, Any]:
        """A new issue, created through the API."""
        body = {"title": self.unique("issue")} | fields
        answer = self.client().post(f"/repos/{REPO}/issues", json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def comment(self, number: int | None = None) -> dict[str, Any]:
        """A new comment on a (new) issue."""
        number = number or self.issue()["number"]
        answer = self.client().post(
            f"/repos/{REPO}/issues/{number}/comments", json={"body": "a comment"}
        )
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def branch(self, files: dict[str, str] | None = None, base: str = "main") -> tuple[str, str]:
        """A new branch with one commit on top of ``base``: (name, sha)."""
        name = self.unique("topic")
        git_dir = self.gh.git_dir(REPO)
        parent = gitrepo.resolve(git_dir, f"refs/heads/{base}")
        tree_files = {
            path: (gitrepo.read_blob(git_dir, base, path) or b"")
            for path in gitrepo.git(git_dir, "ls-tree", "-r", "--name-only", base).splitlines()
        }
        tree_files |= {k: v.encode() for k, v in (files or {f"{name}.txt": name}).items()}
        sha = gitrepo.commit_files(git_dir, name, tree_files, f"Work on {name}", parent)
        return name, sha

    def pull(self, body: str | None = None) -> dict[str, Any]:
        """A new open PR from a new branch into main."""
        name, _ = self.branch()
        answer = self.client().post(
            f"/repos/{REPO}/pulls",
            json={"title": f"PR {name}", "head": name, "base": "main", "body": body},
        )
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def check_run(self, sha: str | None = None, **fields: Any) -> dict[str, Any]:
        """A new check run reported by ci-bot."""
        sha = sha or self.branch()[1]
        answer = self.client("ci-bot").post(
            f"/repos/{REPO}/check-runs", json={"name": "tests", "head_sha": sha} | fields
        )
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close every client."""
        for client in self.clients.values():
            client.close()
