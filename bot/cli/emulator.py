"""``issuebot emulator``: run the local GitHub in the foreground for demos and manual testing."""

from __future__ import annotations

import gc
import signal
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from bot.errors import UsageError

if TYPE_CHECKING:
    from bot.emulator.core import Emulator

LogLevel = Literal["critical", "error", "warning", "info", "debug", "trace"]
# Exit codes when stopped by a signal: Ctrl-C is the shell's 128+SIGINT; SIGTERM is how
# supervisors (systemd, compose, CI) ask for a stop, so a clean stop on it is a success.
EXIT_ON_SIGNAL: dict[int, int] = {signal.SIGINT: 130, signal.SIGTERM: 0}
HOOK_DRAIN_SECONDS = 0.5  # queued webhooks may go out this long; the stop stays under 2 s

HELP = """Run a local GitHub (REST API, git over HTTP, signed webhooks) until Ctrl-C.

Ctrl-C (SIGINT) stops it with exit code 130, SIGTERM with 0; both within 2 s, and both
remove the temporary directory holding its git repositories.

\b
The REST API lives at the root, like api.github.com:
  PyGithub:  Github(auth=Auth.Token(TOKEN), base_url="http://HOST:PORT")
  git:       git clone http://x-access-token:TOKEN@HOST:PORT/OWNER/REPO.git

\b
Without --seed the default world is served: repo acme/widgets (branch main)
and these users (permission on acme/widgets in brackets):
  issuebot\\[bot]  ghs_issuebot_bot_token  (write; bot of the App "issuebot")
  maintainer     ghp_maintainer_token    (admin)
  writer         ghp_writer_token        (write)
  reader         ghp_reader_token        (read)
  stranger       ghp_stranger_token      (none)
  ci-bot         ghs_ci_bot_token        (write; posts check runs as CI)

\b
Seed file (JSON; every key optional except the names):
  {"users": \\[{"login", "token", "type": "User|Bot"}],
   "repos": \\[{"full_name", "default_branch", "private", "description",
              "files": {PATH: TEXT}, "source_dir": DIR,
              "permissions": {LOGIN: "admin|maintain|write|triage|read"},
              "labels": \\[{"name", "color", "description"}],
              "required_checks": {BRANCH: \\[CHECK_NAME]},
              "merge_methods": {"merge|squash|rebase": BOOL}}],
   "apps": \\[{"id", "slug", "name", "owner", "bot_login",
             "private_key", "installed_on": \\[FULL_NAME]}],
   "teams": \\[{"org", "slug", "members": {LOGIN: "member|maintainer"},
              "repos": \\[FULL_NAME], "permission": "push"}],
   "webhook": {"url", "secret"}}

\b
Admin API for other processes (JSON, no auth, local use only):
  GET    /_emulator/health
  PUT    /_emulator/webhook                       {url, secret}
  POST   /_emulator/users                         {login, token, type}
  POST   /_emulator/repos                         {full_name, files, default_branch}
  PUT    /_emulator/repos/O/R/permissions/LOGIN   {permission}
  PUT    /_emulator/repos/O/R/required-checks/BR  {contexts}
  PUT    /_emulator/repos/O/R/merge-methods       {merge, squash, rebase: BOOL}
  PUT    /_emulator/repos/O/R/teams/SLUG          {permission}
  PUT    /_emulator/orgs/ORG/teams/SLUG/memberships/LOGIN  {role}
  POST   /_emulator/repos/O/R/checks              {sha, name, conclusion, login}
  GET    /_emulator/deliveries
  POST   /_emulator/deliveries/ID/redeliver
  POST   /_emulator/faults                        {method, path_regex, kind, count, delay}
  DELETE /_emulator/faults
  GET    /_emulator/requests    (every request answered: method, path, status, arrival)
  GET    /_emulator/apps        (ids, installation ids, generated private keys)
Fault kinds: 502, 502_after_write, secondary_rate_limit, rate_limit, already_exists, slow.

\b
--run-workflows turns on a small GitHub Actions runner: a push to a branch and a pull
request opened/synchronized run the commit's .github/workflows/*.yml jobs whose `on:`
matches, each reported as a check run by the "GitHub Actions" app. Supported: steps
actions/checkout, actions/setup-python (this Python) and `run:` (bash -e, env:), and
${{ github.sha|ref|ref_name|repository|event_name, env.X, vars.X }}; any other step, key
or expression makes the job neutral, naming it. Steps run in the bot's test sandbox with
no network: pip finds only the emulator's own packages, file:// wheels a job names, and
the wheel directories given with --find-links.
"""


def run_emulator(
    *,
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="TCP port")] = 8787,
    host: Annotated[str, typer.Option("--host", help="interface to bind")] = "127.0.0.1",
    seed: Annotated[
        Path | None, typer.Option("--seed", help="JSON seed file (default world if absent)")
    ] = None,
    webhook_url: Annotated[
        str | None, typer.Option("--webhook-url", help="deliver every event here")
    ] = None,
    webhook_secret: Annotated[
        str | None, typer.Option("--webhook-secret", help="HMAC secret for X-Hub-Signature-256")
    ] = None,
    app_key_out: Annotated[
        Path | None,
        typer.Option("--app-key-out", help="write the default App's generated private key here"),
    ] = None,
    log_level: Annotated[LogLevel, typer.Option("--log-level", help="uvicorn log level")] = "info",
    run_workflows: Annotated[
        bool, typer.Option("--run-workflows", help="run pushed workflows (see below)")
    ] = False,
    find_links: Annotated[
        list[Path] | None,
        typer.Option("--find-links", help="a local wheel directory for the runner's pip"),
    ] = None,
) -> None:
    """Serve the emulator in the foreground."""
    # Heavy imports (FastAPI, uvicorn) only for this command, not every `issuebot` call.
    from bot.emulator.core import Emulator  # noqa: PLC0415
    from bot.emulator.seed import Seed, default_seed  # noqa: PLC0415
    from bot.emulator.server import bind, make_server  # noqa: PLC0415

    if webhook_secret and not webhook_url:
        raise UsageError("--webhook-secret needs --webhook-url")
    if find_links and not run_workflows:
        raise UsageError("--find-links needs --run-workflows")
    missing = [str(d) for d in find_links or [] if not d.is_dir()]
    if missing:
        raise UsageError(f"--find-links: not a directory: {missing[0]}")
    world = Seed.from_file(seed) if seed is not None else default_seed()
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    bound = sock.getsockname()[1]
    shown = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104
    with tempfile.TemporaryDirectory(prefix="issuebot-emulator-") as tmp:
        emulator = Emulator(Path(tmp) / "git", f"http://{shown}:{bound}")
        emulator.load(world)
        if run_workflows:
            from bot.emulator.actions import RunnerSettings  # noqa: PLC0415

            links = " ".join(str(d.resolve()) for d in find_links or [])
            emulator.run_workflows(RunnerSettings(env={"PIP_FIND_LINKS": links} if links else {}))
        if webhook_url:
            emulator.hooks.configure(webhook_url, webhook_secret)
        if app_key_out is not None:  # only then is the default App's key generated now
            _write_app_key(emulator, app_key_out)
        _describe(emulator, webhook_url or (world.webhook.url if world.webhook else None))
        server = make_server(emulator, log_level, foreground=True)
        try:
            server.run(sockets=[sock])
        finally:
            emulator.close(HOOK_DRAIN_SECONDS)
    # The temporary directory is gone by now; report how the stop was asked for. Freezing the
    # heap first spares the interpreter's exit a last collection over FastAPI's objects,
    # which took over a second on a loaded machine: the process ends right after this.
    gc.freeze()
    stopped_by: int | None = getattr(server, "stopped_by", None)
    code = EXIT_ON_SIGNAL.get(stopped_by or 0, 0)
    if code:
        raise SystemExit(code)  # typer returns (not raises) its Exit outside standalone mode


def _write_app_key(emulator: Emulator, path: Path) -> None:
    """Write the first App's private key, for local App-mode runs against this emulator."""
    keys = [k for k in map(emulator.app_private_key, emulator.store.apps) if k]
    if not keys:
        return
    try:
        path.write_text(keys[0])
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _describe(emulator: Emulator, webhook_url: str | None) -> None:
    """Print what a new user needs: URL, repos, tokens, apps, where webhooks go."""
    store = emulator.store
    typer.echo(f"GitHub emulator at {store.base_url} (Ctrl-C to stop)")
    for repo in store.repos.values():
        typer.echo(f"  repo  {repo.full_name:<24} {store.base_url}/{repo.full_name}.git")
    for token, login in store.tokens.items():
        typer.echo(f"  user  {login:<24} token {token}")
    for app in store.apps.values():
        typer.echo(f"  app   {app.slug:<24} id {app.id}, installation {app.installation_id}")
    typer.echo(f"  webhooks -> {webhook_url or 'nowhere (use --webhook-url)'}")
    ci = "on (--run-workflows)" if emulator.actions else "off (check runs are posted by hand)"
    typer.echo(f"  actions  {ci}")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add ``issuebot emulator``."""
    app.command("emulator", help=HELP)(run_emulator)
