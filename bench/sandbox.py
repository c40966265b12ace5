"""Print the sandbox's overhead on the test step: one generated suite, unsandboxed vs bwrap.

The suite is what the pipeline tests (the generator's service for a few entities, with
coverage), run through `run_tests` exactly as the test step does. Runs alternate between
the two modes so load on the machine hits both alike; the medians are compared.

Target: the sandboxed test step takes at most 1.2x the unsandboxed one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.codegen import write_generated  # noqa: E402
from bot.testgate import resolve_sandbox, run_tests  # noqa: E402
from bot.testgate.sandbox import ALLOW_UNSANDBOXED  # noqa: E402
from generators.service import generate_service  # noqa: E402
from generators.spec import SpecFile, load_spec  # noqa: E402

COMMAND = ("python", "-m", "pytest", "-q", "-p", "no:cacheprovider")


def suite(into: Path, entities: int) -> Path:
    """A repository holding the generated service (and its tests) for ``entities`` entities."""
    seed = load_spec((ROOT / "specs" / "entities.json").read_text()).entities[0]
    spec = SpecFile.empty()
    for n in range(entities):
        spec = spec.upsert(seed.model_copy(update={"name": f"{seed.name}{n}"}))
    write_generated(into, generate_service(spec))
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    modes = {
        "none": resolve_sandbox("none", environ={ALLOW_UNSANDBOXED: "1"}),
        "bwrap": resolve_sandbox("bwrap"),
    }
    times: dict[str, list[float]] = {name: [] for name in modes}
    with tempfile.TemporaryDirectory() as tmp:
        repo = suite(Path(tmp) / "repo", args.entities)
        for _ in range(args.repeat):
            for name, sandbox in modes.items():
                start = time.perf_counter()
                report = run_tests(repo, command=COMMAND, timeout_seconds=600,
                                   coverage_source="app", sandbox=sandbox)  # fmt: skip
                times[name].append(time.perf_counter() - start)
                if not report.passed:
                    print(f"{name}: the suite failed:\n{report.output[-2000:]}")
                    return
        tests = report.summary()
    print(f"suite: {args.entities} entities, {tests}; {args.repeat} runs per mode")
    for name, values in times.items():
        runs = " ".join(f"{v:.2f}" for v in values)
        print(f"{name:>6}: median {statistics.median(values):.2f}s  (runs: {runs})")
    ratio = statistics.median(times["bwrap"]) / statistics.median(times["none"])
    print(f"ratio bwrap/none: {ratio:.2f}x  (target <= 1.2x)")


if __name__ == "__main__":
    main()
