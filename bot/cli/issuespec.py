"""`issuebot spec from-issue` and `issuebot request-feature`: the issue format from a terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import typer

from bot.errors import SpecError, UsageError

MAX_BODY_FILE_BYTES = 1_000_000  # the parser refuses anything past GitHub's cap anyway


def _read_body(path: str) -> str:
    try:
        raw = sys.stdin.buffer.read(MAX_BODY_FILE_BYTES + 1) if path == "-" else _read(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    # Undecodable bytes become lone surrogates, which the parser reports instead of crashing.
    return raw[: MAX_BODY_FILE_BYTES + 1].decode("utf-8", errors="surrogateescape")


def _read(path: str) -> bytes:
    with Path(path).open("rb") as handle:
        return handle.read(MAX_BODY_FILE_BYTES + 1)


def from_issue(
    body_file: Annotated[str, typer.Argument(help="File holding an issue body, or - for stdin.")],
    output: Annotated[
        Literal["text", "json"],
        typer.Option("--format", help="Problems as lines on stderr, or as JSON on stdout."),
    ] = "text",
) -> None:
    """Print the entity definition an issue body holds as JSON, or every problem (exit 12)."""
    from bot.issuespec.parse import parse_issue_body  # noqa: PLC0415 - loaded on use

    parsed = parse_issue_body(_read_body(body_file))
    if parsed.entity is not None and not parsed.problems:
        typer.echo(
            json.dumps(parsed.entity.model_dump(mode="json", exclude_defaults=True), indent=2)
        )
        return
    problems = [p.render() for p in parsed.problems] or ["no entity definition found"]
    if output == "json":
        rows = [{"path": p.path, "message": p.message, "hint": p.hint} for p in parsed.problems]
        typer.echo(json.dumps({"format": parsed.format, "problems": rows}, indent=2))
    error = SpecError(problems, hint="edit the issue's Entity definition block")
    error.shown = output == "json"
    raise error


def request_feature_command(
    repo: Annotated[str, typer.Option("--repo", help="Target repository, OWNER/NAME.")],
    file: Annotated[Path, typer.Option("--file", help="Request as JSON or YAML (seed's keys).")],
) -> None:
    """File a feature request as a `needs-review` issue; prints its number and URL."""
    if repo.count("/") != 1:
        raise UsageError(f"--repo must be OWNER/NAME, not {repo!r}")
    from bot.config import read_repo_config  # noqa: PLC0415 - commands load their area on use
    from bot.github import ClientOptions, MemoryAuditSink, connect_repo  # noqa: PLC0415
    from bot.issuespec.request import load_request_file  # noqa: PLC0415
    from bot.issuespec.request_feature import request_feature  # noqa: PLC0415
    from bot.settings import load_settings  # noqa: PLC0415

    req = load_request_file(file)

    settings = load_settings()
    # PyGithub's write spacing protects github.com; a loopback emulator needs none of it.
    loopback = urlsplit(settings.github_api_url).hostname in {"127.0.0.1", "localhost", "::1"}
    options = ClientOptions.fast() if loopback else ClientOptions()
    github = connect_repo(settings, repo, MemoryAuditSink(), options)
    config = read_repo_config(github.read_file)
    number, url = request_feature(github, req, config)
    typer.echo(f"issue #{number}: {url}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add `spec from-issue` and `request-feature`."""
    groups["spec"].command("from-issue")(from_issue)
    app.command("request-feature")(request_feature_command)
