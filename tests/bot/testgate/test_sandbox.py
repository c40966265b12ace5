"""A hostile repository's tests look for the bot's secrets, files and network, and find none."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import parse_repo_config
from bot.errors import ConfigError
from bot.testgate import interpreter_for, resolve_sandbox, run_tests
from bot.testgate.sandbox import (
    ALLOW_UNSANDBOXED,
    MAX_CAPTURE,
    Sandbox,
    probe_container,
    probe_uid,
)
from bot.testgate.wrap import Job, container_argv

SECRET = "issuebot-app-key-9f3c1e77d2b84a06"
PROBE = """
import json, os, socket, sys

SECRET = {secret!r}
LOOK = {look!r}
PORT = {port}


def read(path):
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return None


found = {{"environ_hits": [], "visible": [], "listed": {{}}}}
for pid in [str(os.getppid()), "1", *os.listdir("/proc")]:
    if pid.isdigit():
        for name in ("environ", "cmdline"):
            text = read(f"/proc/{{pid}}/{{name}}") or ""
            if SECRET in text:
                found["environ_hits"].append(f"/proc/{{pid}}/{{name}}")
if SECRET in json.dumps(dict(os.environ)):
    found["environ_hits"].append("os.environ")
for path in LOOK:
    if os.path.exists(path):
        found["visible"].append(path)
# Walk every parent of the working directory, as a test hunting for neighbours would.
here = os.getcwd()
while True:
    try:
        found["listed"][here] = sorted(os.listdir(here))
    except OSError:
        pass
    if here == "/":
        break
    here = os.path.dirname(here)
try:
    with socket.create_connection(("127.0.0.1", PORT), timeout=3) as conn:
        conn.sendall(b"exfiltrated")
    found["network"] = "connected"
except OSError as exc:
    found["network"] = type(exc).__name__
try:
    with open(os.path.join(sys.prefix, "planted.txt"), "w") as fh:
        fh.write("x")
    found["venv_writable"] = True
except OSError:
    found["venv_writable"] = False
found["env_keys"] = sorted(os.environ)
print("FINDINGS " + json.dumps(found))
"""


@dataclass
class Listener:
    """A TCP server on 127.0.0.1 that counts who reached it."""

    port: int
    accepted: list[bytes]


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    result = Listener(server.getsockname()[1], [])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                result.accepted.append(conn.recv(100))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield result
    stop.set()
    thread.join()
    server.close()


@dataclass
class BotHost:
    """What a worker holds on disk next to a run: work dir, other repos, run store, HOME."""

    workspace: Path
    secrets: list[Path]

    @property
    def worker_env(self) -> dict[str, str]:
        """The environment a worker starts with: its App key, its store, its HOME."""
        return {
            "GITHUB_APP_PRIVATE_KEY": SECRET,
            "DATABASE_URL": f"postgresql://bot:{SECRET}@db/store",
            "HOME": str(self.secrets[3].parent) if len(self.secrets) > 3 else "/nonexistent",
        }


@pytest.fixture
def bot_host(tmp_path: Path) -> BotHost:
    work = tmp_path / "work"
    other = work / "acme__other" / "run-1"
    other.mkdir(parents=True)
    (other / "config.py").write_text(f"KEY = {SECRET!r}\n")
    other_venv = work / "venvs" / "acme__other" / "0123abcd"
    other_venv.mkdir(parents=True)
    (other_venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    store = tmp_path / "runs.db"
    store.write_text(SECRET)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".netrc").write_text(f"machine github.com password {SECRET}\n")
    workspace = work / "acme__target" / "run-2"
    workspace.mkdir(parents=True)
    bot_source = Path(__file__).resolve().parents[3] / "bot" / "settings.py"
    return BotHost(workspace, [other / "config.py", other_venv, store, home / ".netrc",
                               bot_source, Path.home() / ".gitconfig"])  # fmt: skip


def hostile_repo(host: BotHost, port: int) -> Path:
    look = [str(p) for p in host.secrets]
    (host.workspace / "probe.py").write_text(PROBE.format(secret=SECRET, look=look, port=port))
    return host.workspace


WORKER = """
import sys
from pathlib import Path
from bot.testgate import resolve_sandbox, run_tests
sandbox = resolve_sandbox(sys.argv[2])
report = run_tests(Path(sys.argv[1]), command=("python", "probe.py"), timeout_seconds=60,
                   sandbox=sandbox)
sys.stdout.write(report.output)
"""


def run_in_worker(repo: Path, mode: str, env: dict[str, str]) -> str:
    """Run the gate from a fresh worker process whose own environment holds the secrets.

    (`/proc/<pid>/environ` shows a process's environment as it was started, so the secrets
    must be there at exec time, as they are in a real worker.)
    """
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(repo), mode],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=False,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def findings(output: str) -> dict[str, object]:
    line = next(ln for ln in output.splitlines() if ln.startswith("FINDINGS "))
    return json.loads(line.removeprefix("FINDINGS "))  # type: ignore[no-any-return]


def test_a_hostile_test_finds_no_secret_file_neighbour_or_network_in_bwrap(
    bot_host: BotHost, listener: Listener
) -> None:
    repo = hostile_repo(bot_host, listener.port)
    output = run_in_worker(repo, "bwrap", bot_host.worker_env)

    seen = findings(output)
    assert seen["environ_hits"] == []
    assert seen["visible"] == []
    assert seen["network"] != "connected" and listener.accepted == []
    assert seen["venv_writable"] is False
    assert set(seen["env_keys"]) <= {  # type: ignore[arg-type]
        "PATH", "HOME", "TMPDIR", "LANG", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED", "CI",
        "COVERAGE_FILE", "PWD",
    }  # fmt: skip
    listed = seen["listed"]
    assert isinstance(listed, dict)
    everything = json.dumps(listed)
    assert "acme__other" not in everything and "runs.db" not in everything
    assert SECRET not in output


def test_the_same_probe_finds_the_secrets_without_a_sandbox(
    bot_host: BotHost, listener: Listener
) -> None:
    """The control: unsandboxed, the probe does find them, so the test above can fail."""
    repo = hostile_repo(bot_host, listener.port)
    output = run_in_worker(repo, "none", {**bot_host.worker_env, ALLOW_UNSANDBOXED: "1"})
    seen = findings(output)
    assert any(hit.endswith("/environ") for hit in seen["environ_hits"])  # type: ignore[union-attr]
    assert len(seen["visible"]) >= 4  # type: ignore[arg-type]
    assert seen["network"] == "connected"


def test_one_repositorys_venv_is_invisible_to_another_and_read_only_to_its_own(
    tmp_path: Path, listener: Listener
) -> None:
    cache = tmp_path / "venvs"
    sandbox = resolve_sandbox("bwrap")
    envs = {}
    for name in ("acme/one", "acme/two"):
        repo = tmp_path / name.replace("/", "-")
        repo.mkdir()
        (repo / "requirements.txt").write_text("pytest>=8\n")
        envs[name] = interpreter_for(repo, cache, repo=name, timeout_seconds=120, sandbox=sandbox)
        assert envs[name].error is None and envs[name].venv is not None
    repo = tmp_path / "acme-two"
    host = BotHost(repo, [envs["acme/one"].venv or Path("/nonexistent")])
    hostile_repo(host, listener.port)
    report = run_tests(repo, command=("python", "probe.py"), timeout_seconds=60,
                       python=envs["acme/two"].python, sandbox=sandbox)  # fmt: skip
    seen = findings(report.output)
    assert seen["visible"] == []
    assert seen["venv_writable"] is False
    assert not (Path(envs["acme/two"].venv or "/") / "planted.txt").exists()
    assert report.sandbox == "bwrap" and "(sandbox: bwrap)" in report.summary()


BACKEND = """
import os


def environ(pid):
    try:
        return open(f"/proc/{pid}/environ", errors="replace").read()
    except OSError:
        return ""


hits = [p for p in os.listdir("/proc") if p.isdigit() and SECRET in environ(p)]
print(f"PROBE pid={os.getpid()} secret_hits={len(hits)} env_has_secret={SECRET in str(os.environ)}"
      f" host_file={os.path.exists(MARKER)}", flush=True)
raise SystemExit("PROBE-DONE")
"""


def test_a_package_that_would_run_build_code_is_never_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An sdist's build backend is code: the bot installs wheels only, so it never runs."""
    links = tmp_path / "links"
    links.mkdir()
    marker = tmp_path / "host-only.txt"
    marker.write_text("the bot's file\n")
    backend = f"SECRET = {SECRET!r}\nMARKER = {str(marker)!r}\n" + BACKEND
    files = {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
        'backend-path = ["."]\n[project]\nname = "evilpkg"\nversion = "1.0"\n',
        "backend.py": backend,
        "PKG-INFO": "Metadata-Version: 2.1\nName: evilpkg\nVersion: 1.0\n",
    }
    with tarfile.open(links / "evilpkg-1.0.tar.gz", "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"evilpkg-1.0/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("evilpkg==1.0\n")
    worker = subprocess.run(
        [sys.executable, "-c", "import sys; from pathlib import Path; "
         "from bot.testgate import interpreter_for, resolve_sandbox; "
         "r = interpreter_for(Path(sys.argv[1]), Path(sys.argv[2]), repo='acme/evil', "
         "timeout_seconds=300, sandbox=resolve_sandbox('bwrap')); print(r.error)",
         str(repo), str(tmp_path / "venvs")],
        env={**os.environ, "GITHUB_APP_PRIVATE_KEY": SECRET}, capture_output=True, text=True,
        timeout=300, check=False, cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert "PROBE" not in worker.stdout + worker.stderr  # its build code ran nowhere
    assert "installing requirements.txt failed (only wheels are installed)" in worker.stdout
    assert not any((tmp_path / "venvs" / "acme__evil").iterdir())  # nothing half-built kept


def test_none_is_refused_unless_the_operator_allows_it() -> None:
    config = parse_repo_config("tests:\n  sandbox: none\n")
    assert config.tests.sandbox == "none"
    with pytest.raises(ConfigError, match="unsandboxed") as refused:
        resolve_sandbox(config.tests.sandbox, environ={})
    assert ALLOW_UNSANDBOXED in (refused.value.hint or "")
    with pytest.raises(ConfigError):
        resolve_sandbox("none", environ={ALLOW_UNSANDBOXED: "yes"})
    assert resolve_sandbox("none", environ={ALLOW_UNSANDBOXED: "1"}).mode == "none"
    with pytest.raises(ConfigError, match="sandbox"):
        parse_repo_config("tests:\n  sandbox: chroot\n")


def test_auto_picks_bubblewrap_where_it_works() -> None:
    assert resolve_sandbox("auto").mode == "bwrap"
    assert parse_repo_config(None).tests.sandbox == "auto"


def test_the_container_command_line_has_no_network_a_read_only_root_and_no_caps() -> None:
    job = Job(["python", "-m", "pytest"], cwd=Path("/w/src"), env={"CI": "true"},
              name="issuebot-tests-x")  # fmt: skip
    argv = container_argv(job, runtime="docker", image="debian:stable-slim", uid=65534, gid=65534)
    flags = " ".join(argv)
    assert "--network none" in flags and "--read-only" in flags
    assert "--cap-drop ALL" in flags and "--user 65534:65534" in flags
    assert "--security-opt no-new-privileges" in flags
    assert argv[-4:] == ["debian:stable-slim", "python", "-m", "pytest"]
    assert "--env CI=true" in flags and "GITHUB" not in flags
    install = container_argv(Job(["pip"], cwd=Path("/v"), env={}, network=True),
                             runtime="podman", image="i", uid=1, gid=1)  # fmt: skip
    assert "--network bridge" in " ".join(install)


def test_a_hostile_test_finds_nothing_in_a_container(bot_host: BotHost, listener: Listener) -> None:
    runtimes = [r for r in ("docker", "podman") if __import__("shutil").which(r)]
    reasons = [f"{r}: {probe_container(r)}" for r in runtimes]
    working = [r for r in runtimes if probe_container(r) is None]
    if not working:
        pytest.skip(f"no container runtime works on this host ({'; '.join(reasons) or 'none'})")
    repo = hostile_repo(bot_host, listener.port)
    seen = findings(run_in_worker(repo, "container", bot_host.worker_env))
    assert seen["environ_hits"] == [] and seen["visible"] == []
    assert seen["network"] != "connected" and listener.accepted == []


def test_the_uid_fallback_cannot_read_the_workers_environment(
    tmp_path: Path,
) -> None:
    why = probe_uid("setpriv", 65534)
    if why is not None:
        pytest.skip(f"the uid fallback does not work here: {why}")
    work = tmp_path / "job"
    work.mkdir()
    script = 'id -u; cat /proc/$PPID/environ /proc/1/environ 2>&1 | tr "\\0" "\\n"; echo done'
    job = Job(["/bin/sh", "-c", script], cwd=work, env={"PATH": "/usr/bin:/bin"})
    outcome = Sandbox("uid", "setpriv").run(job, 30)
    text = outcome.output.decode()
    assert text.splitlines()[0] == "65534"
    assert "Permission denied" in text and text.rstrip().endswith("done")
    assert "PATH=" not in text  # neither the worker's environment nor pid 1's was readable


def test_a_timeout_kills_the_sandboxed_process_tree(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_slow.py").write_text(
        "import subprocess, time\n\ndef test_s():\n"
        "    subprocess.Popen(['sleep', '300'])\n    time.sleep(300)\n"
    )
    report = run_tests(tmp_path, command=("python", "-m", "pytest", "-q"), timeout_seconds=5,
                       sandbox=resolve_sandbox("bwrap"))  # fmt: skip
    assert report.timed_out and report.diagnosis().kind == "timeout"


def test_the_interpreter_of_the_bot_runs_in_the_sandbox() -> None:
    """The probe behind `auto`: this very interpreter starts inside bubblewrap."""
    sandbox = resolve_sandbox("bwrap")
    job = Job([sys.executable, "-c", "import sqlalchemy, pytest; print('ok')"], cwd=Path("/"),
              env={"PATH": "/usr/bin:/bin"})  # fmt: skip
    assert sandbox.run(job, 60).output.strip() == b"ok"


def test_a_flood_of_output_is_kept_to_its_last_megabyte() -> None:
    script = "import sys\nfor i in range(200_000):\n    print('x' * 40, i)\nprint('THE END')\n"
    job = Job([sys.executable, "-c", script], cwd=Path("/"), env={"PATH": "/usr/bin:/bin"})
    outcome = resolve_sandbox("bwrap").run(job, 60)
    assert outcome.returncode == 0 and len(outcome.output) == MAX_CAPTURE
    assert outcome.output.rstrip().endswith(b"THE END")
