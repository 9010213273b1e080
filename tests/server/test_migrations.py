"""The Alembic migrations create exactly the tables the code declares (both backends)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from shared_models.clock import HLC
from shared_models.protocol import RecordChange
from sync_server.db import make_engine
from sync_server.migrate import alembic_config, upgrade
from sync_server.statejson import feed_columns
from sync_server.tables import metadata
from tests.server.conftest import create_pg_database, drop_pg_database, pg_url


def test_migrations_match_the_table_definitions(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


PULL_COLUMNS = "0003_perf_pull"
#: The revision before the pull columns, whatever the chain is renumbered to.
BEFORE = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(
    PULL_COLUMNS).down_revision


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                             marks=pytest.mark.postgres)])
def test_pull_columns_are_filled_for_records_written_before_them(backend: str,
                                                                 tmp_path: Path) -> None:
    """0003_perf_pull: rows written before the stored pull text get it (and a conflict its
    two authors), the same text the push now writes; the revision also goes back down."""
    name = create_pg_database() if backend == "postgres" else ""
    url = pg_url(name) if name else f"sqlite:///{tmp_path / 'old.db'}"
    engine: Engine | None = None
    try:
        upgrade(url, BEFORE)
        a, b = HLC(1_795_000_000_000, 0, "dev-a").encode(), HLC(1_795_000_100_000, 0, "s").encode()
        rows = {
            uuid.uuid4(): ("family", {"f": {
                "family_name": {"c": ["Коваленко", a, [], "olena"]},
                "phone": {"c": [None, b, [a], "petro"], "s": [a]}}}),
            uuid.uuid4(): ("conflict", {"f": {
                "field": {"c": ["address", b, [], "server"]},
                "winner_author": {"c": ["petro", b, [], "server"]},
                "loser_author": {"c": ["olena", b, [], "server"]}}}),
        }
        engine = make_engine(url, pool_size=1)
        table = sa.table("record", sa.column("id", sa.Uuid()), sa.column("kind"),
                         sa.column("community"), sa.column("position"), sa.column("deleted"),
                         sa.column("state", sa.JSON()), sa.column("updated_at", sa.DateTime()))
        with engine.begin() as conn:
            conn.execute(sa.insert(table), [
                {"id": rid, "kind": kind, "community": "malynska", "position": i + 1,
                 "deleted": False, "state": state, "updated_at": datetime.now(UTC)}
                for i, (rid, (kind, state)) in enumerate(rows.items())])
        upgrade(url)
        with engine.connect() as conn:
            got = {r.id: r for r in conn.execute(text(
                "SELECT id, kind, position, state, wire, winner_author, loser_author "
                "FROM record"))}
        for rid, (kind, state) in rows.items():
            row = got[rid if backend == "postgres" else rid.hex]
            # PostgreSQL's JSONB orders object keys its own way: compare as JSON, not as text.
            assert json.loads(row.wire) == json.loads(
                feed_columns(rid, kind, "malynska", row.position, state)["wire"])
            change = RecordChange.model_validate_json(row.wire)
            assert str(change.record_id) == str(rid) and change.kind.value == kind
            writes = change.writes()
            assert {n: (w.value, w.clock, w.author) for n, w in writes.items()} == {
                n: (e["c"][0], e["c"][1], e["c"][3]) for n, e in state["f"].items()}
            authors = (row.winner_author, row.loser_author)
            assert authors == (("petro", "olena") if kind == "conflict" else (None, None))
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
        engine.dispose()
        command.downgrade(alembic_config(url), BEFORE)
        with engine.connect() as conn:
            assert "wire" not in {c["name"] for c in sa.inspect(conn).get_columns("record")}
    finally:
        if engine is not None:
            engine.dispose()
        if name:
            drop_pg_database(name)
