"""Command ack and green → merged latency while runs are in flight (issue #17's targets).

Drives the bot from outside, as GitHub would: `issuebot serve` (plus two `issuebot worker`s
for RQ) against the local GitHub emulator. First ``--ready`` requests are approved and run to
an open PR; then ``--in-flight`` more are approved, and while their runs are going:
- ``--commands`` `/status` comments, one a second, each timed until the bot's answer appears;
- CI turns every ready PR green (each required check in turn), timed until the PR is merged.
Prints p50 / p95 / max per queue. Targets: ack p95 < 3 s, green → merged p95 < 10 s.

    python -m bench.latency --queue inprocess
    python -m bench.latency --queue rq --redis-url redis://127.0.0.1:6379/0 \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, text

from bot.config import RepoConfig
from bot.demo.story import required_check_names
from bot.emulator.testing import EmulatorHandle, start_emulator
from bot.issuespec.render import render_issue_body
from bot.issuespec.request import FeatureRequest
from bot.scaffold.write import scaffold_files
from bot.store import RunStore
from tests.bot.widget import WIDGET

BOT = "issuebot[bot]"
SECRET = "latency-secret"
ROOT = Path(__file__).resolve().parents[1]


def _until(condition: Callable[[], Any], what: str, timeout: float, poll: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(poll)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def _postgres_schema(url: str) -> Iterator[str]:
    schema = f"issuebot_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def _bot(args: argparse.Namespace, gh: EmulatorHandle, tmp: Path) -> Iterator[str]:
    """`issuebot serve` (and workers for RQ) configured for the emulator; yields the DB URL."""
    env = {
        **os.environ,
        "GITHUB_API_URL": gh.api_url,
        "GITHUB_TOKEN": gh.token(BOT),
        "ISSUEBOT_BOT_LOGIN": BOT,
        "ISSUEBOT_WEBHOOK_SECRET": SECRET,
        "ISSUEBOT_WORK_DIR": str(tmp / "work"),
    }
    name = f"issuebot-bench-{uuid.uuid4().hex[:8]}"
    with _database(args, tmp) as database:
        env["DATABASE_URL"] = database
        if args.queue == "rq":
            env |= {"QUEUE_URL": args.redis_url, "ISSUEBOT_QUEUE_NAME": name}
        port = _free_port()
        command = [sys.executable, "-m", "bot.cli.main"]
        log = (args.log or tmp / "bot.log").open("wb")
        processes = [subprocess.Popen([*command, "serve", "--port", str(port)], cwd=ROOT,
                                      env=env, stdout=log, stderr=subprocess.STDOUT)]  # fmt: skip
        if args.queue == "rq":
            processes += [subprocess.Popen([*command, "worker"], cwd=ROOT, env=env, stdout=log,
                                           stderr=subprocess.STDOUT) for _ in range(2)]  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            _until(lambda: _answers(url + "/healthz"), "serve to start", 180)
            gh.set_webhook(url + "/webhook", SECRET)
            yield database
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)
            log.close()
            if args.queue == "rq":
                _drop_rq(args.redis_url, name)


@contextmanager
def _database(args: argparse.Namespace, tmp: Path) -> Iterator[str]:
    if args.queue == "rq":
        with _postgres_schema(args.postgres_url) as url:
            yield url
    else:
        yield f"sqlite:///{tmp / 'issuebot.db'}"


def _drop_rq(redis_url: str, name: str) -> None:
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"rq:*{name}*"):
        client.delete(key)
    client.srem("rq:queues", f"rq:queue:{name}", f"rq:queue:{name}-fast")
    client.close()


def _file(gh: EmulatorHandle, repo: str, n: int) -> int:
    labels = RepoConfig().labels
    request = FeatureRequest(
        title=f"Widget entity and API ({n})", description="Track widgets.",
        user_story="As an operator I want widgets so that I can sell them.",
        acceptance_criteria=["CRUD API endpoints working"],
        entity_definition=WIDGET, api_endpoints=["GET /widgets - List widgets"],
    )  # fmt: skip
    issue = gh.github("writer").get_repo(repo).create_issue(
        request.title, render_issue_body(request, labels=labels),
        labels=[labels.needs_review, labels.entity_request],
    )  # fmt: skip
    return int(issue.number)


def _approve(gh: EmulatorHandle, repo: str, number: int) -> None:
    issue = gh.github("maintainer").get_repo(repo).get_issue(number)
    issue.remove_from_labels(RepoConfig().labels.needs_review)


def _open_pr(gh: EmulatorHandle, repo: str, number: int) -> Any:
    for pull in gh.github("maintainer").get_repo(repo).get_pulls(state="open"):
        if pull.head.ref.startswith(f"feat/issue-{number}-"):
            return pull
    return None


def _arrivals(gh: EmulatorHandle, method: str, path: str, status: int) -> list[float]:
    """When the emulator answered ``method path`` with ``status`` (monotonic, this process).

    The emulator runs in this process, so its request log times the bot's writes exactly,
    with no polling in between.
    """
    return [r.at_monotonic for r in gh.requests()
            if (r.method, r.path, r.status) == (method, path, status)]  # fmt: skip


def _ack_latencies(gh: EmulatorHandle, repo: str, issues: list[Any]) -> list[float]:
    """`/status` on the given issues, one a second; seconds until the bot's answer is posted."""
    for issue in issues:
        issue.create_comment("/status")
        time.sleep(1.0)
    latencies: list[float] = []
    for issue in issues:  # the first POST is the command, the second the bot's answer
        path = f"/repos/{repo}/issues/{issue.number}/comments"
        posts = _until(partial(_answered, gh, path), f"{path} ack", 120)
        latencies.append(posts[1] - posts[0])
    return latencies


def _answered(gh: EmulatorHandle, path: str) -> list[float] | None:
    posts = _arrivals(gh, "POST", path, 201)
    return posts if len(posts) >= 2 else None  # the command and its answer


def _merge_latencies(
    gh: EmulatorHandle, repo: str, pulls: list[Any], checks: list[str]
) -> list[float]:
    """CI turns each PR green (every required check in turn); seconds until the merge call."""
    times: list[float] = []
    for pull in pulls:
        for name in checks:
            gh.post_check(repo, pull.head.sha, name, "success")
        green, path = time.monotonic(), f"/repos/{repo}/pulls/{pull.number}/merge"
        merged = _until(partial(_arrivals, gh, "PUT", path, 200), f"{path} merged", 180)
        times.append(merged[0] - green)
    return times


def _runs_in_flight(database: str, repo: str) -> int:
    store = RunStore.open(database)
    try:
        return sum(r.active for r in store.list_runs(repo=repo, limit=100))
    finally:
        store.close()


def measure(args: argparse.Namespace) -> dict[str, list[float]]:
    """One round on one queue; returns the latency samples."""
    files = scaffold_files()
    checks = required_check_names(files)
    repo = f"acme/latency-{uuid.uuid4().hex[:8]}"
    with (
        tempfile.TemporaryDirectory(prefix="issuebot-latency-") as tmp,
        start_emulator() as gh,
    ):
        gh.create_target_repo(repo, files)
        gh.set_required_checks(repo, "main", checks)
        with _bot(args, gh, Path(tmp)) as database:
            target = gh.github("maintainer").get_repo(repo)  # where the commands go, later
            probes = [target.create_issue(f"probe {n}", body="-") for n in range(args.commands)]
            ready = [_file(gh, repo, n) for n in range(args.ready)]
            for number in ready:
                _approve(gh, repo, number)
            pulls = [_until(partial(_open_pr, gh, repo, n), f"PR of #{n}", 900) for n in ready]
            flying = [_file(gh, repo, 100 + n) for n in range(args.in_flight)]
            for number in flying:
                _approve(gh, repo, number)
            _until(lambda: _runs_in_flight(database, repo) >= 2, "runs in flight", 120)
            merges: list[float] = []
            merger = threading.Thread(
                target=lambda: merges.extend(_merge_latencies(gh, repo, pulls, checks))
            )
            merger.start()
            acks = _ack_latencies(gh, repo, probes)
            merger.join(timeout=600)
            still = _runs_in_flight(database, repo)
    return {"acks": acks, "merges": merges, "in_flight_at_end": [float(still)]}


def _p(samples: list[float], q: float) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def main(argv: list[str] | None = None) -> None:
    """Print the latency figures for each requested queue."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queue", choices=["inprocess", "rq", "both"], default="both")
    parser.add_argument("--in-flight", type=int, default=5)
    parser.add_argument("--ready", type=int, default=4)
    parser.add_argument("--commands", type=int, default=10)
    parser.add_argument("--log", type=Path, help="keep the bot's log (JSON lines) here")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args(argv)
    queues = ["inprocess", "rq"] if args.queue == "both" else [args.queue]
    for queue in queues:
        args.queue = queue
        started = time.monotonic()
        result = measure(args)
        acks, merges = result["acks"], result["merges"]
        print(f"queue={queue} runs_in_flight={args.in_flight} ({time.monotonic() - started:.0f} s)")
        print(f"  command ack   n={len(acks):2d} p50={_p(acks, 50):5.2f}s p95={_p(acks, 95):5.2f}s "
              f"max={max(acks, default=float('nan')):5.2f}s (target p95 < 3 s)")  # fmt: skip
        print(f"  green→merged  n={len(merges):2d} p50={_p(merges, 50):5.2f}s "
              f"p95={_p(merges, 95):5.2f}s max={max(merges, default=float('nan')):5.2f}s "
              f"(target p95 < 10 s)")  # fmt: skip
        print(f"  runs still in flight when measuring ended: {int(result['in_flight_at_end'][0])}")


if __name__ == "__main__":
    main()
