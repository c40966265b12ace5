"""A small, honest GitHub Actions runner: plan a workflow's jobs, then run one in the sandbox.

It supports exactly this, and says so instead of pretending otherwise:

- triggers ``push`` (``branches``/``branches-ignore`` globs) and ``pull_request`` (``types``,
  ``branches`` of the base); a push to a tag never matches;
- job keys ``name``, ``runs-on`` (ignored: one machine), ``timeout-minutes``, ``permissions``
  (ignored: jobs get no token), ``env``, ``steps``;
- steps ``actions/checkout@<any>`` (the commit, cloned from the emulator's own bare repo),
  ``actions/setup-python@<any>`` (a fresh venv of the emulator's own Python, whatever
  version is asked, first on PATH) and ``run:`` (``bash -e``, with workflow, job and step
  ``env:``);
- expressions ``${{ github.sha | github.ref | github.ref_name | github.repository |
  github.event_name | env.X | vars.X }}`` and nothing else.

Anything else (``services:``, ``needs:``, ``if:``, another action, another expression) makes
the job ``neutral`` with a summary naming what is unsupported; it is never run, never green.

Each ``run:`` step is repository code, so it runs in the bot's test sandbox
(bot/testgate/sandbox.py) with no network and only the job's own directory writable. The venv
of setup-python sees the emulator's site-packages as a read-only base (a plain path line, so
its ``.pth``-installed packages such as an editable issuebot stay out): that is how ``pip
install`` of a pinned wheel finds its dependencies offline. Other packages can only come from
local wheel directories given in the runner's own environment as ``PIP_FIND_LINKS``, bound
read-only, and from the one ``.whl`` file a job's ``ISSUEBOT_PACKAGE`` names by ``file://``
URL (that file alone is bound; a hostile workflow can thus read ``.whl`` files, nothing else);
``PIP_NO_INDEX=1`` is always set, so a missing package fails fast instead of retrying a
network that is not there. A package the base already has counts as installed, but its
commands are not on PATH (the scaffold's ``ruff`` job fails with exit 127 for that reason;
``python -m ruff`` would work).
"""

from __future__ import annotations

import os
import re
import subprocess
import sysconfig
import time
import venv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from bot.testgate.sandbox import Sandbox
from bot.testgate.wrap import SANDBOX_HOME, SANDBOX_PATH, Job, Mount

SUPPORTED_ACTIONS: dict[str, frozenset[str]] = {  # action -> the `with:` keys it accepts
    "actions/checkout": frozenset({"persist-credentials", "fetch-depth"}),
    "actions/setup-python": frozenset({"python-version", "cache"}),
}
JOB_KEYS = frozenset({"name", "runs-on", "timeout-minutes", "permissions", "env", "steps"})
STEP_KEYS = frozenset({"name", "id", "uses", "with", "run", "env"})
FILTER_KEYS = frozenset({"branches", "branches-ignore", "tags", "tags-ignore", "types"})
DEFAULT_PR_TYPES = ("opened", "synchronize", "reopened")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
SUPPORTED_EXPRESSION = re.compile(
    r"github\.(?:sha|ref|ref_name|repository|event_name)|(?:env|vars)\.[A-Za-z_][A-Za-z0-9_]*"
)
MAX_TIMEOUT_MINUTES = 30.0  # GitHub allows 360; a local runner has no business with that
LOG_TAIL_LINES = 30
MAX_SUMMARY = 60_000  # check run summaries are capped at 65535 characters
PACKAGE_ENV = "ISSUEBOT_PACKAGE"  # the pinned bot of a scaffolded repository's ci.yml
RUNNER_ENV = {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


class Unsupported(Exception):
    """A workflow feature this runner does not implement: the job is reported neutral."""


@dataclass(frozen=True)
class Context:
    """What expressions and default variables know about the run."""

    sha: str
    ref: str
    repository: str
    event_name: str
    vars: Mapping[str, str] = field(default_factory=dict)

    @property
    def ref_name(self) -> str:
        """The short name of the ref (``main``, not ``refs/heads/main``)."""
        return self.ref.split("/", 2)[-1] if self.ref.startswith("refs/") else self.ref


def evaluate(text: str, ctx: Context, env: Mapping[str, str]) -> str:
    """``text`` with each supported ``${{ ... }}`` replaced; Unsupported for any other."""

    def one(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        if not SUPPORTED_EXPRESSION.fullmatch(expr):
            raise Unsupported(f"the expression `${{{{ {expr} }}}}`")
        scope, _, key = expr.partition(".")
        if scope == "github":
            return str(getattr(ctx, key))
        return (env if scope == "env" else ctx.vars).get(key, "")

    return EXPRESSION.sub(one, text)


def _glob(pattern: str) -> re.Pattern[str]:
    """GitHub's ref globs: ``*`` stops at ``/``, ``**`` does not (no ``!``, ``[]``, ``?``)."""
    if any(c in pattern for c in "![]?+"):
        raise Unsupported(f"the branch pattern `{pattern}`")
    parts = (re.escape(p).replace(r"\*", "[^/]*") for p in pattern.split("**"))
    return re.compile(".*".join(parts))


def _matches(name: str, patterns: Any) -> bool:
    listed = [patterns] if isinstance(patterns, str) else list(patterns or [])
    return any(_glob(str(p)).fullmatch(name) for p in listed)


def triggered(workflow: Mapping[Any, Any], event: str, branch: str, action: str = "") -> bool:
    """Whether ``event`` (on ``branch``: pushed, or a PR's base) starts this workflow."""
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on:` key as true
    if isinstance(on, str):
        return on == event
    if isinstance(on, list):
        return event in on
    if not isinstance(on, dict) or event not in on:
        return False
    filters = on[event] or {}
    if not isinstance(filters, dict):
        raise Unsupported(f"the `on.{event}` trigger's form")
    unknown = sorted(set(filters) - FILTER_KEYS)
    if unknown:
        raise Unsupported(f"the `on.{event}.{unknown[0]}` filter")
    if event == "pull_request" and action not in filters.get("types", DEFAULT_PR_TYPES):
        return False
    if "branches" in filters:
        return _matches(branch, filters["branches"])
    if "branches-ignore" in filters:
        return not _matches(branch, filters["branches-ignore"])
    return event != "push" or not ({"tags", "tags-ignore"} & set(filters))


@dataclass(frozen=True)
class Step:
    """One step: an action (``uses``) or a script (``run``) with its own ``env:``."""

    name: str
    uses: str = ""
    script: str = ""
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JobPlan:
    """A job ready to run, or (``unsupported`` set) one that will be reported neutral."""

    job_id: str
    name: str
    steps: tuple[Step, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    timeout_minutes: float = MAX_TIMEOUT_MINUTES
    unsupported: str = ""


def _env_block(block: Any, ctx: Context, env: Mapping[str, str], where: str) -> dict[str, str]:
    if block is None:
        return {}
    if not isinstance(block, dict):
        raise Unsupported(f"the form of {where}'s `env:`")
    return {str(k): evaluate(_scalar(v), ctx, env) for k, v in block.items()}


def _scalar(value: Any) -> str:
    if value is None:
        return ""  # `KEY:` with no value is an empty string on GitHub too
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)):
        return str(value)
    raise Unsupported(f"the value {value!r}")


def _plan_step(index: int, step: Any, ctx: Context, env: Mapping[str, str]) -> Step:
    if not isinstance(step, dict):
        raise Unsupported(f"step {index + 1}'s form")
    label = str(step.get("name") or step.get("uses") or str(step.get("run", ""))[:40] or index + 1)
    label = evaluate(label, ctx, env)
    extra = sorted(set(step) - STEP_KEYS)
    if extra:
        raise Unsupported(f"`{extra[0]}:` on step `{label}`")
    step_env = _env_block(step.get("env"), ctx, env, f"step `{label}`")
    uses, run = step.get("uses"), step.get("run")
    if isinstance(uses, str) and run is None:
        action = uses.split("@", 1)[0]
        if action not in SUPPORTED_ACTIONS:
            raise Unsupported(f"step `{label}` uses `{uses}`")
        with_ = step.get("with") or {}
        if not isinstance(with_, dict):
            raise Unsupported(f"the form of step `{label}`'s `with:`")
        for key, value in with_.items():
            if key not in SUPPORTED_ACTIONS[action]:
                raise Unsupported(f"`with: {key}` of `{action}` on step `{label}`")
            evaluate(_scalar(value), ctx, env)  # an expression we cannot read is still a stop
        return Step(label, uses=action)
    if isinstance(run, str) and uses is None and "with" not in step:
        script = evaluate(run, ctx, {**env, **step_env})
        return Step(label, script=script, env=step_env)
    raise Unsupported(f"step `{label}` (neither one `uses:` nor one `run:`)")


def _plan_job(job_id: str, job: Any, ctx: Context, base: Mapping[str, str]) -> JobPlan:
    if not isinstance(job, dict):
        raise Unsupported(f"job `{job_id}`'s form")
    extra = sorted(set(job) - JOB_KEYS)
    if extra:
        raise Unsupported(f"`{extra[0]}:` on job `{job_id}`")
    env = {**base, **_env_block(job.get("env"), ctx, base, f"job `{job_id}`")}
    steps = job.get("steps")
    if not isinstance(steps, list) or not steps:
        raise Unsupported(f"job `{job_id}` without a list of steps")
    planned = tuple(_plan_step(i, s, ctx, env) for i, s in enumerate(steps))
    minutes = job.get("timeout-minutes", MAX_TIMEOUT_MINUTES)
    if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or minutes <= 0:
        raise Unsupported(f"`timeout-minutes: {minutes}` on job `{job_id}`")
    return JobPlan(
        job_id, job_name(job_id, job, ctx), planned, env, min(minutes, MAX_TIMEOUT_MINUTES)
    )


def job_name(job_id: str, job: Any, ctx: Context) -> str:
    """The job's check run name: its ``name:`` or its id (an unreadable expression stays)."""
    name = job.get("name") if isinstance(job, dict) else None
    if not name:
        return job_id
    try:
        return evaluate(str(name), ctx, {})
    except Unsupported:
        return str(name)


def plan_jobs(workflow: Mapping[Any, Any], ctx: Context) -> list[JobPlan]:
    """Every job of ``workflow``: runnable, or naming the first thing this runner lacks."""
    jobs = workflow.get("jobs")
    if not isinstance(jobs, dict):
        return []
    try:
        base = _env_block(workflow.get("env"), ctx, {}, "the workflow")
        reason = ""
    except Unsupported as why:
        base, reason = {}, str(why)
    plans = []
    for job_id, job in jobs.items():
        if reason:
            plans.append(JobPlan(str(job_id), job_name(str(job_id), job, ctx), unsupported=reason))
            continue
        try:
            plans.append(_plan_job(str(job_id), job, ctx, base))
        except Unsupported as why:
            name = job_name(str(job_id), job, ctx)
            plans.append(JobPlan(str(job_id), name, unsupported=str(why)))
    return plans


@dataclass(frozen=True)
class JobResult:
    """A check run's conclusion, its summary (why, and the log's last lines) and the log."""

    conclusion: str
    summary: str
    log: str


def unsupported_result(plan: JobPlan) -> JobResult:
    """The neutral outcome of a job this runner cannot run."""
    why = f"Not run: this emulator's runner does not support {plan.unsupported}."
    return JobResult("neutral", why, "")


def readonly_inputs(job_env: Mapping[str, str], runner_env: Mapping[str, str]) -> tuple[Path, ...]:
    """Host paths a job may read besides its own directory.

    The workflow is repository code, so from its ``env`` only the one ``.whl`` file that
    ``ISSUEBOT_PACKAGE`` names by ``file://`` URL is bound, never a directory; the wheel
    directories of ``PIP_FIND_LINKS`` come from the runner's own environment only.
    """
    found: list[Path] = []
    for url in re.findall(r"file://[^\s\"']+", job_env.get(PACKAGE_ENV, "")):
        wheel = Path(unquote(urlparse(url).path))
        if wheel.suffix == ".whl" and wheel.is_file():
            found.append(wheel)
    for entry in runner_env.get("PIP_FIND_LINKS", "").split():
        path = Path(unquote(urlparse(entry).path)) if entry.startswith("file:") else Path(entry)
        if path.is_dir():
            found.append(path)
    return tuple(dict.fromkeys(p for p in found if p.is_absolute()))


def checkout(git_dir: Path, sha: str, workspace: Path) -> None:
    """``actions/checkout``: ``sha``'s tree in ``workspace``, with history, detached."""
    for args in (["clone", "-q", "--no-checkout", str(git_dir), str(workspace)],
                 ["-C", str(workspace), "checkout", "-q", "--detach", sha]):  # fmt: skip
        subprocess.run(["git", *args], check=True, capture_output=True, timeout=120,
                       env={"PATH": os.environ.get("PATH", SANDBOX_PATH), "HOME": "/"})  # fmt: skip


def setup_python(where: Path) -> Path:
    """``actions/setup-python``: a fresh venv of this interpreter; returns its bin dir."""
    venv.create(where, with_pip=False, symlinks=True)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(where), "platbase": str(where)}))
    # The emulator's site-packages as a base (the runner's tool cache), as a path line.
    (purelib / "runner-base.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return where / "bin"


def _tail(log: str) -> str:
    return "\n".join(log.rstrip().splitlines()[-LOG_TAIL_LINES:])[-MAX_SUMMARY:]


def run_job(
    plan: JobPlan,
    *,
    git_dir: Path,
    ctx: Context,
    job_dir: Path,
    sandbox: Sandbox,
    runner_env: Mapping[str, str] | None = None,
) -> JobResult:
    """Run ``plan`` in ``job_dir`` (the only writable place); never raises for its failure."""
    if plan.unsupported:
        return unsupported_result(plan)
    workspace = job_dir / "workspace"
    workspace.mkdir(parents=True)
    extra = {**RUNNER_ENV, **(runner_env or {})}
    defaults = {"CI": "true", "GITHUB_ACTIONS": "true", "HOME": SANDBOX_HOME,
                "LANG": "C.UTF-8", "GITHUB_SHA": ctx.sha, "GITHUB_REF": ctx.ref,
                "GITHUB_REF_NAME": ctx.ref_name, "GITHUB_REPOSITORY": ctx.repository,
                "GITHUB_EVENT_NAME": ctx.event_name,
                "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(job_dir)}  # fmt: skip
    paths: list[str] = []
    log: list[str] = []
    deadline = time.monotonic() + plan.timeout_minutes * 60
    for step in plan.steps:
        log.append(f"##[group]{step.name}")
        try:
            if step.uses == "actions/checkout":
                checkout(git_dir, ctx.sha, workspace)
                log.append(f"checked out {ctx.sha}")
                continue
            if step.uses == "actions/setup-python":
                paths.insert(0, str(setup_python(job_dir / "python")))
                log.append(f"python {sysconfig.get_python_version()} at {paths[0]}")
                continue
        except (OSError, subprocess.SubprocessError) as exc:
            why = f"Step `{step.name}` could not be set up: {exc}"
            return JobResult("failure", why, "\n".join([*log, why]))
        env = {**extra, **plan.env, **step.env, **defaults}
        env["PATH"] = os.pathsep.join([*paths, SANDBOX_PATH])
        job = Job(["bash", "-e", "-c", step.script], cwd=workspace, env=env,
                  mounts=(Mount(job_dir, writable=True),), network=False,
                  name=f"issuebot-actions-{job_dir.name}",
                  extra_readonly=readonly_inputs(env, extra))  # fmt: skip
        outcome = sandbox.run(job, max(1.0, deadline - time.monotonic()))
        log.append(outcome.output.decode(errors="replace").rstrip())
        if outcome.timed_out:
            text = "\n".join(log)
            why = f"Step `{step.name}` timed out after {plan.timeout_minutes:g} minutes."
            return JobResult("timed_out", f"{why}\n\n{_tail(text)}", text)
        if outcome.returncode:
            text = "\n".join(log)
            why = f"Step `{step.name}` exited {outcome.returncode}."
            return JobResult("failure", f"{why}\n\n```\n{_tail(text)}\n```", text)
    text = "\n".join(log)
    return JobResult(
        "success", f"All {len(plan.steps)} steps passed.\n\n```\n{_tail(text)}\n```", text
    )
