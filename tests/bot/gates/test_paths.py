"""The default generated/hook globs cover exactly what the real generator writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Paths
from bot.gates.paths import PathKind, PathRules, classify_path, glob_match
from generators.service import PER_ENTITY, SHARED, USER_OWNED, generate_service
from generators.spec import load_spec

RULES = PathRules.from_config(Paths())


def test_every_file_of_the_example_service_is_generated_or_a_hook(repo_root: Path) -> None:
    spec = load_spec((repo_root / "specs/entities.json").read_text(encoding="utf-8"))
    service = generate_service(spec, ui=False)  # the UI's files: the next test
    kinds = {path: classify_path(path, RULES) for path in service.files}
    assert {p: k for p, k in kinds.items() if k != PathKind.GENERATED} == {}
    hooks = {path: classify_path(path, RULES) for path in service.user_owned}
    assert set(hooks.values()) == {PathKind.HOOK}


def test_every_path_the_generator_can_write_is_covered_ui_included(repo_root: Path) -> None:
    names = {"snake": "raw_data_source", "name": "RawDataSource"}
    generated = [*SHARED, *(p.format(**names) for p in PER_ENTITY.values())]
    assert [p for p in generated if classify_path(p, RULES) != PathKind.GENERATED] == []
    spec = load_spec((repo_root / "specs/entities.json").read_text(encoding="utf-8"))
    ui = [p for p in generate_service(spec, ui=True).files if p.startswith("ui/")]
    kinds = {p: classify_path(p, RULES) for p in ui}
    # The UI's manifests are generated, but a dependency change always needs a human.
    assert {p: k for p, k in kinds.items() if k != PathKind.GENERATED} == {
        "ui/package.json": PathKind.DEPENDENCY,
        "ui/package-lock.json": PathKind.DEPENDENCY,
    }
    owned = generate_service(spec, ui=True).user_owned
    assert {classify_path(p, RULES) for p in owned if p.startswith("ui/")} == {PathKind.HOOK}
    hooks = [p.format(**names) for p in USER_OWNED.values()]
    assert [p for p in hooks if classify_path(p, RULES) != PathKind.HOOK] == []


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (".github/workflows/ci.yml", PathKind.WORKFLOW),
        ("action.yml", PathKind.WORKFLOW),
        (".github/issuebot.yml", PathKind.CONFIG),
        (".github/CODEOWNERS", PathKind.CONFIG),
        ("Makefile", PathKind.CONFIG),
        ("service/requirements-dev.txt", PathKind.DEPENDENCY),
        ("pyproject.toml", PathKind.DEPENDENCY),
        ("app/models/package.json", PathKind.DEPENDENCY),
        ("alembic.ini", PathKind.GENERATED),
        ("specs/entities.json", PathKind.SPEC),
        ("app/hooks/billing.py", PathKind.HOOK),
        ("app/hooks/__init__.py", PathKind.GENERATED),
        ("app/views.py", PathKind.OTHER),
        ("/etc/passwd", PathKind.OTHER),
        ("app/../setup.py", PathKind.OTHER),
    ],
)
def test_paths_are_classified_conservatively(path: str, kind: PathKind) -> None:
    assert classify_path(path, RULES) == kind


def test_a_repo_can_protect_a_generated_path_explicitly() -> None:
    rules = PathRules.from_config(Paths(), protected=("app/models/billing.py",))
    assert classify_path("app/models/billing.py", rules) == PathKind.CONFIG


def test_single_star_stays_in_one_directory_and_double_star_crosses() -> None:
    assert glob_match("tests/test_a.py", "tests/test_*.py")
    assert not glob_match("tests/sub/test_a.py", "tests/test_*.py")
    assert glob_match("migrations/versions/x.py", "migrations/**")
    assert glob_match("a/b/Dockerfile", "**/Dockerfile") and glob_match(
        "Dockerfile", "**/Dockerfile"
    )
