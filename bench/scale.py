"""How the bot scales with workers: runs/minute, queue wait and approval-to-PR time for 1, 2, 4.

    python bench/scale.py                          # synthetic runs: store + Redis leases + RQ
    python bench/scale.py --workload pipeline      # the real pipeline against the emulator
    python bench/scale.py --approvals 100 --repos 20 --redeliver 2 --workers 4

Every approval becomes one RQ job (plus ``--redeliver`` duplicates, as redelivered webhooks
that slipped past dedupe would), worked off by N `python -m bot.queue.worker --burst`
processes. The synthetic workload (``simulated_run`` in tests/bot/queue/jobs.py) does what a
run does to the shared backends (per-issue Redis lease, one run row, nine recorded steps
that each wait ``--step-ms``, one "PR" audit entry) so it measures the infrastructure;
``pipeline`` runs the real Orchestrator steps (git, generator, tests, PR) on an emulator.
After each round the invariants are checked and printed: one PR per approval, no
duplicates, no lease left behind.
Needs PostgreSQL (or --database sqlite) and Redis; prints figures, asserts nothing on speed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bot.queue import RqQueue  # noqa: E402
from bot.store import RunStore  # noqa: E402

SIMULATED_RUN = "tests.bot.queue.jobs:simulated_run"  # lease, run row, nine steps, one "PR"


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values``, nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Backends:
    """A private PostgreSQL schema (or SQLite file) and Redis namespace for one round."""

    def __init__(self, args: argparse.Namespace, tmp: Path, tag: str) -> None:
        self.redis_url = args.redis_url
        self.queue_name = f"issuebot-bench-{tag}"
        self.lock_prefix = f"issuebot-bench:{tag}:lock:"
        self.schema: str | None = None
        if args.database == "sqlite":
            self.database_url = f"sqlite:///{tmp / f'{tag}.db'}"
        else:
            self.schema = f"issuebot_bench_{tag}"
            with create_engine(args.postgres_url).begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            self.database_url = f"{args.postgres_url}?options=-csearch_path%3D{self.schema}"
        self.postgres_url = args.postgres_url
        self.store = RunStore.open(self.database_url)
        self.queue = RqQueue(self.redis_url, name=self.queue_name)

    def held_leases(self) -> int:
        client = redis.Redis.from_url(self.redis_url)
        held = [
            k for k in client.scan_iter(match=self.lock_prefix + "*") if not k.endswith(b":fence")
        ]
        client.close()
        return len(held)

    def close(self) -> None:
        client = self.queue.redis
        for key in client.scan_iter(match=f"*{self.queue_name}*"):
            client.delete(key)
        for key in client.scan_iter(match=f"{self.lock_prefix}*"):
            client.delete(key)
        client.srem("rq:queues", f"rq:queue:{self.queue_name}")
        self.queue.close()
        self.store.close()
        if self.schema:
            with create_engine(self.postgres_url).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))


def run_workers(count: int, backends: Backends, env: dict[str, str]) -> float:
    """Start ``count`` burst workers, wait for all; the wall time in seconds."""
    cmd = [sys.executable, "-m", "bot.queue.worker", backends.redis_url, "--queue",
           backends.queue_name, "--burst", "--preload", "tests.bot.queue.jobs"]  # fmt: skip
    started = time.time()
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(count)]  # fmt: skip
    for proc in procs:
        proc.wait()
    return time.time() - started


def synthetic_round(args: argparse.Namespace, workers: int, tmp: Path) -> dict[str, Any]:
    """Queue every approval (and its redeliveries), then let ``workers`` work them off."""
    backends = Backends(args, tmp, f"{workers}w{uuid.uuid4().hex[:6]}")
    try:
        approved: dict[tuple[str, int], float] = {}
        for n in range(args.approvals):
            repo, issue = f"acme/bench-{n % args.repos}", n // args.repos + 1
            approved[(repo, issue)] = time.time()
            payload = {"repo": repo, "issue": issue, "database_url": backends.database_url,
                       "redis_url": backends.redis_url, "lock_prefix": backends.lock_prefix,
                       "step_ms": args.step_ms}  # fmt: skip
            for _ in range(1 + args.redeliver):
                backends.queue.enqueue(SIMULATED_RUN, payload, timeout_seconds=600)
        wall = run_workers(workers, backends, dict(os.environ))
        prs = backends.store.audit_entries(limit=100_000)
        issues = {(e.repo or "", e.issue or 0) for e in prs}
        at = {(e.repo, e.issue): e.ts.timestamp() for e in prs}
        return measure(backends, approved, wall, issues, len(prs), prs_at=at)
    finally:
        backends.close()


def measure(
    backends: Backends,
    approved: dict[tuple[str, int], float],
    wall: float,
    issues_with_pr: set[tuple[str, int]],
    pr_count: int,
    prs_at: dict[Any, float],
) -> dict[str, Any]:
    """Figures and invariants of one round."""
    runs = backends.store.list_runs(limit=100_000)
    waits = [r.created_at.timestamp() - approved[(r.repo, r.issue)] for r in runs]
    to_pr = [prs_at[k] - approved[k] for k in approved if k in prs_at]
    done = sum(1 for r in runs if r.status == "succeeded")
    return {
        "runs_per_min": done / wall * 60 if wall else 0.0,
        "wall_s": wall,
        "wait_p50": pct(waits, 0.5), "wait_p95": pct(waits, 0.95),
        "pr_p50": pct(to_pr, 0.5), "pr_p95": pct(to_pr, 0.95),
        "prs": pr_count, "missing": len(approved) - len(issues_with_pr & set(approved)),
        "duplicates": pr_count - len(issues_with_pr), "leases_left": backends.held_leases(),
        "failed_runs": sum(1 for r in runs if r.status == "failed"), "runs": len(runs),
    }  # fmt: skip


def pipeline_round(args: argparse.Namespace, workers: int, tmp: Path) -> dict[str, Any]:
    """The real pipeline: approved issues on an emulator, `run_implement` jobs, N workers."""
    from bench.scale_pipeline import pipeline_round as real  # noqa: PLC0415

    return real(args, workers, tmp, Backends, measure, run_workers)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workload", choices=["synthetic", "pipeline"], default="synthetic")
    parser.add_argument("--approvals", type=int, default=40)
    parser.add_argument("--repos", type=int, default=8)
    parser.add_argument("--redeliver", type=int, default=0, help="extra copies of each job")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--step-ms", type=float, default=50.0, help="synthetic step duration")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "ISSUEBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--redis-url", default=os.environ.get(
        "ISSUEBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))  # fmt: skip
    args = parser.parse_args()
    round_ = pipeline_round if args.workload == "pipeline" else synthetic_round
    print(f"workload={args.workload} approvals={args.approvals} repos={args.repos} "
          f"redeliver={args.redeliver} database={args.database}")  # fmt: skip
    print(f"{'workers':>7} {'runs/min':>9} {'wall s':>7} {'wait p50':>9} {'wait p95':>9} "
          f"{'→PR p50':>8} {'→PR p95':>8} {'PRs':>4} {'dup':>4} {'miss':>4} "
          f"{'leases':>6} {'runs':>5} {'failed':>6}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="issuebot-bench-") as tmp:
        for workers in (int(w) for w in args.workers.split(",")):
            r = round_(args, workers, Path(tmp))
            print(f"{workers:>7} {r['runs_per_min']:>9.1f} {r['wall_s']:>7.1f} "
                  f"{r['wait_p50']:>9.2f} {r['wait_p95']:>9.2f} {r['pr_p50']:>8.2f} "
                  f"{r['pr_p95']:>8.2f} {r['prs']:>4} {r['duplicates']:>4} {r['missing']:>4} "
                  f"{r['leases_left']:>6} {r['runs']:>5} {r['failed_runs']:>6}",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
