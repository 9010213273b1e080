"""The bulk writer stores every value as SQLAlchemy would, on both backends.

Rows the push writes with ``upsert``/``bulk_insert`` (one JSON document, or the driver's
``executemany`` of converted tuples) are read by code that uses SQLAlchemy: exports, the
pull, the audit. So the same row written both ways must leave the same stored values: the
same bytes for UUIDs, timestamps in other zones (stored as UTC), dates, booleans and nulls,
and the same JSON (SQLite's JSON text may differ in spacing and escapes only).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, insert, select, text

from shared_models.enums import RecordKind
from shared_models.records import Family, Visit
from sync_server.db import write_tx
from sync_server.push_rows import kind_row
from sync_server.tables import KIND_TABLES, AuditEntry, MutationHistory
from sync_server.upsert import bulk_insert, json_text, upsert

KYIV = timezone(timedelta(hours=2))


def raw(engine: Engine, table: str, key: str, value: Any) -> list[tuple[Any, ...]]:
    """The stored row as the driver returns it, without SQLAlchemy's type processing."""
    with engine.connect() as conn:
        mark = "?" if engine.dialect.name == "sqlite" else "%s"
        sql = f'SELECT * FROM "{table}" WHERE "{key}" = {mark}'  # noqa: S608  (our names)
        return [tuple(r) for r in conn.exec_driver_sql(sql, (value,))]


def test_typed_rows_are_stored_as_sqlalchemy_stores_them(engine: Engine) -> None:
    now = datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=UTC)
    fam = Family(community="zhytomyrska", family_name="Коваленко", settlement="Житомир",
                 consent_date=date(2026, 1, 5), consent_by="Марія", displaced=True)
    visit = Visit(community="zhytomyrska", family_id=fam.id,
                  visited_at=datetime(2026, 11, 20, 0, 5, tzinfo=KYIV), risk_level="high",
                  author="olena", services=["002.0", "010.1"], present=[fam.id, fam.id],
                  child_needs='лапки " і \\ та ї')
    for model in (fam, visit):
        table = KIND_TABLES[model.KIND]
        row = kind_row(model, now)
        other = {**row, "id": uuid.uuid4()}
        with write_tx(engine) as conn:
            conn.execute(insert(table), [row])      # SQLAlchemy's own way
            upsert(conn, table, [other])            # ours
        ours = raw(engine, table.name, "id", _key(engine, other["id"]))
        theirs = raw(engine, table.name, "id", _key(engine, row["id"]))
        assert len(ours) == len(theirs) == 1
        json_at = [i for i, c in enumerate(table.columns) if isinstance(c.type, sa.JSON)]
        for i, (mine, sqlalchemy_s) in enumerate(zip(ours[0], theirs[0], strict=True)):
            if i == 0:
                continue  # the id
            if i in json_at and isinstance(mine, str):
                assert json.loads(mine) == json.loads(sqlalchemy_s), table.columns[i].name
            else:
                assert mine == sqlalchemy_s, table.columns[i].name
        with engine.connect() as conn:  # and read back through SQLAlchemy alike
            back = {r.id: r._mapping for r in conn.execute(select(table))}
        assert {k: v for k, v in back[other["id"]].items() if k != "id"} == \
            {k: v for k, v in back[row["id"]].items() if k != "id"}
    assert RecordKind.VISIT in KIND_TABLES


def test_json_text_columns_and_plain_inserts(engine: Engine) -> None:
    at = datetime(2026, 11, 25, 12, 0, tzinfo=KYIV)
    h = MutationHistory.__table__  # type: ignore[attr-defined]
    a = AuditEntry.__table__  # type: ignore[attr-defined]
    mid = uuid.uuid4()
    values: list[Any] = ["текст \"x\"", 5, 1.5, True, None, [], ["a", {"b": [1, None]}],
                         {"z": 1, "a": "ї"}]
    rows = [{"record_id": mid, "kind": "family", "community": "zhytomyrska",
             "author": "olena", "writes": v, "mutation_id": mid, "recorded_at": at}
            for v in values]
    with write_tx(engine) as conn:
        bulk_insert(conn, h, rows)
        texts = [{**r, "writes": json_text(r["writes"])} for r in rows]
        bulk_insert(conn, h, texts, as_text=frozenset({"writes"}))
        bulk_insert(conn, a, [{"at": at, "actor": "olena", "device_id": None,
                               "action": "push", "outcome": "ok", "community": None,
                               "record_ids": [str(mid)], "detail": "", "address": None}])
    with engine.connect() as conn:
        got = conn.execute(select(h.c.writes, h.c.recorded_at).order_by(h.c.id)).all()
        audit = conn.execute(select(a.c.at, a.c.record_ids)).one()
    assert [r.writes for r in got] == values * 2
    assert all(r.recorded_at == at for r in got)  # the same instant, read back as UTC
    assert audit.at == at and audit.record_ids == [str(mid)]
    if engine.dialect.name == "sqlite":  # stored in UTC, in SQLAlchemy's text form
        with engine.connect() as conn:
            stored = conn.execute(text(
                "SELECT DISTINCT recorded_at FROM mutation_history")).scalars()
            assert list(stored) == ["2026-11-25 10:00:00.000000"]


def _key(engine: Engine, value: uuid.UUID) -> Any:
    return value.hex if engine.dialect.name == "sqlite" else value


def test_a_typed_row_holds_every_validated_value_of_every_kind() -> None:
    """``kind_row`` takes the model's values as validated, not through ``model_dump``: the
    same values (JSON columns in their JSON form) for every kind of record."""
    from shared_models.records import model_class
    from tests.server.helpers import (
        assessment_fields,
        case_fields,
        family_fields,
        note_fields,
        person_fields,
        placement_fields,
        plan_task_fields,
        review_fields,
        visit_fields,
    )

    fid, pid, vid, cid, tid = (str(uuid.uuid4()) for _ in range(5))
    samples = {
        "family": family_fields(displaced=True, consent_date="2026-01-05", consent_by="Марія"),
        "person": person_fields(fid),
        "visit": {**visit_fields(fid, "olena"), "present": [pid], "services": ["002.0"],
                  "threat_to_life": True, "plan_tasks": [tid]},
        "note": note_fields(fid, "olena"),
        "review": review_fields(vid, "iryna"),
        "placement": placement_fields(pid, fid),
        "case": case_fields(fid, reporter_consent=True),
        "assessment": assessment_fields(
            cid, fid, "olena", participants=[pid], circumstances=["poverty", "illness"],
            children=[{"person_id": pid, "needs": "Потребує лікаря"}], threat_to_life=True,
            threat_details="Дитина без нагляду вночі"),
        "plan_task": plan_task_fields(cid, fid, responsible="family_member",
                                      responsible_person_id=pid),
        "conflict": {"record_kind": "family", "record_id": fid, "field": "address",
                     "winner_value": {"b": [1, "ї"]}, "winner_clock": "c2",
                     "loser_value": ["x"], "loser_clock": "c1"},
    }
    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    assert {k.value for k in KIND_TABLES} == set(samples)
    for kind, values in samples.items():
        model = model_class(kind).model_validate(
            {**values, "id": str(uuid.uuid4()), "community": "zhytomyrska"})
        table = KIND_TABLES[model.KIND]
        json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
        expected = {**model.model_dump(),
                    **model.model_dump(mode="json", include=json_columns),
                    "id": model.id, "community": "zhytomyrska", "updated_at": now}
        row = kind_row(model, now)
        assert row == expected, kind
        assert set(row) <= {c.name for c in table.columns}, kind
        assert model.__dict__.get("updated_at") is None  # the model itself is left as it was
