"""Every operation of the bot's GitHub layer, with each kind of credential GitHub hands out.

The bot runs with a personal access token, a GitHub App (JWT, then an installation token)
or an Actions workflow's ``GITHUB_TOKEN``. For each, one session drives every method of
``GitHubRepo`` through the real layer (``connect_repo`` + PyGithub) against the emulator;
every answer the emulator gave is then checked against @octokit/openapi: its status must be
documented for that operation and its body must match that status's schema. What GitHub
refuses a kind (``GET /user`` for an installation, check runs for a person, ``GET /app``
without a JWT) must be refused with GitHub's status and message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bot.emulator import gitrepo
from bot.emulator.auth import mint_installation_token
from bot.emulator.requestlog import RequestRecord
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.errors import IssuebotError
from bot.github import ClientOptions, MemoryAuditSink, connect_repo
from bot.github.audit import Approval
from bot.github.protocol import GitHubRepo
from bot.settings import Settings
from tests.bot.emulator.schemas import BASIC_ERROR, documented_path, validate_response

REPO = "acme/widgets"
KINDS = ("pat", "installation", "actions")
# Which account each kind acts as, and what GitHub refuses it (status, message).
ACTOR = {"pat": "maintainer", "installation": "issuebot[bot]", "actions": "github-actions[bot]"}
INTEGRATION_403 = (403, "Resource not accessible by integration")
APPS_ONLY = (403, "You must authenticate via a GitHub App.")
NOT_A_JWT = (401, "A JSON web token could not be decoded")
REFUSED: dict[str, dict[tuple[str, str], tuple[int, str]]] = {
    "pat": {
        ("POST", "/repos/acme/widgets/check-runs"): (
            403,
            "You must authenticate via a GitHub App.",
        ),
        ("GET", "/app"): NOT_A_JWT,
    },
    "installation": {("GET", "/user"): INTEGRATION_403, ("GET", "/app"): NOT_A_JWT},
    "actions": {("GET", "/user"): INTEGRATION_403, ("GET", "/app"): NOT_A_JWT},
}


@dataclass
class Session:
    """One credential kind's run: the emulator, its request log, and the methods called."""

    kind: str
    gh: EmulatorHandle
    records: list[RequestRecord] = field(default_factory=list)  # the layer's own calls
    probes: list[RequestRecord] = field(default_factory=list)  # deliberate refused asks
    called: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)  # method -> the error it raised


def _settings(kind: str, gh: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("GITHUB_TOKEN", "GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GITHUB_APP_INSTALLATION_ID", raising=False)
    monkeypatch.delenv("ISSUEBOT_BOT_LOGIN", raising=False)
    if kind == "pat":
        return Settings(github_api_url=gh.api_url, github_token=gh.token("maintainer"))
    if kind == "installation":
        return Settings(
            github_api_url=gh.api_url,
            github_app_id=gh.app_id,
            github_app_private_key=gh.app_private_key(),
        )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    return Settings(github_api_url=gh.api_url, github_token=gh.actions_token(REPO))


def _drive(repo: GitHubRepo, session: Session) -> None:
    """Call every ``GitHubRepo`` method once, in the order a request's life would."""

    def call(op: str, /, *args: Any, **kwargs: Any) -> Any:
        session.called.add(op)
        try:
            return getattr(repo, op)(*args, **kwargs)
        except IssuebotError as exc:
            session.refused[op] = exc.message
            return None

    actor = ACTOR[session.kind]
    call("default_branch")
    call("clone_url")
    call("read_file", "README.md")
    call("file_shas")
    call("permission", "writer")
    call("is_team_member", "approvers", "writer")
    issue = call("create_issue", "Conformance", "every operation", ["bug"])
    number = issue.number
    call("get_issue", number)
    call("edit_issue", number, title="Conformance, edited")
    call("list_open_issues", "bug")
    call("ensure_label", "conformance", "00ff00", "made by the conformance test")
    call("add_labels", number, ["conformance"])
    call("remove_label", number, "conformance")
    call("issue_events", number)
    comment = call("upsert_comment", number, "conformance-marker", "first")
    call("upsert_comment", number, "conformance-marker", "second")
    call("list_comments", number)
    call("find_comment", number, "conformance-marker")
    call("add_reaction", "eyes", issue=number)
    call("add_reaction", "+1", comment_id=comment.id)

    main = call("branch_sha", "main")
    git_dir = session.gh.git_dir(REPO)
    files = {"README.md": b"# widgets\n", "conformance.py": b"x = 1\n"}
    work = gitrepo.commit_files(git_dir, "scratch/conformance", files, "Conformance", main)
    branch = f"issuebot/conformance-{session.kind}"
    call("ensure_branch", branch, sha=work)
    pull = call(
        "ensure_pull_request",
        head=branch,
        base="main",
        title="Conformance PR",
        body=f"Closes #{number}",
        labels=["bug"],
    )
    call("get_pull", pull.number)
    call("find_pull", branch)
    call("list_open_pulls")
    call("update_pull", pull.number, body=f"Closes #{number}\n\nEdited.")
    call("list_pull_files", pull.number)
    call("request_reviewers", pull.number, ["writer"])
    call("request_team_reviewers", pull.number, ["core-devs"])
    run = call("create_check_run", name="issuebot", head_sha=work, status="in_progress")
    if run is not None:
        call("update_check_run", run.id, status="completed", conclusion="success")
    else:
        session.called.add("update_check_run")  # nothing to update: creating was refused
    call("list_check_runs", work)
    call("combined_status", work)
    call("required_checks", "main")
    approval = Approval.merge(REPO, pull.number, actor=actor, reason="conformance")
    call("merge_pull", pull.number, sha=work, method="squash", approval=approval)
    gone = Approval.delete_branch(REPO, branch, actor=actor, reason="conformance")
    call("delete_branch", branch, approval=gone)
    shut = Approval.close_issue(REPO, number, actor=actor, reason="conformance")
    call("close_issue", number, approval=shut)


def _probe_refusals(session: Session, token: str) -> None:
    """Ask for what this kind may not have, as a careless client would."""
    headers = {"Authorization": f"token {token}"}
    sha = gitrepo.resolve(session.gh.git_dir(REPO), "refs/heads/main")
    for method, path in REFUSED[session.kind]:
        body = {"name": "probe", "head_sha": sha} if method == "POST" else None
        httpx.request(method, f"{session.gh.api_url}{path}", headers=headers, json=body)


@pytest.fixture(scope="module", params=KINDS)
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    """One emulator per credential kind, driven through every operation of the layer."""
    kind: str = request.param
    monkeypatch = pytest.MonkeyPatch()
    try:
        with start_emulator() as gh:
            gh.add_team(REPO, "core-devs")
            gh.add_team_member("acme", "approvers", "writer")
            gh.emulator.requests.keep_bodies = True
            found = Session(kind, gh)
            settings = _settings(kind, gh, monkeypatch)
            repo = connect_repo(settings, REPO, MemoryAuditSink(), ClientOptions.fast())
            try:
                _drive(repo, found)
            finally:
                repo.github.close()
            token = {
                "pat": lambda: gh.token("maintainer"),
                "installation": lambda: _installation_token(gh),
                "actions": lambda: _secret(settings),
            }[kind]()
            own = len(gh.requests())
            _probe_refusals(found, token)
            answered = gh.requests()  # the log leaves out the emulator's own admin API
            found.records, found.probes = answered[:own], answered[own:]
            yield found
    finally:
        monkeypatch.undo()


def _installation_token(gh: EmulatorHandle) -> str:
    """An installation token of the default App, as ``POST .../access_tokens`` hands it out."""
    return mint_installation_token(gh.emulator.store, gh.emulator.store.apps[gh.app_id]).token


def _secret(settings: Settings) -> str:
    assert settings.github_token is not None
    return settings.github_token.get_secret_value()


def _api(records: list[RequestRecord]) -> list[RequestRecord]:
    """REST calls only (git's smart-HTTP transfers are not part of the REST description)."""
    return [r for r in records if ".git/" not in r.path and not r.path.endswith(".git")]


def test_every_operation_of_the_github_layer_is_exercised(session: Session) -> None:
    operations = {
        name
        for name in dir(GitHubRepo)
        if not name.startswith("_") and callable(getattr(GitHubRepo, name, None))
    }
    assert operations - session.called == set()
    assert len(operations) > 30


def test_each_answer_is_documented_and_shaped_as_github_documents_it(session: Session) -> None:
    checked = 0
    for record in _api(session.records):
        body = json.loads(record.body) if record.body else None
        refusal = REFUSED[session.kind].get((record.method, record.path))
        if refusal is not None and record.status >= 400:  # GitHub's answer, if undocumented
            assert body is not None
            assert (record.status, body["message"]) == refusal
            continue
        template = documented_path(record.method, record.path)
        assert template is not None, f"{record.method} {record.path} is no GitHub operation"
        validate_response(record.method, template, record.status, body)
        checked += 1
    assert checked > 40


def test_what_github_refuses_this_kind_is_refused_with_githubs_answer(session: Session) -> None:
    import jsonschema  # type: ignore[import-untyped]

    for (method, path), (status, message) in REFUSED[session.kind].items():
        answers = [r for r in session.probes if (r.method, r.path) == (method, path)]
        assert answers, f"{session.kind}: nothing asked {method} {path}"
        for answer in answers:
            assert answer.status == status, f"{session.kind} {method} {path}"
            body = json.loads(answer.body or b"{}")
            assert body["message"] == message
            jsonschema.Draft4Validator(BASIC_ERROR).validate(body)


def test_the_layer_never_asks_what_this_kind_cannot_have(session: Session) -> None:
    """Only the deliberate probes hit a refusal; the layer's own calls never do (identity
    included: an installation never asks ``GET /user``, Actions asks nothing)."""
    refusals = [
        (r.method, r.path, r.status) for r in _api(session.records) if r.status in (401, 403)
    ]
    if session.kind == "pat":  # the script asks a person's token to create a check run
        refusals.remove(("POST", f"/repos/{REPO}/check-runs", 403))
    assert refusals == []
    expected_refused = {"create_check_run"} if session.kind == "pat" else set()
    assert set(session.refused) == expected_refused, session.refused


def test_the_bot_acts_as_the_account_its_credential_names(session: Session) -> None:
    issues = [i for i in session.gh.emulator.store.repos[REPO].issues.values() if i.pull is None]
    assert {i.user for i in issues} == {ACTOR[session.kind]}
