"""Print the worst-case time of redaction (and failure classification) on adversarial input.

Test output is written by the repository under test, so an attacker chooses it. Each input
of the corpus is 1 MB built to hurt a backtracking regex engine: runs of backslashes after
an opening quote (once 42 s for 40 of them), word runs split by `-` (a restart at every
`\\b`), unclosed quotes and keys, long lines, nested fences, many key-like prefixes. Each is
redacted as the diagnosis does (the registered secrets, `Redactor`, then `classify_failure`).

Target: under 50 ms per 1 MB for every input.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.observability import redact, register_secret  # noqa: E402
from bot.testgate import Redactor, classify_failure  # noqa: E402

MB = 1_000_000
UNITS: dict[str, str] = {
    "backslashes": "\\",
    "quote+backslashes": 'password="' + "\\" * 40,
    "unclosed key quotes": 'password="',
    "json key quotes": '"api_key": "',
    "hyphenated words": "a-",
    "hinted words": "my-password-",
    "jwt prefixes": "eyJ-",
    "jwt dots": "eyJaaaaa.",
    "slack prefixes": "xoxb-",
    "github prefixes": "ghp_",
    "letters": "a",
    "spaces": " ",
    "authorization + spaces": "authorization:" + " " * 200,
    "pem headers": "-----BEGIN RSA PRIVATE KEY-----",
    "pem ends": "-----END ",
    "scheme prefixes": "http://",
    "userinfo": "a://b:",
    "nested fences": "````\n> ",
    "assert lines": "E   assert\n",
    "summary lines": "FAILED ",
    "underscored titles": "___ ",
    "base64": "QUJDREVGR0g",
    "mixed": 'x = {"token": "a\\"b\\\\\' c=d&password=e-f_ghp_x://u:p@h eyJ\n',
}
# Inputs that are not one unit repeated: every line different.
DISTINCT: dict[str, Callable[[int], str]] = {
    "distinct error lines": lambda n: f"E   assert {n} == {n + 1}\n",
    "distinct secrets": lambda n: f"password=value{n} ",
}


def corpus(size: int) -> dict[str, str]:
    """Each unit repeated to ``size`` characters (lines stay long unless the unit breaks them)."""
    inputs = {name: (unit * (size // len(unit) + 1))[:size] for name, unit in UNITS.items()}
    for name, make in DISTINCT.items():
        parts: list[str] = []
        total = n = 0
        while total < size:
            parts.append(make(n))
            total += len(parts[-1])
            n += 1
        inputs[name] = "".join(parts)[:size]
    return inputs


def timed(func: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    func(text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=MB, help="characters per input")
    args = parser.parse_args()
    for secret in ("ghs_" + "Q" * 36, "whsec-bench-7f1d9e2a", "pg-password-bench-31"):
        register_secret(secret)
    redactor = Redactor(secrets=["whsec-bench-7f1d9e2a"], sensitive_fields=["connection_string"])
    stages: dict[str, Callable[[str], object]] = {
        "redact (registered)": redact,
        "Redactor": redactor,
        "classify": classify_failure,
    }
    scale = MB / args.size
    print(f"{'input':<24}" + "".join(f"{name:>22}" for name in stages) + f"{'total ms/MB':>14}")
    worst = ("", 0.0)
    for name, text in corpus(args.size).items():
        row = [timed(stage, text) * 1000 * scale for stage in stages.values()]
        total = sum(row)
        worst = max(worst, (name, total), key=lambda item: item[1])
        print(f"{name:<24}" + "".join(f"{ms:>22.1f}" for ms in row) + f"{total:>14.1f}")
    print(f"worst: {worst[0]} at {worst[1]:.1f} ms per 1 MB (target < 50 ms)")


if __name__ == "__main__":
    main()
