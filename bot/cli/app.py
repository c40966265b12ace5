"""`issuebot app manifest`: the GitHub App manifest for GitHub's "create from manifest" flow."""

from __future__ import annotations

import json
import re
from typing import Annotated
from urllib.parse import urlsplit

import typer

from bot.errors import UsageError

# GitHub App names: up to 34 characters (GitHub's limit), letters, digits, spaces, - and _.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,33}$")


def print_manifest(
    url: Annotated[
        str, typer.Option("--url", help="Where the bot is served: https://HOST (webhook: /webhook)")
    ],
    name: Annotated[str, typer.Option("--name", help="The App's name on GitHub.")] = "issuebot",
) -> None:
    """Print the App manifest JSON: exactly the permissions and events the bot needs."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query:
        raise UsageError(f"--url must be an http(s) URL without a query, got {url!r}")
    if not _NAME.match(name):
        raise UsageError(
            "--name must be 1-34 letters, digits, spaces, '-' or '_', starting with a letter "
            f"or digit; got {name!r}"
        )
    from bot.github.requirements import manifest  # noqa: PLC0415 - commands load on use

    typer.echo(json.dumps(manifest(url, name=name), indent=2))


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add the `app` command group."""
    group = typer.Typer(help="The GitHub App: its manifest for GitHub's manifest flow.")
    group.command("manifest")(print_manifest)
    app.add_typer(group, name="app")
