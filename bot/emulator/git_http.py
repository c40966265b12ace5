"""Git smart HTTP: ``git http-backend`` as CGI, with token auth and push webhooks.

Clone URL: ``http://x-access-token:TOKEN@host/owner/repo.git``. git sends credentials only
after a 401 challenge, so anonymous requests that need auth get ``WWW-Authenticate``.
Fetch needs read, push needs write; refs changed by a push become ``push`` and PR
``synchronize`` webhooks, as on GitHub.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from collections import defaultdict

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

from bot.emulator import auth, gitrepo
from bot.emulator.core import Emulator, emulator_of
from bot.emulator.pushes import announce_push, ref_changes
from bot.emulator.state import Repo
from bot.emulator.web import ApiError, Identity, Router

router = Router()
_push_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
CHALLENGE = {"WWW-Authenticate": 'Basic realm="GitHub"'}
SMART_PATHS = {"info/refs", "git-upload-pack", "git-receive-pack", "HEAD"}


def _needs_write(path: str, request: Request) -> bool:
    return path.endswith("git-receive-pack") or (
        request.query_params.get("service") == "git-receive-pack"
    )


def _parse_cgi(output: bytes) -> Response:
    head, sep, body = output.partition(b"\r\n\r\n")
    if not sep:
        head, _, body = output.partition(b"\n\n")
    status = 200
    headers: dict[str, str] = {}
    for line in head.decode(errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.strip().split()[0])
        elif key:
            headers[key.strip()] = value.strip()
    return Response(content=body, status_code=status, headers=headers)


def _cgi(body: bytes, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
    )


def _run_backend(
    emulator: Emulator,
    repo: Repo,
    request: Request,
    path: str,
    *,
    body: bytes,
    login: str | None,
) -> Response:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {
        "GIT_PROJECT_ROOT": str(emulator.store.root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{repo.owner}/{repo.name}.git/{path}",
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.url.query,
        "CONTENT_TYPE": request.headers.get("content-type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": login or "anonymous",
        "REMOTE_ADDR": request.client.host if request.client else "127.0.0.1",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    if encoding := request.headers.get("content-encoding"):
        env["HTTP_CONTENT_ENCODING"] = encoding
    if protocol := request.headers.get("git-protocol"):
        env["GIT_PROTOCOL"] = protocol
    pushing = request.method == "POST" and path.endswith("git-receive-pack")
    if not pushing:
        proc = _cgi(body, env)
        return _parse_cgi(proc.stdout)
    with _push_locks[repo.full_name]:
        before = gitrepo.branches(repo.git_dir)
        proc = _cgi(body, env)
        after = gitrepo.branches(repo.git_dir)
        for branch, old, new in ref_changes(before, after):
            announce_push(emulator, repo, branch, old, new, pusher=login or "anonymous")
    return _parse_cgi(proc.stdout)


@router.api_route("/{owner}/{name}.git/{path:path}", methods=["GET", "POST"])
async def smart_http(request: Request, owner: str, name: str, path: str) -> Response:
    """Serve one smart-HTTP request for a repository."""
    emulator = emulator_of(request)
    store = emulator.store
    if path not in SMART_PATHS:  # smart HTTP only: no dumb-protocol file access
        return PlainTextResponse("Not Found", 404)
    try:
        who = auth.resolve(store, request.headers.get("authorization"))
    except ApiError:
        return PlainTextResponse("Invalid username or token.", 401, headers=CHALLENGE)
    repo = store.repo(owner, name)
    if repo is None or not store.can(repo, who.login, "read"):
        if who.login is None:
            return PlainTextResponse("Authentication required", 401, headers=CHALLENGE)
        return PlainTextResponse("Repository not found.", 404)
    if _needs_write(path, request):
        denied = _push_denied(emulator, repo, who)
        if denied is not None:
            return denied
    body = await request.body()
    return await asyncio.to_thread(
        _run_backend, emulator, repo, request, path, body=body, login=who.login
    )


def _push_denied(emulator: Emulator, repo: Repo, who: Identity) -> Response | None:
    if who.login is None:
        return PlainTextResponse("Authentication required", 401, headers=CHALLENGE)
    if not emulator.store.can(repo, who.login, "write"):
        message = f"Permission to {repo.full_name}.git denied to {who.login}."
        return PlainTextResponse(message, 403)
    return None
