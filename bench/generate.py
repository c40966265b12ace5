"""Print how long the generator takes for 1, 10 and 100 entities, and for an unchanged re-run.

Targets: 100 entities in under 2 s; an unchanged re-run (generate + compare, no writes) under 0.3 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.codegen import write_generated  # noqa: E402
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


if __name__ == "__main__":
    main()
