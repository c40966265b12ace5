"""The readiness gates: facts in, verdicts out (no I/O), one verdict per thing that can be wrong.

``bot.doctor.facts`` gathers what GitHub, the store, the queue and this host say; each gate
here reads only those facts and answers pass, fail (with the one line that fixes it) or skip
(the gate does not apply, e.g. App gates with a token). ``issuebot doctor``, the server's start
and ``/readyz?full=1`` all run these same gates.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.doctor.model import Facts, Verdict, fail_, pass_, skip_
from bot.github.requirements import missing_events, missing_permissions


def credentials(f: Facts) -> Verdict:
    """The configured credential authenticates, and of which kind it is."""
    kinds = {"app": "GitHub App", "pat": "token (PAT)", "actions": "Actions GITHUB_TOKEN"}
    if f.credential_kind == "none":
        return fail_(
            "credentials",
            "no GitHub credentials configured",
            "set GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY (and GITHUB_APP_INSTALLATION_ID), "
            "or GITHUB_TOKEN",
        )
    if f.credential_error is not None:
        return fail_(
            "credentials",
            f"{kinds[f.credential_kind]} refused: {f.credential_error}",
            "check the App id and private key (or the token) and GITHUB_API_URL",
        )
    return pass_("credentials", f"{kinds[f.credential_kind]} valid, acting as {f.identity}")


def app_permissions(f: Facts) -> Verdict:
    """The App holds every permission the bot needs (`GET /app`)."""
    if f.credential_kind != "app":
        return skip_("app-permissions", "not a GitHub App")
    if f.app_permissions is None:
        return fail_("app-permissions", "the App could not be read", "fix the credentials first")
    missing = missing_permissions(f.app_permissions, teams=f.uses_teams)
    if missing:
        named = ", ".join(f"{k}: {v}" for k, v in sorted(missing.items()))
        return fail_(
            "app-permissions",
            f"the App lacks {named}",
            f"grant {named} in the App's settings (Permissions & events), then accept the "
            "new permissions on the installation",
        )
    return pass_("app-permissions", f"{len(f.app_permissions)} permissions granted, none missing")


def app_events(f: Facts) -> Verdict:
    """The App subscribes to every webhook event the bot acts on."""
    if f.credential_kind != "app":
        return skip_("app-events", "not a GitHub App")
    if f.app_events is None:
        return fail_("app-events", "the App could not be read", "fix the credentials first")
    missing = missing_events(f.app_events)
    if missing:
        named = ", ".join(missing)
        return fail_(
            "app-events",
            f"the App is not subscribed to {named}",
            f"subscribe to {named} in the App's settings (Permissions & events)",
        )
    return pass_("app-events", "subscribed to every event the bot handles")


def installation(f: Facts) -> Verdict:
    """The App is installed on the repository (App mode), or the token reaches it."""
    if f.repo is None:
        return skip_("installation", "no --repo given")
    if f.credential_kind == "app" and f.installation_error is not None:
        return fail_(
            "installation",
            f"the App is not installed on {f.repo}: {f.installation_error}",
            f"install the App on {f.repo} (App settings → Install App), and set "
            "GITHUB_APP_INSTALLATION_ID to its id",
        )
    if f.repo_error is not None:
        return fail_(
            "installation",
            f"{f.repo} cannot be read: {f.repo_error}",
            f"give the credential access to {f.repo}",
        )
    return pass_("installation", f"{f.repo} is reachable")


def webhook(f: Facts) -> Verdict:
    """GitHub has a webhook URL and secret, and the server holds the same secret's half."""
    if f.credential_kind != "app":
        return skip_("webhook", "webhooks are the App's (Action mode needs none)")
    if f.hook_error is not None:
        return fail_("webhook", f"the App's webhook cannot be read: {f.hook_error}", "")
    if not f.hook_url:
        return fail_(
            "webhook",
            "the App has no webhook URL",
            "set the webhook URL to https://HOST/webhook in the App's settings",
        )
    if not f.hook_secret_set:
        return fail_(
            "webhook",
            "the App's webhook has no secret: anyone could post events",
            "set a webhook secret in the App's settings and the same value in "
            "ISSUEBOT_WEBHOOK_SECRET",
        )
    if not f.local_secret_set:
        return fail_(
            "webhook",
            "ISSUEBOT_WEBHOOK_SECRET is not set: the server refuses signed deliveries",
            "set ISSUEBOT_WEBHOOK_SECRET to the App's webhook secret",
        )
    return pass_("webhook", f"deliveries go to {f.hook_url}, signed")


def deliveries(f: Facts) -> Verdict:
    """The newest delivery (GitHub's ping when nothing else came since) reached the server.

    GitHub lists the last three days of deliveries, so anything listed is recent; the newest
    one tells whether the URL and both halves of the secret agree today.
    """
    if f.credential_kind != "app":
        return skip_("webhook-delivery", "not a GitHub App")
    if f.deliveries is None:
        return fail_("webhook-delivery", "deliveries cannot be read", "fix the webhook first")
    if not f.deliveries:
        return fail_(
            "webhook-delivery",
            "no delivery recorded (GitHub sends a ping when the webhook is set)",
            "redeliver the ping from the App's settings (Advanced → Recent Deliveries)",
        )
    latest = f.deliveries[0]
    if latest.ok:
        return pass_("webhook-delivery", f"{latest.event} accepted at {latest.delivered_at}")
    return fail_(
        "webhook-delivery",
        f"the last {latest.event} delivery got HTTP {latest.status_code or 'no answer'}",
        "401: the secrets differ (App settings vs ISSUEBOT_WEBHOOK_SECRET); no answer: the "
        "URL does not reach `issuebot serve`; then redeliver the ping",
    )


def labels(f: Facts) -> Verdict:
    """Every label the bot reads or writes exists (`--fix` creates the missing ones)."""
    if f.labels_present is None:
        return skip_("labels", "repository not read")
    have = {name.lower() for name in f.labels_present}
    missing = [name for name in f.labels_wanted if name.lower() not in have]
    if missing:
        return fail_(
            "labels",
            f"missing labels: {', '.join(missing)}",
            "run `issuebot doctor --repo OWNER/NAME --fix` to create them",
        )
    created = f" (created {', '.join(f.labels_created)})" if f.labels_created else ""
    return pass_("labels", f"all {len(f.labels_wanted)} labels exist{created}")


def protection(f: Facts) -> Verdict:
    """The default branch requires the scaffolded checks, so only green PRs merge."""
    if f.checks_required is None:
        return skip_("branch-protection", "repository not read")
    missing = [c for c in f.checks_wanted if c not in f.checks_required]
    if not f.checks_required or missing:
        named = ", ".join(missing or f.checks_wanted)
        return fail_(
            "branch-protection",
            f"{f.default_branch} does not require {named}",
            f"protect {f.default_branch} with required status checks {named} (Settings → Branches)",
        )
    return pass_("branch-protection", f"{f.default_branch} requires {', '.join(f.checks_wanted)}")


def merging(f: Facts) -> Verdict:
    """The bot may push and the repository allows its configured merge method."""
    if f.can_push is None:
        return skip_("can-merge", "repository not read")
    if not f.can_push:
        return fail_(
            "can-merge",
            f"{f.identity} cannot push to {f.repo}",
            "grant contents: write and pull_requests: write (or write access for a token)",
        )
    allowed = f.merge_methods_allowed or ()
    if f.merge_method not in allowed:
        return fail_(
            "can-merge",
            f"{f.repo} does not allow {f.merge_method} merges (allows {', '.join(allowed)})",
            f"allow {f.merge_method} merging in Settings → General, or set risk.merge_method "
            f"to one of {', '.join(allowed) or 'the allowed methods'}",
        )
    return pass_("can-merge", f"{f.identity} can push and {f.merge_method}-merge")


def config(f: Facts) -> Verdict:
    """`.github/issuebot.yml` parses and validates."""
    if f.repo is None:
        return skip_("repo-config", "no --repo given")
    if f.repo_error is not None:
        return skip_("repo-config", "repository not read")
    if f.config_error is not None:
        return fail_(
            "repo-config",
            f.config_error,
            "fix .github/issuebot.yml (`issuebot init --dry-run` shows the documented default)",
        )
    return pass_("repo-config", ".github/issuebot.yml is valid")


def sandbox(f: Facts) -> Verdict:
    """Generated tests can run sandboxed (bubblewrap) on this host."""
    if not f.sandbox_checked:
        return skip_("sandbox", "tests run on the workers: run `issuebot doctor` where they run")
    if f.sandbox_error is not None:
        return fail_(
            "sandbox",
            f"the test sandbox does not work here: {f.sandbox_error}",
            "install bubblewrap (`apt-get install bubblewrap`) and allow unprivileged user "
            "namespaces (or set ISSUEBOT_BWRAP to its path)",
        )
    return pass_("sandbox", "bubblewrap runs an isolated process")


def store(f: Facts) -> Verdict:
    """The run store answers and its schema is at the Alembic head."""
    if f.store_error is not None:
        return fail_(
            "store",
            f"the run store is unreachable: {f.store_error}",
            "check DATABASE_URL and that the database server runs",
        )
    if f.store_revision != f.store_head:
        return fail_(
            "store",
            f"the store is at revision {f.store_revision or 'none'}, code expects {f.store_head}",
            "run `issuebot db upgrade`",
        )
    return pass_("store", f"reachable, migrated to {f.store_head}")


def queue(f: Facts) -> Verdict:
    """The job queue answers (only when QUEUE_URL names one)."""
    if not f.queue_url_set:
        return skip_("queue", "QUEUE_URL unset: in-process worker threads")
    if f.queue_error is not None:
        return fail_(
            "queue",
            f"the queue is unreachable: {f.queue_error}",
            "check QUEUE_URL and that Redis runs",
        )
    return pass_("queue", "Redis answers")


GATES: tuple[Callable[[Facts], Verdict], ...] = (
    credentials,
    app_permissions,
    app_events,
    installation,
    webhook,
    deliveries,
    labels,
    protection,
    merging,
    config,
    sandbox,
    store,
    queue,
)


def judge(facts: Facts) -> list[Verdict]:
    """Every gate's verdict, in the order a person would fix them."""
    return [gate(facts) for gate in GATES]


def ready(verdicts: list[Verdict]) -> bool:
    """All gates pass (or do not apply)."""
    return all(v.status != "fail" for v in verdicts)
