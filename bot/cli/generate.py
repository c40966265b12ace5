"""`issuebot generate` and `issuebot spec validate`: the generator from a terminal and from CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.errors import DriftError, SpecError, UsageError

TEMPLATE_SUFFIX = ".j2"


def _read(path: Path, what: str) -> str:
    from generators.spec import MAX_SPEC_BYTES  # noqa: PLC0415 - the generator loads on use

    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise UsageError(f"{what} {path} is larger than {MAX_SPEC_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} {path}: {exc}") from exc


def _overrides(directory: Path | None) -> dict[str, str]:
    """Templates a repository overrides, by name relative to `templates/service/`."""
    if directory is None:
        return {}
    if not directory.is_dir():
        raise UsageError(f"template directory {directory} does not exist")
    return {
        path.relative_to(directory).as_posix(): _read(path, "template")
        for path in sorted(directory.rglob(f"*{TEMPLATE_SUFFIX}"))
    }


def _fail(problems: list[str], hint: str) -> SpecError:
    return SpecError(problems, hint=hint)


def generate(
    specs: Annotated[
        Path | None, typer.Option("--specs", help="Spec file (default: the repo config's path).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output directory (default: the repo config's).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; fail if files drifted or were edited.")
    ] = False,
    ui: Annotated[
        bool | None, typer.Option("--ui/--no-ui", help="Also write the React workbench pages.")
    ] = None,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Directory of template overrides (*.j2).")
    ] = None,
) -> None:
    """Generate the service from the spec (unchanged files are left alone)."""
    # Commands load their area when run, so listing them stays instant.
    from bot.codegen import describe_drift, find_drift, write_generated  # noqa: PLC0415
    from bot.config import read_repo_config  # noqa: PLC0415
    from bot.migrations import generate_with_history  # noqa: PLC0415
    from generators.spec import load_spec  # noqa: PLC0415

    config = read_repo_config(
        lambda path: _read(Path(path), "config") if Path(path).is_file() else None
    )
    spec_path = specs or Path(config.paths.spec)
    out_dir = out or Path(config.paths.output)
    try:
        spec = load_spec(_read(spec_path, "spec"))
    except SpecError as exc:
        raise _fail(exc.problems, f"fix {spec_path}") from None
    try:  # appends a migration revision when the schema changed (never rewrites one)
        service = generate_with_history(
            out_dir, spec, ui=config.ui if ui is None else ui, overrides=_overrides(templates)
        )
    except SpecError as exc:
        raise _fail(exc.problems, exc.hint or f"fix {spec_path}") from None
    if check:
        drifted = find_drift(out_dir, service, config.paths.generated)
        if drifted:
            raise DriftError(describe_drift(out_dir, drifted, service))
        typer.echo(f"ok: {len(service.files)} generated files match {spec_path}")
        return
    try:
        report = write_generated(out_dir, service)
    except OSError as exc:
        raise UsageError(f"cannot write to {out_dir}: {exc.strerror or exc}") from exc
    for path in report.written:
        typer.echo(f"wrote {path}")
    for path in report.created:
        typer.echo(f"created {path} (yours to edit)")
    for path in report.removed:
        typer.echo(f"removed {path} (no longer generated)")
    for path in report.kept_orphans:
        typer.echo(f"kept {path}: no longer generated but edited by hand; delete it yourself")
    typer.echo(
        f"{len(report.written)} written, {len(report.unchanged)} unchanged, "
        f"{len(report.created)} created, {len(report.removed)} removed in {out_dir}"
    )


def validate(
    file: Annotated[Path, typer.Argument(help="A spec file, or a single entity definition.")],
) -> None:
    """Exit 0 for a valid spec; otherwise list every problem with its JSON path (exit 12)."""
    from generators.spec import load_spec, validate_entity_data  # noqa: PLC0415 - on use

    text = _read(file, "spec")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            [f"line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}"]
        ) from None
    if isinstance(data, dict) and "fields" in data and "entities" not in data:
        entity, problems = validate_entity_data(data)
        if entity is None:
            raise _fail([p.render() for p in problems], f"fix {file}")
        typer.echo(f"ok: entity {entity.name} with {len(entity.fields)} fields")
        return
    try:
        spec = load_spec(text)
    except SpecError as exc:
        raise _fail(exc.problems, f"fix {file}") from None
    typer.echo(f"ok: {len(spec.entities)} entities")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    """Add `generate` and `spec validate`."""
    app.command("generate")(generate)
    groups["spec"].command("validate")(validate)
