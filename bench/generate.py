"""Print how long the generator takes for 1, 10 and 100 entities, and for an unchanged re-run;
then how long computing the next migration revision takes for 100 entities and one new field.

Targets: 100 entities in under 2 s; an unchanged re-run (generate + compare, no writes) under 0.3 s;
the next revision for 100 entities in under 2 s.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.codegen import write_generated  # noqa: E402
from bot.migrations import generate_with_history  # noqa: E402
from generators.model import Field  # noqa: E402
from generators.service import generate_service  # noqa: E402
from generators.spec import SpecFile, load_spec  # noqa: E402


def spec_with(count: int) -> SpecFile:
    """`count` copies of the example entity under distinct names."""
    seed = load_spec((ROOT / "specs" / "entities.json").read_text()).entities[0]
    spec = SpecFile.empty()
    for n in range(count):
        spec = spec.upsert(seed.model_copy(update={"name": f"{seed.name}{n}"}))
    return spec


def main() -> None:
    generate_service(spec_with(1))  # warm the template cache, as a long-running bot would
    print(f"{'entities':>8}  {'generate':>9}  {'write':>7}  {'re-run':>7}  files")
    for count in (1, 10, 100):
        spec = spec_with(count)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            service = generate_service(spec)
            generated = time.perf_counter() - start
            write_generated(Path(tmp), service)
            written = time.perf_counter() - start
            start = time.perf_counter()
            report = write_generated(Path(tmp), generate_service(spec))
            rerun = time.perf_counter() - start
            assert not report.written, "an unchanged re-run must write nothing"
        files = len(service.files) + len(service.user_owned)
        print(f"{count:>8}  {generated:>8.3f}s  {written:>6.3f}s  {rerun:>6.3f}s  {files}")
    next_revision(100)


def next_revision(count: int) -> None:
    """Time the migration history step: scratch upgrade through `count` revisions and a diff."""
    spec = spec_with(count)
    first = spec.entities[0]
    extra = Field(name="bench_note", type="string")
    changed = spec.upsert(first.model_copy(update={"fields": (*first.fields, extra)}))
    with tempfile.TemporaryDirectory() as tmp:
        before = generate_service(spec)
        write_generated(Path(tmp), before)
        start, cpu = time.perf_counter(), _cpu()
        service = generate_with_history(Path(tmp), changed)
        elapsed, used = time.perf_counter() - start, _cpu() - cpu
    added = len(set(service.files) - set(before.files))
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"next revision for {count} entities (+1 field): {elapsed:.3f}s wall, "
        f"{used:.3f}s CPU (bot + probe process), {added} new file; load average {load} "
        f"on {os.cpu_count()} CPUs (wall is only meaningful when the load is below that)"
    )


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the machine may be shared)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
