"""The `--workload pipeline` round of bench/scale.py: real runs on a local GitHub emulator."""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

from bot.emulator.testing import start_emulator
from tests.bot.queue.faults import approved_request, file_approved

IMPLEMENT_JOB = "bot.events.jobs:run_implement"


def pipeline_round(
    args: argparse.Namespace,
    workers: int,
    tmp: Path,
    backends_cls: Any,
    measure: Callable[..., dict[str, Any]],
    run_workers: Callable[..., float],
) -> dict[str, Any]:
    """Approve ``--approvals`` requests over ``--repos`` repositories, then let N workers run."""
    backends = backends_cls(args, tmp, f"p{workers}w{os.getpid()}{int(time.time()) % 10000}")
    try:
        with start_emulator() as emulator:
            first = [approved_request(emulator, backends.database_url, tmp / "w")
                     for _ in range(min(args.repos, args.approvals))]  # fmt: skip
            issues = [(t.repo, t.issue) for t in first]
            while len(issues) < args.approvals:
                target = first[len(issues) % len(first)]
                number = file_approved(emulator, target.repo, target.settings, target.store)
                issues.append((target.repo, number))
            approved: dict[tuple[str, int], float] = {}
            for repo, issue in issues:
                approved[(repo, issue)] = time.time()
                payload = {"repo": repo, "issue": issue, "actor": "maintainer",
                           "trigger": "implement"}  # fmt: skip
                for _ in range(1 + args.redeliver):
                    backends.queue.enqueue(IMPLEMENT_JOB, payload, timeout_seconds=1800)
            env = {**os.environ, **first[0].env(backends.redis_url)}
            wall = run_workers(workers, backends, env)
            heads: list[tuple[str, int]] = []
            for target in first:
                gh = emulator.github("maintainer").get_repo(target.repo)
                for pull in gh.get_pulls(state="all"):
                    number = int(pull.head.ref.split("-")[1])  # feat/issue-<n>-widget
                    heads.append((target.repo, number))
                target.store.close()
        prs_at = _pr_times(backends)
        result = measure(backends, approved, wall, set(heads), len(heads), prs_at=prs_at)
        result["leases_left"] = _held_run_leases(backends.redis_url, [t.repo for t in first])
        return result
    finally:
        backends.close()


def _pr_times(backends: Any) -> dict[tuple[str, int], float]:
    """When each issue's pull_request step finished (the PR exists from then on)."""
    times: dict[tuple[str, int], float] = {}
    for run in backends.store.list_runs(limit=100_000):
        for step in backends.store.steps(run.id):
            if step.name == "pull_request" and step.outcome == "ok" and step.finished_at:
                times[(run.repo, run.issue)] = step.finished_at.timestamp()
    return times


def _held_run_leases(redis_url: str, repos: list[str]) -> int:
    """Issue and repo leases (the Orchestrator's default Redis prefix) still held."""
    client = redis.Redis.from_url(redis_url)
    held = 0
    for repo in repos:
        for key in client.scan_iter(match=f"issuebot:lock:*{repo}*"):
            held += not key.endswith(b":fence")
            client.delete(key)  # the bench leaves nothing behind
    client.close()
    return held
