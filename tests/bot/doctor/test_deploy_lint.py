"""The image and the compose file pass their linters, and say what the README promises."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml


def _tool(repo_root: Path, name: str) -> str:
    """A linter installed in the project's venv by `pip install -e .[dev]`."""
    path = repo_root / ".venv" / "bin" / name
    assert path.exists(), f"{name} missing: install the dev extras (`make setup`)"
    return str(path)


def _run(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def compose(repo_root: Path) -> dict[str, Any]:
    """compose.yaml as data."""
    data = yaml.safe_load((repo_root / "compose.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_the_dockerfile_passes_hadolint(repo_root: Path) -> None:
    done = _run(_tool(repo_root, "hadolint"), str(repo_root / "Dockerfile"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_yaml_matches_the_compose_specification(repo_root: Path) -> None:
    # check-jsonschema ships the Compose specification's JSON schema (vendor.compose-spec).
    done = _run(
        _tool(repo_root, "check-jsonschema"),
        "--builtin-schema",
        "vendor.compose-spec",
        str(repo_root / "compose.yaml"),
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_is_slim_non_root_with_git_bubblewrap_and_a_healthcheck(repo_root: Path) -> None:
    text = (repo_root / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2 and all("-slim-" in line for line in stages)
    assert "USER 10001:10001" in text
    assert "git=" in text and "bubblewrap=" in text
    assert "HEALTHCHECK" in text and "/healthz" in text


def test_compose_runs_the_documented_layout_with_secrets_in_env_files(
    compose: dict[str, Any], repo_root: Path
) -> None:
    services = compose["services"]
    assert set(services) == {"migrate", "server", "worker", "db", "redis"}
    assert services["migrate"]["command"] == ["issuebot", "db", "upgrade"]
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["redis"]["command"][-2:] == ["--appendonly", "yes"]
    for name in ("server", "worker"):
        after = services[name]["depends_on"]["migrate"]["condition"]
        assert after == "service_completed_successfully"
    for name, service in services.items():
        if name != "migrate":
            assert "test" in service["healthcheck"], name
        for key in service.get("environment", {}):
            assert not any(word in key for word in ("SECRET", "PASSWORD", "KEY", "TOKEN")), key
        for env_file in service.get("env_file", []):
            assert (repo_root / f"{env_file}.example").is_file(), env_file


def test_the_image_builds_and_runs_issuebot(repo_root: Path) -> None:
    docker = shutil.which("docker") or shutil.which("podman")
    if docker is None:
        pytest.skip("no container runtime on this host (docker/podman not installed)")
    info = _run(docker, "info", timeout=30)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"`{Path(docker).name} info` fails here, no daemon to build with: {reason}")
    tag = "issuebot:test"
    built = _run(docker, "build", "-t", tag, str(repo_root), timeout=1800)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    ran = _run(docker, "run", "--rm", tag, "issuebot", "--version", timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("issuebot ")
