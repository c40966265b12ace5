"""Generated code is pinned byte for byte, identical on every run, and marked as generated."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generators.header import MARKER, verify_header
from generators.service import GeneratedService
from generators.ui import comment_for
from tests.generators.cases import CASES, ROOT, case_output, golden_files


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_matches_the_golden_files(case: str) -> None:
    expected = golden_files(case)
    actual = case_output(case)
    assert sorted(actual) == sorted(expected), "run `make golden` after an intended change"
    changed = [path for path in actual if actual[path] != expected[path]]
    assert changed == [], "run `make golden` after an intended change"


def test_same_spec_gives_the_same_bytes_in_a_fresh_interpreter() -> None:
    script = (
        "import hashlib, json\n"
        "from tests.generators.cases import case_output\n"
        "out = case_output('example')\n"
        "print(hashlib.sha256(json.dumps(out, sort_keys=True).encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_every_generated_file_carries_a_verifiable_header(
    combined_service: GeneratedService,
) -> None:
    for path, text in combined_service.files.items():
        if path.startswith("ui/") and comment_for(path) is None:
            continue  # JSON/HTML/CSS have no line comment: tests/generators/test_ui.py
        assert MARKER in text.splitlines()[0], path
        assert verify_header(text), path


def test_one_changed_byte_breaks_the_checksum(combined_service: GeneratedService) -> None:
    text = combined_service.files["app/db.py"]
    assert not verify_header(text.replace("SQLite", "Sqlite", 1))
    assert not verify_header(text + "\n")


def test_user_owned_hooks_are_not_marked_generated(combined_service: GeneratedService) -> None:
    assert sorted(combined_service.user_owned) == [
        "app/hooks/lab_sample.py",
        "app/hooks/raw_data_source.py",
        "ui/src/custom/custom.css",
        "ui/src/custom/index.ts",
    ]
    for text in combined_service.user_owned.values():
        assert MARKER not in text
