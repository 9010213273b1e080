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

from shared_models.cases import legacy_case_id, legacy_case_values
from shared_models.clock import HLC
from shared_models.enums import Role
from shared_models.protocol import RecordChange
from shared_models.records import Case
from sync_server.app import create_app
from sync_server.db import make_engine
from sync_server.history import field_writes
from sync_server.migrate import alembic_config, upgrade
from sync_server.settings import Settings
from sync_server.statejson import feed_columns
from sync_server.tables import metadata
from tests.server.appclient import AppClient
from tests.server.conftest import SECRET, create_pg_database, drop_pg_database, pg_url
from tests.server.helpers import (
    ZH,
    Device,
    case_fields,
    family_fields,
    login,
    make_user,
    mutation,
)


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


HISTORY_PER_MUTATION = "0004_mutation_history"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                             marks=pytest.mark.postgres)])
def test_history_rows_become_one_per_mutation_and_back(backend: str, tmp_path: Path) -> None:
    """0004_mutation_history: per-field history rows written before it are grouped by the
    mutation that wrote them, every value, clock, predecessor and author kept; going down
    gives the same per-field rows again."""
    name = create_pg_database() if backend == "postgres" else ""
    url = pg_url(name) if name else f"sqlite:///{tmp_path / 'old.db'}"
    before = ScriptDirectory.from_config(alembic_config(url)).get_revision(
        HISTORY_PER_MUTATION).down_revision
    engine: Engine | None = None
    try:
        upgrade(url, before)
        fam, create, edit = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        a, b = HLC(1_795_000_000_000, 0, "dev-a").encode(), HLC(1_795_000_100_000, 0, "dv").encode()
        at1 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        at2 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
        old = [  # (field, value, clock, author, supersedes, previous, previous clock, mid, at)
            ("family_name", "Коваленко", a, "olena", [], None, None, create, at1),
            ("children", [{"n": 1}], a, "olena", [], None, None, create, at1),
            ("phone", None, a, "olena", [], None, None, create, at1),
            ("phone", "+380 67 000 00 00", b, "petro", [a], None, a, edit, at2),
            ("family_name", "Коваленки", b, "petro", [a], "Коваленко", a, edit, at2),
        ]
        engine = make_engine(url, pool_size=1)
        table = sa.table(
            "history", sa.column("record_id", sa.Uuid()), sa.column("kind"),
            sa.column("community"), sa.column("field"), sa.column("value", sa.JSON()),
            sa.column("clock"), sa.column("author"), sa.column("supersedes", sa.JSON()),
            sa.column("previous_value", sa.JSON()), sa.column("previous_clock"),
            sa.column("mutation_id", sa.Uuid()),
            sa.column("recorded_at", sa.DateTime(timezone=True)))
        with engine.begin() as conn:
            conn.execute(sa.insert(table), [
                {"record_id": fam, "kind": "family", "community": "malynska", "field": f,
                 "value": v, "clock": c, "author": who, "supersedes": sup,
                 "previous_value": pv, "previous_clock": pc, "mutation_id": mid,
                 "recorded_at": at} for f, v, c, who, sup, pv, pc, mid, at in old])
        upgrade(url)
        expected = [(str(fam), "family", "malynska", f, v, c, who, sup, pv, pc, str(mid))
                    for f, v, c, who, sup, pv, pc, mid, _at in old]
        with engine.connect() as conn:
            writes = field_writes(conn)
            rows = conn.execute(text("SELECT count(*) FROM mutation_history")).scalar_one()
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
        assert rows == 2  # one per mutation
        # Oldest mutation first; within one, PostgreSQL's JSONB orders the fields its own way.
        assert sorted((tuple(w)[:-1] for w in writes), key=repr) == sorted(expected, key=repr)
        assert [(w.mutation_id, w.recorded_at) for w in writes] == \
            [(str(create), at1)] * 3 + [(str(edit), at2)] * 2
        engine.dispose()
        command.downgrade(alembic_config(url), before)
        with engine.connect() as conn:
            back = conn.execute(sa.select(table).order_by(text("id"))).all()
        got = [(str(r.record_id), r.kind, r.community, r.field, r.value, r.clock, r.author,
                r.supersedes, r.previous_value, r.previous_clock, str(r.mutation_id))
               for r in back]
        assert sorted(got, key=repr) == sorted(expected, key=repr)
    finally:
        if engine is not None:
            engine.dispose()
        if name:
            drop_pg_database(name)


LOST_WORK = "0005_device_lost_work"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                             marks=pytest.mark.postgres)])
def test_devices_written_before_lost_work_keep_everything_and_can_report(
        backend: str, tmp_path: Path) -> None:
    """0005_device_lost_work: existing devices (live and revoked) keep every column and start
    with no report; a report can then be stored; going down drops only the new columns."""
    name = create_pg_database() if backend == "postgres" else ""
    url = pg_url(name) if name else f"sqlite:///{tmp_path / 'old.db'}"
    before = ScriptDirectory.from_config(alembic_config(url)).get_revision(
        LOST_WORK).down_revision
    engine: Engine | None = None
    try:
        upgrade(url, before)
        engine = make_engine(url, pool_size=1)
        users = sa.table("app_user", sa.column("id", sa.Integer()), sa.column("username"),
                         sa.column("password_hash"), sa.column("role"),
                         sa.column("active", sa.Boolean()),
                         sa.column("created_at", sa.DateTime(timezone=True)))
        devices = sa.table("device", sa.column("id", sa.Uuid()), sa.column("user_id"),
                           sa.column("name"), sa.column("token_hash"),
                           sa.column("created_at", sa.DateTime(timezone=True)),
                           sa.column("last_seen_at", sa.DateTime(timezone=True)),
                           sa.column("revoked_at", sa.DateTime(timezone=True)))
        at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        live, gone = uuid.uuid4(), uuid.uuid4()
        with engine.begin() as conn:
            uid = conn.execute(sa.insert(users).values(
                username="olena", password_hash="x", role="social_worker", active=True,
                created_at=at).returning(users.c.id)).scalar_one()
            conn.execute(sa.insert(devices), [
                {"id": live, "user_id": uid, "name": "phone", "token_hash": "a" * 64,
                 "created_at": at, "last_seen_at": at, "revoked_at": None},
                {"id": gone, "user_id": uid, "name": "lost phone", "token_hash": "b" * 64,
                 "created_at": at, "last_seen_at": None, "revoked_at": at}])
        upgrade(url)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
        device = metadata.tables["device"]
        with engine.begin() as conn:
            got = {uuid.UUID(str(r.id)): r for r in conn.execute(sa.select(device))}
            assert {d: (r.name, r.token_hash, r.revoked_at is None, r.lost_reported_at,
                        r.lost_work) for d, r in got.items()} == {
                live: ("phone", "a" * 64, True, None, None),
                gone: ("lost phone", "b" * 64, False, None, None)}
            conn.execute(sa.update(device).where(device.c.id == gone).values(
                lost_reported_at=at, lost_work={"outbox": {"visit": 2}, "drafts": 1}))
        with engine.begin() as conn:
            assert conn.execute(sa.select(device.c.lost_work).where(
                device.c.id == gone)).scalar_one() == {"outbox": {"visit": 2}, "drafts": 1}
        engine.dispose()
        command.downgrade(alembic_config(url), before)
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("device")}
            assert "lost_work" not in columns and "lost_reported_at" not in columns
            assert conn.execute(text("SELECT count(*) FROM device")).scalar_one() == 2
    finally:
        if engine is not None:
            engine.dispose()
        if name:
            drop_pg_database(name)


LEGACY_CASES = "0007_legacy_cases"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                             marks=pytest.mark.postgres)])
def test_closed_families_become_closed_cases_that_devices_pull(backend: str,
                                                               tmp_path: Path) -> None:
    """0007_legacy_cases: from the previous schema with families pushed through the API, every
    family closed with the old flag gets a closed case (its legacy id, reason ``legacy``, the
    day of the closing write) at a new feed position, with its typed row, history and audit
    rows; a device pulls it, and the device's own copy (same id, same values) merges without
    a conflict. Going down deletes the cases and keeps the families."""
    name = create_pg_database() if backend == "postgres" else ""
    url = pg_url(name) if name else f"sqlite:///{tmp_path / 'old.db'}"
    before = ScriptDirectory.from_config(alembic_config(url)).get_revision(
        LEGACY_CASES).down_revision
    settings = Settings(database_url=url, secret_key=SECRET, instance_id="test",
                        env="development")
    engine: Engine | None = None
    try:
        upgrade(url, before)
        engine = make_engine(url, pool_size=2)
        make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
        with AppClient(create_app(settings, engine=engine)) as client:
            dev = Device(client, login(client, "olena"), "olena-phone")
            closed = mutation("family", ZH, family_fields(closed=True), dev.stamp())
            still_open = mutation("family", ZH, family_fields("Петренко"), dev.stamp())
            later = mutation("family", ZH, family_fields("Сидоренко"), dev.stamp())
            closing = mutation("family", ZH, {"closed": True}, dev.stamp(),
                               record_id=later["record_id"])
            r = dev.push([closed, still_open, later, closing])
            assert [x["status"] for x in r.json()["results"]] == ["applied"] * 4
            assert len(dev.pull_all()) == 3
        families = {closed["record_id"]: closed["fields"]["closed"]["clock"],
                    later["record_id"]: closing["fields"]["closed"]["clock"]}
        legacy = {str(legacy_case_id(uuid.UUID(fid))): fid for fid in families}

        upgrade(url)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
        with AppClient(create_app(settings, engine=engine)) as client:
            dev.client = client
            cases = dev.pull_all()  # from the cursors it had: only the new cases
            assert {c["record_id"] for c in cases} == set(legacy)
            assert all(c["kind"] == "case" and c["community"] == ZH.value for c in cases)
            for change in cases:
                fid = legacy[change["record_id"]]
                values = RecordChange.model_validate(change).values
                day = datetime.fromtimestamp(
                    HLC.decode(families[fid]).wall_ms / 1000, UTC).date().isoformat()
                assert {k: values[k] for k in ("family_id", "opened_on", "closed_on",
                                               "closure_reason")} == {
                    "family_id": fid, "opened_on": day, "closed_on": day,
                    "closure_reason": "legacy"}
                case = Case.model_validate({**values, "id": change["record_id"],
                                            "community": ZH.value})
                assert not case.is_open
            # The device's store migration makes the same case: one record, no conflict.
            copies = [mutation("case", ZH, Case(
                id=legacy_case_id(uuid.UUID(fid)), community=ZH,
                **legacy_case_values(uuid.UUID(fid), clock)).model_dump(
                    mode="json", exclude={"id", "community"}), dev.stamp(),
                record_id=str(legacy_case_id(uuid.UUID(fid))))
                for fid, clock in families.items()]
            r = dev.push(copies)
            assert [x["status"] for x in r.json()["results"]] == ["applied"] * 2
            again = dev.pull_all()
            assert {c["kind"] for c in again} == {"case"}
            # A new case of a family closed before cases is accepted: the legacy one is closed.
            new = mutation("case", ZH, case_fields(closed["record_id"]), dev.stamp())
            assert dev.push([new]).json()["results"][0]["status"] == "applied"
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT id, family_id, closed_on, closure_reason FROM \"case\" "
                "WHERE closure_reason = 'legacy'")).all()
            assert {str(uuid.UUID(str(r.id))): str(uuid.UUID(str(r.family_id)))
                    for r in rows} == legacy
            history = field_writes(conn, list(legacy))
            assert {w.author for w in history} == {"server", "olena"}
            assert {w.record_id for w in history if w.author == "server"} == set(legacy)
            audit = conn.execute(text(
                "SELECT actor, community, record_ids FROM audit_log "
                "WHERE action = 'legacy_case'")).all()
        [(actor, community, ids)] = audit
        ids = ids if isinstance(ids, list) else json.loads(ids)
        assert (actor, community, set(ids)) == ("server", ZH.value, set(legacy))

        engine.dispose()
        command.downgrade(alembic_config(url), before)
        with engine.connect() as conn:
            kinds = sorted(r[0] for r in conn.execute(text("SELECT kind FROM record")))
            assert kinds == ["case", "family", "family", "family"]  # the new case stays
            assert conn.execute(text("SELECT count(*) FROM \"case\"")).scalar_one() == 1
            assert conn.execute(text(
                "SELECT count(*) FROM family WHERE closed")).scalar_one() == 2
            left = field_writes(conn, list(legacy))
            assert left == []
    finally:
        if engine is not None:
            engine.dispose()
        if name:
            drop_pg_database(name)
