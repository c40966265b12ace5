"""Generate once per session: the example spec plus the every-field-type entity, with the UI."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.codegen import write_generated
from generators.service import GeneratedService, generate_service
from generators.spec import SpecFile
from tests.generators.cases import case_spec


@pytest.fixture(scope="session")
def combined_spec() -> SpecFile:
    """RawDataSource (the seed, with tags and actions) and LabSample (every type, odd names)."""
    spec = case_spec("example")
    for entity in case_spec("every_field_type").entities:
        spec = spec.upsert(entity)
    return spec


@pytest.fixture(scope="session")
def combined_service(combined_spec: SpecFile) -> GeneratedService:
    """The rendered service of the combined spec."""
    return generate_service(combined_spec, ui=True)


@pytest.fixture(scope="session")
def service_dir(
    tmp_path_factory: pytest.TempPathFactory, combined_service: GeneratedService
) -> Path:
    """The combined service written to a directory (shared: tests must not modify it)."""
    out = tmp_path_factory.mktemp("service")
    write_generated(out, combined_service)
    return out
