"""A per-run clone of the target repository: every git command the pipeline runs goes here.

Credentials never land in `.git/config` or on a command line: a token in the clone URL is
moved into an `http.extraHeader` passed through git's `GIT_CONFIG_*` environment, and every
error message is scrubbed before it leaves this module. The same environment sets
`core.hooksPath=/dev/null` for every git command the bot runs, above anything in
`.git/config`: a hook planted in the repository never runs inside the bot's commit or push.
"""

from __future__ import annotations

import base64
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import git

from bot.errors import GitError
from bot.gitops.messages import is_bot_branch


@dataclass(frozen=True)
class GitIdentity:
    """Who the bot is in git: author and committer of every commit it makes."""

    name: str
    email: str


def split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """Strip user:token from an HTTP URL and return git env that sends it as a header."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or (not parts.password and not parts.username):
        return url, {}
    user = parts.username or "x-access-token"
    secret = parts.password or ""
    if not secret:  # a bare token as the user name (`https://TOKEN@host/...`)
        user, secret = "x-access-token", user
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
    env = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }
    return clean, env


# Settings every git command of the bot runs with, whatever the repository's config says.
SAFE_CONFIG: tuple[tuple[str, str], ...] = (("core.hooksPath", "/dev/null"),)


def git_env(auth_env: dict[str, str]) -> dict[str, str]:
    """git's environment: no prompts, the auth header if any, and hooks switched off."""
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", **auth_env}
    count = int(auth_env.get("GIT_CONFIG_COUNT", "0"))
    for offset, (key, value) in enumerate(SAFE_CONFIG):
        env[f"GIT_CONFIG_KEY_{count + offset}"] = key
        env[f"GIT_CONFIG_VALUE_{count + offset}"] = value
    env["GIT_CONFIG_COUNT"] = str(count + len(SAFE_CONFIG))
    return env


def ls_remote(clone_url: str, branch: str) -> str | None:
    """The sha ``branch`` has on the remote, asked of git itself (no workspace needed)."""
    url, auth_env = split_credentials(clone_url)
    env = {**os.environ, **git_env(auth_env)}
    try:
        out = git.Git().execute(
            ["git", "ls-remote", "--heads", url, f"refs/heads/{branch}"], env=env
        )
    except git.GitCommandError as exc:
        secrets = [v for v in (urlsplit(clone_url).password, urlsplit(clone_url).username) if v]
        detail = str(exc.stderr or "").strip().replace("\n", " ")[:400]
        raise GitError(_scrub(f"git ls-remote failed: {detail}", secrets)) from None
    for line in str(out).splitlines():
        sha, _, ref = line.partition("\t")
        if ref == f"refs/heads/{branch}":
            return sha
    return None


class Workspace:
    """One working tree under the run's directory, cloned from the target's default branch."""

    def __init__(self, path: Path, repo: git.Repo, env: dict[str, str], secrets: list[str]):
        self.path = path
        self._repo = repo
        self._env = env
        self._secrets = secrets

    # -- setup -------------------------------------------------------------------------
    @classmethod
    def prepare(cls, path: Path, clone_url: str, default_branch: str) -> Workspace:
        """Clone, or fetch + `reset --hard` + `clean -fxd`, so every run starts clean."""
        url, auth_env = split_credentials(clone_url)
        env = git_env(auth_env)
        secrets = [v for v in (urlsplit(clone_url).password, urlsplit(clone_url).username) if v]
        secrets += [auth_env["GIT_CONFIG_VALUE_0"].split()[-1]] if auth_env else []
        try:
            if (path / ".git").is_dir():
                repo = git.Repo(path)
            else:
                if path.exists():
                    shutil.rmtree(path)
                path.parent.mkdir(parents=True, exist_ok=True)
                repo = git.Repo.clone_from(url, path, env={**os.environ, **env}, no_checkout=True)
        except git.GitCommandError as exc:
            raise GitError(_scrub(f"clone failed: {exc.stderr.strip()}", secrets)) from None
        except git.InvalidGitRepositoryError:
            shutil.rmtree(path)
            return cls.prepare(path, clone_url, default_branch)
        repo.git.update_environment(**env)
        ws = cls(path, repo, env, secrets)
        ws._git("remote", "set-url", "origin", url)
        ws._git(
            "fetch",
            "--prune",
            "origin",
            f"+refs/heads/{default_branch}:refs/remotes/origin/{default_branch}",
        )
        ws._git("checkout", "-q", "-f", "-B", default_branch, f"origin/{default_branch}")
        ws._git("reset", "-q", "--hard", f"origin/{default_branch}")
        ws._git("clean", "-q", "-fxd")
        return ws

    @classmethod
    def reopen(cls, path: Path, clone_url: str) -> Workspace | None:
        """The workspace an interrupted run left, if it is still a git repository."""
        if not (path / ".git").is_dir():
            return None
        try:
            repo = git.Repo(path)
        except git.InvalidGitRepositoryError:
            return None
        _, auth_env = split_credentials(clone_url)
        env = git_env(auth_env)
        repo.git.update_environment(**env)
        secrets = [v for v in (urlsplit(clone_url).password, urlsplit(clone_url).username) if v]
        return cls(path, repo, env, secrets)

    # -- reading -----------------------------------------------------------------------
    def head_sha(self) -> str:
        """The commit checked out now."""
        return self._git("rev-parse", "HEAD")

    def current_branch(self) -> str | None:
        """The checked-out branch name, or None when detached."""
        name = self._git("rev-parse", "--abbrev-ref", "HEAD")
        return None if name == "HEAD" else name

    def changed_paths(self) -> list[str]:
        """Paths that differ from HEAD, tracked or not (ignored files excluded)."""
        out = self._git("status", "--porcelain", "-z", "--untracked-files=all", strip=False)
        paths: list[str] = []
        entries = [e for e in out.split("\0") if e]
        skip = False
        for entry in entries:
            if skip:
                skip = False
                continue
            status, path = entry[:2], entry[3:]
            paths.append(path)
            skip = status.startswith("R")  # a rename is followed by its old path
        return sorted(paths)

    def remote_branch_sha(self, branch: str) -> str | None:
        """The sha the remote holds for ``branch`` right now, or None if it does not exist."""
        out = self._git("ls-remote", "--heads", "origin", f"refs/heads/{branch}")
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def foreign_commits(self, branch: str, base: str, bot: GitIdentity) -> list[str]:
        """Commits on the remote ``branch`` (not on ``base``) that someone else authored."""
        if self.remote_branch_sha(branch) is None:
            return []
        self._git("fetch", "-q", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
        log = self._git(
            "log", "--format=%H %ae", f"refs/remotes/origin/{base}..refs/remotes/origin/{branch}"
        )
        return [
            line.split()[0]
            for line in log.splitlines()
            if line.strip() and line.split()[-1] != bot.email
        ]

    def same_tree(self, branch: str, sha: str) -> bool:
        """Whether the remote ``branch`` holds exactly the files of commit ``sha``."""
        self._git("fetch", "-q", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}")
        theirs = self._git("rev-parse", f"refs/remotes/origin/{branch}^{{tree}}")
        return theirs == self._git("rev-parse", f"{sha}^{{tree}}")

    # -- writing -----------------------------------------------------------------------
    def checkout_branch(self, branch: str, start: str) -> None:
        """Create or reset the local ``branch`` at ``start`` and check it out."""
        if not is_bot_branch(branch):
            raise GitError(f"refusing to work on {branch!r}: not a bot branch")
        self._git("checkout", "-q", "-f", "-B", branch, start)

    def commit(self, paths: list[str], message: str, bot: GitIdentity, date: str) -> str:
        """Stage exactly ``paths`` and commit them as the bot at a fixed ``date``."""
        self._git("reset", "-q")
        if paths:
            self._git("add", "--all", "--", *paths)
        env = {
            "GIT_AUTHOR_NAME": bot.name,
            "GIT_AUTHOR_EMAIL": bot.email,
            "GIT_COMMITTER_NAME": bot.name,
            "GIT_COMMITTER_EMAIL": bot.email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        message_file = Path(self._repo.git_dir) / "ISSUEBOT_COMMIT_MSG"
        message_file.write_text(message, encoding="utf-8")
        self._git("commit", "-q", "--no-verify", "--allow-empty", "-F", str(message_file), env=env)
        return self.head_sha()

    def committed_paths(self, base: str) -> list[str]:
        """Paths the branch changes relative to ``base`` (what the PR will show)."""
        out = self._git("diff", "--name-only", f"{base}...HEAD")
        return sorted(line for line in out.splitlines() if line)

    def push(self, branch: str, *, expected_remote: str | None, protected: str) -> None:
        """Push HEAD to the bot's ``branch``, leasing on the sha last seen there."""
        if branch == protected or not is_bot_branch(branch):
            raise GitError(f"refusing to push to {branch!r}: the bot only pushes its own branches")
        lease = f"--force-with-lease=refs/heads/{branch}:{expected_remote or ''}"
        self._git("push", "--porcelain", lease, "origin", f"HEAD:refs/heads/{branch}")

    def delete_remote_branch(self, branch: str, *, expected_remote: str, protected: str) -> None:
        """Delete the bot's remote ``branch`` if it still points where we last saw it."""
        if branch == protected or not is_bot_branch(branch):
            raise GitError(f"refusing to delete {branch!r}: not a bot branch")
        lease = f"--force-with-lease=refs/heads/{branch}:{expected_remote}"
        self._git("push", "--porcelain", lease, "origin", f":refs/heads/{branch}")

    # -- plumbing ----------------------------------------------------------------------
    def _git(self, *args: str, env: dict[str, str] | None = None, strip: bool = True) -> str:
        try:
            out = self._repo.git.execute(
                ["git", *args], env=env or {}, strip_newline_in_stdout=strip
            )
        except git.GitCommandError as exc:
            detail = str(exc.stderr or exc.stdout or "").strip().replace("\n", " ")
            message = f"git {args[0]} failed: {detail[:400] or exc.status}"
            raise GitError(_scrub(message, self._secrets)) from None
        return str(out).strip() if strip else str(out)


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
