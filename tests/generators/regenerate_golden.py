"""`python -m tests.generators.regenerate_golden`: rewrite tests/data/expected/ (make golden)."""

from __future__ import annotations

import shutil

from tests.generators.cases import CASES, EXPECTED, SUFFIX, case_output


def main() -> None:
    """Regenerate every golden case from scratch and say what was written."""
    for name in CASES:
        base = EXPECTED / name
        shutil.rmtree(base, ignore_errors=True)
        files = case_output(name)
        for relative, text in files.items():
            path = base / (relative + SUFFIX)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        print(f"{name}: {len(files)} files in {base.relative_to(EXPECTED.parents[2])}")


if __name__ == "__main__":
    main()
