"""Build and serve a generated service with its workbench UI: the demo, the browser tests, bench/.

The npm packages of the UI do not depend on the spec (one shipped lockfile), so they are
installed once per cache directory (`npm ci`, under a file lock: xdist workers share it) and
symlinked into every generated `ui/`; each spec is then built once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bot.codegen import write_generated
from bot.errors import GenerationError
from generators.resources import templates
from generators.service import generate_service
from generators.spec import load_spec

UI_TEMPLATES = templates("service") / "ui"
CHROMIUM = Path("/usr/bin/chromium")
MANIFESTS = ("package.json", "package-lock.json")


class BuildError(GenerationError):
    """A UI build step (npm ci, npm run build, the server) failed: which one, with its output."""


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "COV"))}
    result = subprocess.run(
        args, cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        output = (result.stdout[-3000:] + result.stderr[-3000:]).strip()
        raise BuildError(f"{' '.join(args)} failed in {cwd}:\n{output}")


def node_modules(cache_root: Path) -> Path:
    """`npm ci` of the shipped lockfile, once per cache root and lockfile content."""
    digest = hashlib.sha256(b"".join((UI_TEMPLATES / m).read_bytes() for m in MANIFESTS))
    home = cache_root / f"ui-npm-{digest.hexdigest()[:16]}"
    home.mkdir(parents=True, exist_ok=True)
    done = home / "node_modules" / ".package-lock.json"
    with (cache_root / f"{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.is_file():
            for manifest in MANIFESTS:
                shutil.copyfile(UI_TEMPLATES / manifest, home / manifest)
            _run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], home)
    return home / "node_modules"


def generate(spec_path: Path, out: Path) -> Path:
    """The service with its UI, as `issuebot generate --ui` writes it."""
    spec = load_spec(spec_path.read_text(encoding="utf-8"))
    write_generated(out, generate_service(spec, ui=True))
    return out


def build(service: Path, modules: Path) -> float:
    """`npm run build` (OpenAPI → types → tsc → vite) of `service/ui`; returns its seconds."""
    link = service / "ui" / "node_modules"
    if not link.exists():
        link.symlink_to(modules, target_is_directory=True)
    started = time.perf_counter()
    _run(["npm", "run", "build"], service / "ui", {"PYTHON": sys.executable})
    return time.perf_counter() - started


def free_port() -> int:
    """A localhost port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(service: Path, database: Path) -> Iterator[str]:
    """Migrate a SQLite database and run uvicorn on it; yields the base URL."""
    url = f"sqlite:///{database}"
    # AUTH_ENABLED: the action-lifecycle API (#13) takes bearer keys; these pages run without.
    env = {"DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1", "AUTH_ENABLED": "false"}
    _run([sys.executable, "-m", "alembic", "upgrade", "head"], service, env)
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "COV"))}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port),
         "--log-level", "warning"],
        cwd=service, env={**clean, **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise BuildError(f"uvicorn did not answer on {base}")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
