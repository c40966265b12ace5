"""A PostgreSQL connection dropped under the store: retried when safe, never half-recorded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from bot.store import RunStore, StoreUnavailableError

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(pg_schema_url: str) -> Iterator[RunStore]:
    store = RunStore.open(pg_schema_url)
    try:
        yield store
    finally:
        store.close()


def _kill_backends(postgres_url: str, schema_url: str) -> int:
    """Terminate every server connection of this test's store (as an admin would, or a failover)."""
    schema = schema_url.rsplit("%3D", 1)[1]
    admin = create_engine(postgres_url)
    with admin.begin() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND application_name = :app"
            ),
            {"app": schema},
        ).scalar_one()
    admin.dispose()
    return int(killed)


def _tag_connections(store: RunStore, schema_url: str) -> None:
    schema = schema_url.rsplit("%3D", 1)[1]

    @event.listens_for(store.engine, "connect")
    def _name(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET application_name = '{schema}'")


def test_pooled_connections_killed_between_calls_are_replaced_transparently(
    pg_schema_url: str, postgres_url: str
) -> None:
    store = RunStore.open(pg_schema_url)
    store.engine.dispose()
    _tag_connections(store, pg_schema_url)
    try:
        run = store.create_run("acme/shop", 1, trigger="label", actor="m")
        assert _kill_backends(postgres_url, pg_schema_url) >= 1
        store.start_step(run.id, "verify")  # pool_pre_ping notices and reconnects
        store.finish_step(run.id, "verify", outcome="ok", output={})
        assert [s.outcome for s in store.steps(run.id)] == ["ok"]
    finally:
        store.close()


def test_a_connection_dropped_inside_a_step_write_leaves_no_trace_and_is_reported_retryable(
    pg_store: RunStore, postgres_url: str, pg_schema_url: str
) -> None:
    run = pg_store.create_run("acme/shop", 2, trigger="label", actor="m")
    pg_store.start_step(run.id, "generate")
    dropped = {"done": False}

    @event.listens_for(pg_store.engine, "before_cursor_execute")
    def _drop_before_step_update(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("UPDATE steps") and not dropped["done"]:
            dropped["done"] = True
            with conn.connection.dbapi_connection.cursor() as own:
                own.execute("SELECT pg_backend_pid()")
                pid = own.fetchone()[0]
            admin = create_engine(postgres_url)
            with admin.begin() as a:
                a.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.dispose()

    with pytest.raises(StoreUnavailableError) as failure:
        pg_store.finish_step(run.id, "generate", outcome="ok", output={"files": 12})
    assert failure.value.retryable
    assert "\n" not in failure.value.message
    # Nothing of the interrupted call was recorded: the step is still open, the run untouched.
    steps = pg_store.steps(run.id)
    assert [(s.name, s.outcome, s.finished_at) for s in steps] == [("generate", None, None)]
    # The caller retries the step's write and it lands once.
    pg_store.finish_step(run.id, "generate", outcome="ok", output={"files": 12})
    assert [(s.attempt, s.outcome, s.output) for s in pg_store.steps(run.id)] == [
        (1, "ok", {"files": 12})
    ]
