"""Approval → PR opened for the seed entity (RawDataSource), on the local emulator with real git.

Each round files the seed request in a fresh scaffolded repository, approves it by removing
`needs-review` as a maintainer, and runs `Orchestrator.implement_issue`. Prints the p50 (and
min/max) over the rounds of: approval → PR opened, and approval → run finished; then each
step's share of the run time. Usage: `.venv/bin/python bench/pipeline.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import parse_repo_config  # noqa: E402
from bot.emulator.testing import start_emulator  # noqa: E402
from bot.github import ClientOptions, connect_repo  # noqa: E402
from bot.locks import SqlLockManager  # noqa: E402
from bot.pipeline import STEP_NAMES, Orchestrator  # noqa: E402
from bot.scaffold.write import scaffold_files  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import RunStore  # noqa: E402

BOT = "issuebot[bot]"


def seed_entity() -> dict[str, object]:
    """The seed's RawDataSource definition, as the example spec holds it."""
    spec = json.loads((ROOT / "specs" / "entities.json").read_text())
    return next(e for e in spec["entities"] if e["name"] == "RawDataSource")


def one_round(emulator, index: int, tmp: Path) -> tuple[float, float, dict[str, float]]:
    full_name = f"acme/bench-{index}"
    emulator.create_repo(full_name, scaffold_files())
    for login, permission in ((BOT, "write"), ("maintainer", "admin")):
        emulator.set_permission(full_name, login, permission)
    settings = Settings(
        GITHUB_API_URL=emulator.api_url,
        GITHUB_TOKEN=emulator.token(BOT),
        DATABASE_URL=f"sqlite:///{tmp}/runs-{index}.db",
        ISSUEBOT_WORK_DIR=tmp / "work",
        ISSUEBOT_BOT_LOGIN=BOT,
        ISSUEBOT_LOG_JSON=False,
    )
    store = RunStore.open(settings.database_url)
    orchestrator = Orchestrator(
        repo=full_name, settings=settings, store=store, locks=SqlLockManager(store)
    )
    filed = orchestrator.request_feature(
        title="RawDataSource entity and API",
        description="Configuration of external data sources feeding the platform.",
        user_story="As a data engineer, I want to register data sources without DevOps help.",
        acceptance_criteria=["CRUD API endpoints working", "Tests with 80%+ coverage"],
        entity_definition=seed_entity(),
        api_endpoints=["GET /raw-data-sources - List", "POST /raw-data-sources - Create"],
        ui_requirements=None,
    )
    maintainer = connect_repo(
        settings.model_copy(update={"github_token": type(settings.github_token)(
            emulator.token("maintainer"))}),
        full_name, store, ClientOptions.fast(),
    )  # fmt: skip
    labels = parse_repo_config(maintainer.read_file(".github/issuebot.yml")).labels
    approved = time.perf_counter()
    maintainer.remove_label(filed.number, labels.needs_review)
    result = orchestrator.implement_issue(filed.number, actor="maintainer")
    finished = time.perf_counter() - approved
    if result.status != "succeeded" or result.pr_number is None:
        raise SystemExit(f"round {index}: run {result.run_id} ended {result.status}")
    durations = dict(result.durations)
    to_pr = finished - durations.get("report", 0.0)
    store.close()
    return to_pr, finished, durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds to measure (>= 5)")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    to_pr: list[float] = []
    total: list[float] = []
    steps: dict[str, float] = dict.fromkeys(STEP_NAMES, 0.0)
    with start_emulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        for index in range(1, runs + 1):
            pr_time, run_time, durations = one_round(emulator, index, Path(tmp))
            to_pr.append(pr_time)
            total.append(run_time)
            for name, seconds in durations.items():
                steps[name] = steps.get(name, 0.0) + seconds
            print(f"round {index}: PR opened after {pr_time:.2f}s, run done after {run_time:.2f}s")
    print(f"\napproval → PR opened over {runs} runs (seed entity RawDataSource):")
    print(f"  p50 {statistics.median(to_pr):.2f}s  min {min(to_pr):.2f}s  max {max(to_pr):.2f}s")
    print(f"approval → run finished: p50 {statistics.median(total):.2f}s")
    spent = sum(steps.values()) or 1.0
    print("\nshare of each step (summed over the runs):")
    for name in STEP_NAMES:
        share = steps.get(name, 0.0) / spent
        print(f"  {name:<13} {share:6.1%}  {steps.get(name, 0.0) / runs:6.2f}s per run")


if __name__ == "__main__":
    main()
