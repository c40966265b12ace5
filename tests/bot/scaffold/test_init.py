"""`issuebot init` makes a repository bot-ready and never clobbers what the user wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config import RepoConfig, parse_repo_config
from bot.errors import UsageError
from bot.scaffold import init_repository, running_version, scaffold_files
from generators.spec import load_spec

runner = CliRunner()
EXPECTED = {
    "specs/entities.json",
    ".github/issuebot.yml",
    ".github/ISSUE_TEMPLATE/entity-request.yml",
    ".github/workflows/issuebot.yml",
    ".github/workflows/ci.yml",
    ".github/CODEOWNERS",
    ".pre-commit-config.yaml",
    ".gitattributes",
    "requirements.txt",
}


def planned(root: Path) -> int:
    """How many files init manages for ``root`` (templates plus the service skeleton)."""
    return len(init_repository(root, dry_run=True).actions)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run_init(*args: str) -> str:
    result = runner.invoke(app, ["init", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_init_on_an_empty_directory_writes_everything_the_bot_needs(tmp_path: Path) -> None:
    total = planned(tmp_path / "repo")
    out = run_init(str(tmp_path / "repo"))
    files = tree(tmp_path / "repo")
    assert set(files) >= EXPECTED | {"app/main.py", "migrations/env.py", "tests/conftest.py"}
    assert f"created {total}" in out and "next:" in out
    assert load_spec(files["specs/entities.json"].decode()).entities == ()


def test_running_init_again_changes_nothing(tmp_path: Path) -> None:
    run_init(str(tmp_path))
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    out = run_init(str(tmp_path))
    assert "created 0" in out and f"unchanged {planned(tmp_path)}" in out
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == before


def test_user_files_are_kept_and_the_rest_is_added(tmp_path: Path) -> None:
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/ci.yml").write_text("name: mine\n")
    (tmp_path / "requirements.txt").write_text("django\n")
    out = run_init(str(tmp_path))
    assert (tmp_path / ".github/workflows/ci.yml").read_text() == "name: mine\n"
    assert (tmp_path / "requirements.txt").read_text() == "django\n"
    assert "keep      .github/workflows/ci.yml" in out
    assert "kept 2 existing" in out
    assert (tmp_path / ".github/workflows/issuebot.yml").is_file()


def test_force_replaces_user_files_with_the_templates(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("django\n")
    out = run_init(str(tmp_path), "--force")
    assert (tmp_path / "requirements.txt").read_text() == scaffold_files()["requirements.txt"]
    assert "overwrote 1" in out


def test_dry_run_lists_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("django\n")
    before = tree(tmp_path)
    out = run_init(str(tmp_path), "--dry-run", "--force")
    assert tree(tmp_path) == before
    assert f"would create {planned(tmp_path) - 1}" in out and "would overwrite 1" in out
    assert "overwrite requirements.txt" in out


def test_a_symlink_is_never_written_through_even_with_force(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").symlink_to(outside)
    report = init_repository(repo, force=True)
    assert outside.read_text() == "precious\n"
    assert [a.path for a in report.actions if a.action == "conflict"] == ["requirements.txt"]


def test_a_file_where_the_directory_should_be_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = runner.invoke(app, ["init", str(target)])
    assert isinstance(result.exception, UsageError)
    assert "is not a directory" in result.exception.message


def test_the_config_file_documents_the_defaults_it_sets(tmp_path: Path) -> None:
    config = parse_repo_config(scaffold_files()[".github/issuebot.yml"])
    defaults = RepoConfig()
    # Everything is the default except the required checks, which name ci.yml's jobs, and
    # the pin of the bot the workflows install.
    assert config.model_copy(update={"risk": defaults.risk, "bot": defaults.bot}) == defaults
    assert config.bot.version == running_version()
    assert config.risk.model_copy(update={"required_checks": ()}) == defaults.risk
    jobs = yaml.safe_load(scaffold_files()[".github/workflows/ci.yml"])["jobs"]
    assert set(config.risk.required_checks) == {job["name"] for job in jobs.values()}


def test_gitattributes_marks_every_generated_path(tmp_path: Path) -> None:
    lines = scaffold_files()[".gitattributes"].splitlines()
    marked = {line.split()[0] for line in lines if "linguist-generated=true" in line}
    assert marked == set(RepoConfig().paths.generated)


def test_the_pre_commit_hook_refuses_hand_edits_through_generate_check() -> None:
    config = yaml.safe_load(scaffold_files()[".pre-commit-config.yaml"])
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert "--check" in hooks["issuebot-no-hand-edits"]["entry"]
    assert hooks["issuebot-no-hand-edits"]["pass_filenames"] is False


def test_the_issue_form_is_the_one_this_repository_uses(repo_root: Path) -> None:
    form = scaffold_files()[".github/ISSUE_TEMPLATE/entity-request.yml"]
    ours = repo_root / ".github/ISSUE_TEMPLATE/entity-request.yml"
    assert form == ours.read_text(encoding="utf-8"), "regenerate one copy from the other"
    fields = {b["id"]: b for b in yaml.safe_load(form)["body"] if "id" in b}
    assert fields["entity_definition"]["attributes"]["render"] == "json"


@pytest.mark.parametrize("name", ["issuebot.yml", "ci.yml"])
def test_workflows_name_the_events_the_bot_listens_to(name: str) -> None:
    workflow = yaml.safe_load(scaffold_files()[f".github/workflows/{name}"])
    events = set(workflow[True])  # YAML 1.1 reads the key `on` as True
    if name == "issuebot.yml":
        assert {"issues", "issue_comment", "check_suite", "workflow_run"} <= events
    else:
        assert "pull_request" in events


def test_the_empty_spec_is_canonical_json() -> None:
    assert json.loads(scaffold_files()["specs/entities.json"]) == {"version": 1, "entities": []}


def test_a_fresh_repository_passes_the_no_drift_gate_from_its_first_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_init(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["generate", "--specs", "specs/entities.json", "--check"])
    assert result.exit_code == 0, result.output


def test_an_existing_spec_gets_its_entities_generated_and_hooks_are_never_replaced(
    tmp_path: Path,
) -> None:
    entity = {
        "name": "Gizmo",
        "fields": [{"name": "label", "type": "string", "max_length": 9}],
        "actions": [{"name": "sync", "scope": "item"}],
    }
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/entities.json").write_text(json.dumps({"version": 1, "entities": [entity]}))
    (tmp_path / "app/hooks").mkdir(parents=True)
    (tmp_path / "app/hooks/gizmo.py").write_text("# my business logic\n")
    out = run_init(str(tmp_path), "--force")
    assert (tmp_path / "app/models/gizmo.py").is_file()
    assert (tmp_path / "app/hooks/gizmo.py").read_text() == "# my business logic\n"
    assert "keep      app/hooks/gizmo.py  (user-owned hook; never replaced)" in out


def test_an_invalid_spec_is_kept_and_only_the_skeleton_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/entities.json").write_text("{broken")
    out = run_init(str(tmp_path))
    assert "service skeleton skipped" in out
    assert (tmp_path / "specs/entities.json").read_text() == "{broken"
    assert (tmp_path / ".github/workflows/ci.yml").is_file()
    assert not (tmp_path / "app/main.py").exists()


def test_an_unwritable_target_is_a_usage_error_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory\n")
    with pytest.raises(UsageError, match="cannot write"):
        init_repository(blocker / "repo")
