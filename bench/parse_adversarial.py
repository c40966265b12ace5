"""Print the time, in ms per 1 MB, of every parser and escaper applied to hostile issue text.

Input: the adversarial corpus of tests/bot/issuespec/adversarial.py (repeated backslashes,
nested fences, long headings, unclosed code spans...). Each case is measured at the largest
body GitHub accepts (64 KB by default; longer bodies are refused before parsing) and scaled
to ms per MB; `x4` is how much slower the same shape is at 4x the size (about 4 when linear,
16 when quadratic). Target: < 50 ms per MB. Run:
`.venv/bin/python bench/parse_adversarial.py [size_in_kb]`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.events.messages import escape, quote_block  # noqa: E402
from bot.issuespec.hygiene import neutralise  # noqa: E402
from bot.issuespec.markdown import code_span, escape_block, escape_text  # noqa: E402
from bot.issuespec.parse import parse_issue_body  # noqa: E402
from tests.bot.issuespec.adversarial import CASES  # noqa: E402

TARGET_MS_PER_MB = 50.0
STAGES: dict[str, Callable[[str], object]] = {
    "parse": parse_issue_body,
    "escape_block": escape_block,
    "escape_text": escape_text,
    "code_span": code_span,
    "neutralise": neutralise,
    "messages": lambda text: (escape(text), quote_block(text)),
}


def per_mb(stage: Callable[[str], object], text: str) -> float:
    """Best of five runs in CPU time (the machine is shared), scaled to ms per 1 MB of input."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        stage(text)
        best = min(best, time.process_time() - start)
    return best * 1000 * (1_000_000 / max(len(text.encode()), 1))


def main() -> int:
    size = int(sys.argv[1]) * 1000 if len(sys.argv) > 1 else 64_000
    worst, worst_growth = 0.0, 0.0
    print(f"{'case':30} " + " ".join(f"{name:>12}" for name in STAGES) + "   x4   (ms per MB)")
    for name, make in CASES.items():
        text, quarter = make(size), make(size // 4)
        row = [per_mb(stage, text) for stage in STAGES.values()]
        growth = max(
            per_mb(stage, text) * len(text) / max(per_mb(stage, quarter) * len(quarter), 1e-9)
            for stage in (STAGES["parse"], STAGES["neutralise"])
        )
        worst, worst_growth = max(worst, *row), max(worst_growth, growth)
        print(f"{name:30} " + " ".join(f"{ms:12.1f}" for ms in row) + f" {growth:5.1f}")
    raw = per_mb(STAGES["parse"], CASES["nested fences"](1_000_000))
    print(f"a 1 MB body (refused: GitHub allows 65,536 characters): {raw:.1f} ms per MB")
    verdict = "ok" if worst < TARGET_MS_PER_MB else "OVER TARGET"
    print(f"worst: {worst:.1f} ms per MB at {size // 1000} KB (target < {TARGET_MS_PER_MB:.0f}): "
          f"{verdict}; worst growth for 4x the input: {worst_growth:.1f}x")  # fmt: skip
    return 0 if worst < TARGET_MS_PER_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
