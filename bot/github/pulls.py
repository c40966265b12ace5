"""The code side of ``PyGithubRepo``: branches, pull requests, check runs and statuses."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from github.GithubException import GithubException

from bot.github import convert
from bot.github.audit import Approval
from bot.github.base import RepoBase
from bot.github.failures import message_of
from bot.github.models import CheckOutput, CheckRun, CombinedStatus, PullFile, PullRequest
from bot.github.ops import OpClass, operation
from bot.github.protocol import CheckConclusion, CheckStatus, MergeMethod

READ, WRITE, DESTRUCTIVE = OpClass.READ, OpClass.WRITE, OpClass.DESTRUCTIVE


class PullOps(RepoBase):
    """Branches, pull requests, check runs and commit statuses."""

    @operation(READ)
    def branch_sha(self, name: str) -> str | None:
        """The commit a branch points at, or None."""
        try:
            data = self._request_url("GET", self._branch_path("git/ref/heads", name))
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise
        return str(data["object"]["sha"])

    @operation(WRITE)
    def ensure_branch(self, name: str, *, sha: str) -> str:
        """Create the branch at ``sha`` unless it exists; the branch's commit either way."""
        current = self.branch_sha(name)
        if current is not None:
            return current
        body = {"ref": f"refs/heads/{name}", "sha": sha}
        try:
            return self._post(
                "git",
                "refs",
                body=body,
                convert=lambda data: str(data["object"]["sha"]),
                refind=lambda: self.branch_sha(name),
            )
        except GithubException as exc:
            if exc.status != 422 or "already exists" not in message_of(exc):
                raise
            return self.branch_sha(name) or sha

    @operation(DESTRUCTIVE)
    def delete_branch(self, name: str, *, approval: Approval) -> bool:
        """Delete a branch (approval checked by ``@operation``); False if already gone."""
        try:
            self._request_url("DELETE", self._branch_path("git/refs/heads", name))
        except GithubException as exc:
            # GitHub answers 422 "Reference does not exist" for a missing ref.
            if exc.status in (404, 422):
                return False
            raise
        return True

    @operation(READ)
    def file_shas(self, ref: str | None = None) -> dict[str, str] | None:
        """Every file's git blob sha at ``ref`` (default branch) in one call; None when GitHub
        truncated the listing (over 100,000 entries) or the ref does not exist."""
        name = ref or self._repo.default_branch
        try:
            data = self._request_url(
                "GET", self._branch_path("git/trees", name), params={"recursive": "1"}
            )
        except GithubException as exc:
            if exc.status in (404, 409):  # 409: an empty repository has no tree yet
                return None
            raise
        if data.get("truncated"):
            return None
        return {str(e["path"]): str(e["sha"]) for e in data["tree"] if e.get("type") == "blob"}

    @operation(READ)
    def get_pull(self, number: int) -> PullRequest:
        """Pull request ``number``."""
        return convert.pull(self._request("GET", "pulls", number))

    @operation(READ)
    def find_pull(
        self,
        head: str,
        *,
        base: str | None = None,
        state: Literal["open", "closed", "all"] = "open",
    ) -> PullRequest | None:
        """The newest PR from ``head`` (a branch of this repository)."""
        params: dict[str, Any] = {"head": f"{self.owner}:{head}", "state": state}
        if base is not None:
            params["base"] = base
        found = self._request("GET", "pulls", params=params)
        return convert.pull(found[0]) if found else None

    @operation(READ)
    def list_open_pulls(self) -> tuple[PullRequest, ...]:
        """Every open PR of the repository (GitHub pages the list; PyGithub follows)."""
        return tuple(convert.pull(convert.json_of(p)) for p in self._repo.get_pulls(state="open"))

    @operation(WRITE)
    def ensure_pull_request(
        self, *, head: str, base: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> PullRequest:
        """The open PR head→base: found first, created if missing, then brought up to date."""
        pr = self.find_pull(head, base=base)
        if pr is None:
            payload = {"title": title, "head": head, "base": base, "body": body}
            try:
                # After a 5xx the PR may exist: find it before opening another.
                pr = self._post(
                    "pulls",
                    body=payload,
                    convert=convert.pull,
                    refind=lambda: self.find_pull(head, base=base),
                )
            except GithubException as exc:
                # Another worker (or a person) opened it between our look-up and our create.
                if exc.status != 422 or "already exists" not in message_of(exc):
                    raise
                pr = self.find_pull(head, base=base)
                if pr is None:
                    raise
        if (pr.title, pr.body) != (title, body):
            pr = self.update_pull(pr.number, title=title, body=body)
        missing = [name for name in labels if name not in pr.labels]
        if missing:
            wanted = {"labels": missing}
            self._post("issues", pr.number, "labels", body=wanted, convert=lambda _: None)
            pr = dataclasses.replace(pr, labels=(*pr.labels, *missing))
        return pr

    @operation(WRITE)
    def update_pull(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        base: str | None = None,
    ) -> PullRequest:
        """Change a PR's title, body or base."""
        fields = (("title", title), ("body", body), ("base", base))
        changes = {k: v for k, v in fields if v is not None}
        if not changes:
            return self.get_pull(number)
        return convert.pull(self._request("PATCH", "pulls", number, body=changes))

    @operation(WRITE)
    def request_reviewers(self, number: int, reviewers: Sequence[str]) -> None:
        """Ask for reviews, skipping the PR author (GitHub refuses that with 422)."""
        author = self.get_pull(number).author.lower()
        wanted = [r for r in reviewers if r.lower() != author]
        if wanted:  # asking again is a no-op on GitHub, so a re-send is harmless
            body = {"reviewers": wanted}
            self._post("pulls", number, "requested_reviewers", body=body, convert=lambda _: None)

    @operation(WRITE)
    def request_team_reviewers(self, number: int, teams: Sequence[str]) -> None:
        """Ask teams for reviews by slug (GitHub answers 422 for a team without access)."""
        if teams:
            body = {"team_reviewers": list(teams)}
            self._post("pulls", number, "requested_reviewers", body=body, convert=lambda _: None)

    @operation(READ)
    def list_pull_files(self, number: int) -> tuple[PullFile, ...]:
        """Every file the PR changes (GitHub pages the list; PyGithub follows the pages)."""
        files = self._repo.get_pull(number).get_files()
        return tuple(convert.pull_file(convert.json_of(f)) for f in files)

    @operation(DESTRUCTIVE)
    def merge_pull(
        self,
        number: int,
        *,
        sha: str,
        method: MergeMethod,
        approval: Approval,
        title: str | None = None,
        message: str | None = None,
    ) -> str:
        """Merge if the head is still ``sha`` (GitHub answers 409 otherwise); the merge sha."""
        body: dict[str, Any] = {"sha": sha, "merge_method": method}
        if title is not None:
            body["commit_title"] = title
        if message is not None:
            body["commit_message"] = message
        return str(self._request("PUT", "pulls", number, "merge", body=body)["sha"])

    @operation(WRITE)
    def create_check_run(
        self,
        *,
        name: str,
        head_sha: str,
        status: CheckStatus,
        conclusion: CheckConclusion | None = None,
        output: CheckOutput | None = None,
    ) -> CheckRun:
        """Start (or directly complete) a check run."""
        # A fresh external_id tells this run apart from earlier ones of the same name.
        key = uuid.uuid4().hex
        body: dict[str, Any] = {
            "name": name,
            "head_sha": head_sha,
            "status": status,
            "external_id": key,
        }
        if conclusion is not None:
            body["conclusion"] = conclusion
        if output is not None:
            body["output"] = output.as_payload()
        return self._post(
            "check-runs",
            body=body,
            convert=convert.check_run,
            refind=lambda: self._check_run_by_key(head_sha, name, key),
        )

    def _check_run_by_key(self, sha: str, name: str, key: str) -> CheckRun | None:
        """The run created with external_id ``key``, if an earlier attempt got through."""
        url = self._branch_path("commits", sha, "check-runs")
        data = self._request_url("GET", url, params={"check_name": name, "per_page": 100})
        for run in data.get("check_runs") or []:
            if run.get("external_id") == key:
                return convert.check_run(run)
        return None

    @operation(WRITE)
    def update_check_run(
        self,
        check_run_id: int,
        *,
        status: CheckStatus | None = None,
        conclusion: CheckConclusion | None = None,
        output: CheckOutput | None = None,
    ) -> CheckRun:
        """Move a check run along."""
        body: dict[str, Any] = {}
        if status is not None:
            body["status"] = status
        if conclusion is not None:
            body["conclusion"] = conclusion
        if output is not None:
            body["output"] = output.as_payload()
        return convert.check_run(self._request("PATCH", "check-runs", check_run_id, body=body))

    @operation(READ)
    def list_check_runs(self, ref: str) -> tuple[CheckRun, ...]:
        """Every check run on a ref."""
        runs = self._repo.get_commit(ref).get_check_runs()
        return tuple(convert.check_run(convert.json_of(r)) for r in runs)

    @operation(READ)
    def combined_status(self, ref: str) -> CombinedStatus:
        """The combined commit status of a ref."""
        url = self._branch_path("commits", ref, "status")
        return convert.combined_status(self._request_url("GET", url))

    @operation(READ)
    def required_checks(self, branch: str) -> tuple[str, ...]:
        """Check names branch protection requires; empty when the branch is unprotected.

        Read from the branch itself: its `protection` summary is visible with read access,
        while the protection endpoints demand admin rights the bot should not need.
        """
        data = self._request_url("GET", self._branch_path("branches", branch))
        protection = data.get("protection") or {}
        if not data.get("protected") or not protection.get("enabled", True):
            return ()
        checks = protection.get("required_status_checks") or {}
        names = [str(c) for c in checks.get("contexts") or []]
        names += [str(c["context"]) for c in checks.get("checks") or [] if c.get("context")]
        return tuple(dict.fromkeys(names))
