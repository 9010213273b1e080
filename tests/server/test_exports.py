"""Exports (XLSX and CSV) opened back and checked against the database; audit and access.

Every test runs on SQLite and PostgreSQL. Visits are pushed the way phones push them.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select, text

from shared_models.cases import assessment_due
from shared_models.enums import RecordKind, Role
from shared_models.services import SERVICES
from sync_server.db import read_tx
from sync_server.export import SERVICE_HEADERS, VISIT_HEADERS
from sync_server.export_cases import CASE_HEADERS
from sync_server.settings import Settings
from sync_server.tables import KIND_TABLES
from tests.server.appclient import AppClient
from tests.server.helpers import ZH, ZV, Device, family_fields, login, make_user, mutation

KYIV = ZoneInfo("Europe/Kyiv")
DAY = date.today() - timedelta(days=20)          # the last day of the exported period
START = DAY - timedelta(days=6)
PERIOD = {"start": START.isoformat(), "end": DAY.isoformat()}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def at_kyiv(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=KYIV).isoformat()


@pytest.fixture
def data(client: AppClient, engine: Engine, settings: Settings) -> dict[str, Any]:
    """Two communities; visits inside the period, at its Kyiv-midnight edges, and outside."""
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    make_user(engine, settings, "ivan", Role.SOCIAL_WORKER, [ZV])
    make_user(engine, settings, "kerivnyk", Role.SUPERVISOR, [ZH])
    make_user(engine, settings, "koord", Role.COORDINATOR)
    olena = Device(client, login(client, "olena"), "olena-phone")
    ivan = Device(client, login(client, "ivan"), "ivan-phone")
    fam = mutation("family", ZH, family_fields("Коваленко", settlement="=HYPERLINK(\"x\")"),
                   olena.stamp())
    fam2 = mutation("family", ZH, family_fields("Шевчук", settlement="Левків"), olena.stamp())
    fam_zv = mutation("family", ZV, family_fields("Бойко", settlement="Кам'яний Брід"),
                      ivan.stamp())

    def visit(dev: Device, community: Any, family: dict[str, Any], when: str,
              services: list[str], *, risk: str = "low") -> dict[str, Any]:
        author = "olena" if dev is olena else "ivan"
        return mutation("visit", community, {
            "family_id": family["record_id"], "visited_at": when, "risk_level": risk,
            "author": author, "services": services}, dev.stamp())

    inside = [
        visit(olena, ZH, fam, at_kyiv(START, 0, 5), ["002.0", "010.2"], risk="high"),
        visit(olena, ZH, fam2, at_kyiv(DAY - timedelta(days=2), 11), ["002.0"]),
        visit(olena, ZH, fam, at_kyiv(DAY, 23, 50), ["early-intervention", "001.0"],
              risk="medium"),
    ]
    outside = [visit(olena, ZH, fam, at_kyiv(DAY + timedelta(days=1), 0, 10), ["002.0"]),
               visit(olena, ZH, fam2, at_kyiv(START - timedelta(days=1), 23, 55), ["002.0"])]
    r = olena.push([fam, fam2, *inside, *outside])
    assert {x["status"] for x in r.json()["results"]} == {"applied"}, r.text
    zv_visit = visit(ivan, ZV, fam_zv, at_kyiv(DAY - timedelta(days=1), 9), ["019.0"])
    assert {x["status"] for x in ivan.push([fam_zv, zv_visit]).json()["results"]} == {"applied"}
    return {"inside": inside, "zv": zv_visit, "families": (fam, fam2, fam_zv),
            "headers": {n: login(client, n) for n in ("olena", "kerivnyk", "koord")}}


def db_visits(engine: Engine, community: str) -> dict[str, Any]:
    """The period's visits of ``community`` straight from the typed table."""
    v, f = KIND_TABLES[RecordKind.VISIT], KIND_TABLES[RecordKind.FAMILY]
    lo = datetime.combine(START, datetime.min.time(), KYIV)
    hi = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), KYIV)
    with read_tx(engine) as conn:
        rows = conn.execute(select(v.c.id, v.c.family_id, v.c.author, v.c.risk_level,
                                   v.c.services, f.c.settlement)
                            .join(f, f.c.id == v.c.family_id)
                            .where(v.c.community == community, v.c.visited_at >= lo,
                                   v.c.visited_at < hi)).all()
    return {str(r.id): r for r in rows}


def test_workbook_matches_the_database(client: AppClient, engine: Engine,
                                       data: dict[str, Any]) -> None:
    r = client.get("/api/v1/exports/workbook", headers=data["headers"]["kerivnyk"],
                   params={"community": "zhytomyrska", **PERIOD})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert f'poruch-zhytomyrska-{START}-{DAY}.xlsx' in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Візити", "Послуги", "Випадки", "Параметри"]
    visits = list(wb["Візити"].iter_rows(values_only=True))
    assert visits[0] == VISIT_HEADERS
    expected = db_visits(engine, "zhytomyrska")
    assert len(expected) == 3 and len(visits) == 4        # the two edge visits are out
    by_id = {row[5]: row for row in visits[1:]}
    assert set(by_id) == set(expected)
    for vid, db in expected.items():
        row = by_id[vid]
        assert row[1] == "Житомирська громада" and row[2] == "UA18040190000029215"
        assert row[3] == db.settlement and row[4] == str(db.family_id)
        assert row[7] == db.author
        assert row[8] == {"low": "Низький", "medium": "Середній", "high": "Високий"}[
            db.risk_level]
        keys = list(db.services)
        assert row[9] == "; ".join(SERVICES[k].code for k in keys if SERVICES[k].code)
        assert row[10] == "; ".join(SERVICES[k].name_uk for k in keys)
    first = visits[1]
    assert first[0] == datetime(START.year, START.month, START.day, 0, 5)   # Kyiv time
    # Nothing that looks like a formula runs: the settlement stays text.
    cells = {c.value: c for c in wb["Візити"]["D"]}
    assert cells['=HYPERLINK("x")'].data_type == "s"
    services = list(wb["Послуги"].iter_rows(values_only=True))
    assert services[0] == SERVICE_HEADERS
    counts = {(row[3]): (row[2], row[5], row[6]) for row in services[1:]}
    assert counts == {"001.0": ("001.0", 1, 1), "002.0": ("002.0", 2, 2),
                      "010.2": ("010.2", 1, 1),
                      "early-intervention": (None, 1, 1)}   # no classifier code: empty cell
    about = dict(wb["Параметри"].iter_rows(values_only=True))
    assert about["Громади"] == "Житомирська громада" and about["Візитів"] == 3
    assert about["Ким"] == "kerivnyk"
    # Data minimisation: no family name anywhere in the file.
    text_of_book = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True)
                            for v in row)
    assert "Коваленко" not in text_of_book and "Шевчук" not in text_of_book


def test_csv_files_match_the_database(client: AppClient, engine: Engine,
                                      data: dict[str, Any]) -> None:
    r = client.get("/api/v1/exports/visits", headers=data["headers"]["koord"],
                   params={"community": ["zhytomyrska", "zviahelska"], **PERIOD})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    body = r.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert tuple(rows[0]) == VISIT_HEADERS
    expected = {**db_visits(engine, "zhytomyrska"), **db_visits(engine, "zviahelska")}
    assert {row[5] for row in rows[1:]} == set(expected) and len(rows) == 5
    assert rows[1][0] == START.strftime("%d.%m.%Y") + " 00:05"
    hyperlink = next(row for row in rows[1:] if row[3].endswith('HYPERLINK("x")'))
    assert hyperlink[3] == "'=HYPERLINK(\"x\")"          # neutralised for spreadsheets
    r = client.get("/api/v1/exports/services", headers=data["headers"]["koord"],
                   params={"community": ["zhytomyrska", "zviahelska"], **PERIOD})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8")[1:])))
    assert tuple(rows[0]) == SERVICE_HEADERS
    assert [(row[0], row[2], row[5]) for row in rows[1:]] == [
        ("Житомирська громада", "001.0", "1"), ("Житомирська громада", "002.0", "2"),
        ("Житомирська громада", "010.2", "1"), ("Житомирська громада", "", "1"),
        ("Звягельська громада", "019.0", "1")]


def test_every_export_is_audited_without_personal_data(client: AppClient, engine: Engine,
                                                        data: dict[str, Any]) -> None:
    for path in ("workbook", "visits"):
        r = client.get(f"/api/v1/exports/{path}", headers=data["headers"]["koord"],
                       params={"community": ["zhytomyrska", "zviahelska"], **PERIOD})
        assert r.status_code == 200
    with read_tx(engine) as conn:
        rows = conn.execute(text(
            "SELECT actor, community, detail, record_ids FROM audit_log "
            "WHERE action = 'export' ORDER BY id")).all()
    assert [(a, c) for a, c, _, _ in rows] == [("koord", "zhytomyrska"), ("koord", "zviahelska")
                                               ] * 2
    assert rows[0][2] == f"xlsx visits+services+cases {START}..{DAY} visits=3 cases=0"
    assert rows[3][2] == f"csv visits {START}..{DAY} visits=1"
    family_ids = {f["record_id"] for f in data["families"]}
    for _a, _c, detail, ids in rows:
        assert ids in ([], "[]") and not any(fid in detail for fid in family_ids)
        assert "HYPERLINK" not in detail


@pytest.mark.parametrize(("who", "communities", "status"), [
    ("olena", ["zhytomyrska"], 403),                      # a worker cannot export
    ("kerivnyk", ["zviahelska"], 403),                    # not their community
    ("kerivnyk", ["zhytomyrska", "zviahelska"], 403),     # one of them is not theirs
    ("kerivnyk", ["zhytomyrska"], 200),
    ("koord", ["zhytomyrska", "zviahelska"], 200),
])
def test_who_may_export(client: AppClient, engine: Engine, data: dict[str, Any], *, who: str,
                        communities: list[str], status: int) -> None:
    r = client.get("/api/v1/exports/workbook", headers=data["headers"][who],
                   params={"community": communities, **PERIOD})
    assert r.status_code == status
    with read_tx(engine) as conn:
        audited = conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'export'")
                               ).scalar_one()
        refused = conn.execute(text("SELECT count(*) FROM audit_log WHERE outcome = 'refused' "
                                    "AND detail LIKE '%exports/workbook%'")).scalar_one()
    assert (audited, refused) == ((len(communities), 0) if status == 200 else (0, 1))
    if status == 403:
        assert r.json()["code"] == "forbidden" and "PK" not in r.text


def test_bad_periods_are_refused(client: AppClient, data: dict[str, Any]) -> None:
    h = data["headers"]["koord"]
    r = client.get("/api/v1/exports/workbook", headers=h,
                   params={"community": "zhytomyrska", "start": "2026-03-02", "end": "2026-03-01"})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = client.get("/api/v1/exports/workbook", headers=h,
                   params={"community": "zhytomyrska", "start": "2020-01-01", "end": "2026-01-01"})
    assert r.status_code == 422
    r = client.get("/api/v1/exports/workbook", headers=h, params={"start": "2026-01-01",
                                                                  "end": "2026-01-02"})
    assert r.status_code == 422


def test_an_empty_period_gives_headers_only(client: AppClient, data: dict[str, Any]) -> None:
    r = client.get("/api/v1/exports/workbook", headers=data["headers"]["koord"],
                   params={"community": "pulynska", **PERIOD})
    wb = load_workbook(io.BytesIO(r.content))
    assert [len(list(ws.iter_rows())) for ws in wb][:2] == [1, 1]


def test_cases_of_the_period_with_stage_terms_and_closure(client: AppClient, engine: Engine,
                                                          data: dict[str, Any]) -> None:
    """«Випадки»: the cases that ran during the period (not those closed before it or
    requested after it, nor deleted ones), each with its stage from the reviews, the needs
    assessment's due day and whether it was met, and the closure — the CSV and the
    workbook's sheet alike, ids only, audited with the number of cases."""
    olena = Device(client, data["headers"]["olena"], "olena-phone-2")
    boss = Device(client, data["headers"]["kerivnyk"], "kerivnyk-pc")
    fams = [mutation("family", ZH, family_fields(f"Родина{i}"), olena.stamp())
            for i in range(5)]
    fid = [f["record_id"] for f in fams]

    def case(family: str, opened: date, **extra: Any) -> dict[str, Any]:
        return mutation("case", ZH, {"family_id": family, "opened_on": opened.isoformat(),
                                     **{k: v.isoformat() if isinstance(v, date) else v
                                        for k, v in extra.items()}}, olena.stamp())

    def act(of: dict[str, Any], done: date) -> dict[str, Any]:
        return mutation("assessment", ZH, {
            "case_id": of["record_id"], "family_id": of["fields"]["family_id"]["value"],
            "assessor": "olena", "started_on": (done - timedelta(days=1)).isoformat(),
            "completed_on": done.isoformat(), "difficult_circumstances": True,
            "decision": "support"}, olena.stamp())

    a_open = START - timedelta(days=10)
    supported = case(fid[0], a_open, support_start=a_open + timedelta(days=3),
                     planned_end=a_open + timedelta(days=150))
    before = case(fid[0], START - timedelta(days=60), closed_on=START - timedelta(days=30),
                  closure_reason="moved_away")
    late = case(fid[1], DAY - timedelta(days=3))
    closed = case(fid[1], START - timedelta(days=5), closed_on=START + timedelta(days=1),
                  closure_reason="goals_achieved", closure_result="achieved")
    after = case(fid[2], DAY + timedelta(days=2))
    waiting = case(fid[3], START)
    closing = case(fid[4], START + timedelta(days=1), closed_on=DAY - timedelta(days=1),
                   closure_reason="family_refused")
    gone = case(fid[2], START, closed_on=START, closure_reason="other", deleted=True)
    acts = [act(supported, a_open + timedelta(days=2)),
            act(late, DAY - timedelta(days=3) + timedelta(days=12))]
    r = olena.push([*fams, before, supported, closed, late, after, waiting, closing, gone,
                    *acts])
    assert {x["status"] for x in r.json()["results"]} == {"applied"}, r.text

    def review(target: dict[str, Any], kind: str) -> dict[str, Any]:
        return mutation("review", ZH, {
            "target_kind": kind, "target_id": target["record_id"], "decision": "approved",
            "reviewer": "kerivnyk",
            "reviewed_at": (datetime.now(KYIV) - timedelta(minutes=1)).isoformat()},
            boss.stamp())

    decisions = [review(acts[0], "assessment"), review(closed, "case"),
                 review(acts[1], "assessment")]
    assert {x["status"] for x in boss.push(decisions).json()["results"]} == {"applied"}
    # The late act is amended after its approval: it waits for a decision again.
    amend = mutation("assessment", ZH, {"conclusion": "Уточнено"}, olena.stamp(),
                     record_id=acts[1]["record_id"])
    assert olena.push([amend]).json()["results"][0]["status"] == "applied"

    r = client.get("/api/v1/exports/cases", headers=data["headers"]["kerivnyk"],
                   params={"community": "zhytomyrska", **PERIOD})
    assert r.status_code == 200, r.text
    assert f"poruch-zhytomyrska-{START}-{DAY}-cases.csv" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8")[1:])))
    assert tuple(rows[0]) == CASE_HEADERS
    got = {row[3]: row for row in rows[1:]}
    assert set(got) == {c["record_id"] for c in (supported, late, closed, waiting, closing)}
    assert r.headers["x-poruch-rows"] == "5"

    def d(day: date | None) -> str:
        return day.strftime("%d.%m.%Y") if day else ""

    def expect(c: dict[str, Any], stage: str, done: date | None, on_time: str, *,
               reason: str = "", result: str = "") -> list[str]:
        opened = date.fromisoformat(c["fields"]["opened_on"]["value"])
        values = {k: w["value"] for k, w in c["fields"].items()}
        dates = [d(date.fromisoformat(values[k])) if values.get(k) else ""
                 for k in ("support_start", "planned_end", "extended_end", "closed_on")]
        return ["Житомирська громада", "UA18040190000029215", values["family_id"],
                c["record_id"], "", stage, d(opened), d(assessment_due(opened)), d(done),
                on_time, *dates, reason, result]

    assert got[supported["record_id"]] == expect(
        supported, "Соціальний супровід", a_open + timedelta(days=2), "так")
    assert got[late["record_id"]] == expect(
        late, "Оцінювання потреб", DAY + timedelta(days=9), "ні")
    assert got[closed["record_id"]] == expect(
        closed, "Випадок закрито", None, "ні, ще не завершено",
        reason="складні життєві обставини подолано", result="мети досягнуто")
    assert got[waiting["record_id"]] == expect(waiting, "Звернення", None,
                                               "ні, ще не завершено")
    assert got[closing["record_id"]] == expect(
        closing, "Закриття чекає на затвердження", None, "ні, ще не завершено",
        reason="сім'я відмовилася від послуги")

    r = client.get("/api/v1/exports/workbook", headers=data["headers"]["kerivnyk"],
                   params={"community": "zhytomyrska", **PERIOD})
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Візити", "Послуги", "Випадки", "Параметри"]
    sheet = list(wb["Випадки"].iter_rows(values_only=True))
    assert sheet[0] == CASE_HEADERS
    by_id = {row[3]: row for row in sheet[1:]}
    assert set(by_id) == set(got)
    row = by_id[supported["record_id"]]
    assert row[6] == datetime.combine(a_open, datetime.min.time())     # a real date cell
    assert row[5] == "Соціальний супровід" and row[9] == "так"
    assert dict(wb["Параметри"].iter_rows(values_only=True))["Випадків"] == 5
    text_of_book = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True)
                            for v in row)
    assert "Родина" not in text_of_book
    with read_tx(engine) as conn:
        details = conn.execute(text("SELECT detail FROM audit_log WHERE action = 'export' "
                                    "ORDER BY id")).scalars().all()
    assert details == [f"csv cases {START}..{DAY} visits=3 cases=5",
                       f"xlsx visits+services+cases {START}..{DAY} visits=3 cases=5"]
