"""`issuebot demo`: one command, no account, no network: the whole story, printed."""

from __future__ import annotations

import time
from typing import Annotated

import typer


def demo(
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for each asynchronous step.")
    ] = 120.0,
) -> None:
    """Emulated GitHub → feature request → maintainer approval → PR → green checks → merge."""
    from rich.console import Console  # noqa: PLC0415 - commands load their area on use

    from bot import interrupt  # noqa: PLC0415
    from bot.demo import DemoReport, run_demo  # noqa: PLC0415
    from bot.observability import configure_logging  # noqa: PLC0415

    console = Console(highlight=False)
    configure_logging(json_output=False, level="WARNING")
    start = time.perf_counter()
    report = DemoReport()

    def interrupted(signum: int) -> None:
        """Ctrl-C: say what was done, then the process stops (children and temp dirs too)."""
        console.print(report.done_so_far(time.perf_counter() - start), soft_wrap=True)

    # Everything temporary (emulator, database, clones, sandbox) lives under one private dir.
    with interrupt.exit_on_signals(interrupted, temp_prefix="issuebot-demo-", unwind=False):
        console.rule("[bold]issuebot demo[/bold]: the RawDataSource request, end to end")
        run_demo(console.print, timeout=timeout, report=report)
    console.rule()
    console.print(f"issue   {report.issue_url}")
    console.print(f"branch  {report.branch}")
    console.print(f"PR      {report.pr_url} (merged: {report.merged})")
    console.print(f"files   {len(report.files)}: " + ", ".join(report.files[:6]) + " …")
    console.print(
        f"spec    RawDataSource, {len(report.spec_fields)} fields: {', '.join(report.spec_fields)}"
    )
    console.print(f"tests   {report.tests}")
    phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.timings.items())
    console.print(f"timing  {phases}; total {time.perf_counter() - start:.1f}s")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add `issuebot demo`."""
    app.command("demo")(demo)
