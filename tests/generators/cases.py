"""The specs whose generated output is pinned as golden files, shared by tests and `make golden`."""

from __future__ import annotations

from pathlib import Path

from generators.service import GeneratedService, generate_service
from generators.spec import SpecFile, load_spec

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "tests" / "data" / "expected"
# Golden copies end in .golden so pytest never collects the generated tests/conftest inside them.
SUFFIX = ".golden"
CASES: dict[str, tuple[str, bool]] = {
    "example": ("specs/entities.json", True),
    "every_field_type": ("specs/examples/every_field_type.json", False),
}


def case_spec(name: str) -> SpecFile:
    """The spec of a golden case."""
    return load_spec((ROOT / CASES[name][0]).read_text(encoding="utf-8"))


def case_output(name: str) -> dict[str, str]:
    """Every file (generated and user-owned) the case produces, by relative path."""
    service: GeneratedService = generate_service(case_spec(name), ui=CASES[name][1])
    return {**service.files, **service.user_owned}


def golden_files(name: str) -> dict[str, str]:
    """The pinned files of a case, by relative path (suffix removed)."""
    base = EXPECTED / name
    return {
        path.relative_to(base).as_posix().removesuffix(SUFFIX): path.read_text(encoding="utf-8")
        for path in sorted(base.rglob(f"*{SUFFIX}"))
    }
