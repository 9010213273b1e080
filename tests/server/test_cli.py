"""``python -m sync_server`` commands, run in-process against a SQLite file."""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from sync_server.cli import main
from sync_server.db import make_engine
from sync_server.migrate import upgrade as upgrade_db
from tests.server.conftest import SECRET
from tools.live_server import ROOT


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PORUCH_DATABASE_URL", url)
    monkeypatch.setenv("PORUCH_SECRET_KEY", SECRET)
    return url


def rows(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params).all()]
    finally:
        engine.dispose()


def test_create_user_reads_password_from_stdin(db: str, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create-user", "olena", "--role", "social_worker", "--community",
                 "zhytomyrska", "malynska"]) == 2  # no --password-stdin: refused
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert main(["create-user", "olena", "--role", "social_worker", "--community",
                 "zhytomyrska", "malynska", "--password-stdin"]) == 0
    [(role, pw)] = rows(db, "SELECT role, password_hash FROM app_user")
    assert role == "social_worker" and str(pw).startswith("$argon2id$")
    assert "m=19456" in str(pw) and "t=2" in str(pw)
    assert sorted(rows(db, "SELECT community FROM user_community")) == [
        ("malynska",), ("zhytomyrska",)]
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert main(["create-user", "olena", "--role", "admin", "--password-stdin"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_seed_demo_export_and_revoke(db: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed-demo", "--families", "1"]) == 0
    out = capsys.readouterr().out
    assert "koordynator" in out and "zhytomyrska.kerivnyk" in out
    assert len(rows(db, "SELECT id FROM app_user")) == 2 + 11 * 3
    kinds = dict(rows(db, "SELECT kind, count(*) FROM record GROUP BY kind"))
    assert kinds["family"] == 22 and kinds["review"] == 11 and kinds["visit"] >= 11
    assert kinds["placement"] == 11         # one foster family with a child placed, each
    assert main(["seed-demo"]) == 1  # refuses to seed twice...
    assert main(["seed-demo", "--if-empty"]) == 0  # ...unless told that is fine
    assert main(["export", "--community", "zhytomyrska", "--from", "2020-01-01",
                 "--to", "2030-12-31", "--out", str(tmp_path / "x")]) == 2   # over 3 years
    for start, end in (("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")):
        # Outside the dates any request may carry (an overflow traceback before).
        assert main(["export", "--community", "zhytomyrska", "--start", start, "--end", end,
                     "--out", str(tmp_path / "x")]) == 2
        assert "start:" in capsys.readouterr().err
    # Seeded visits lie in the last few months; the period ends tomorrow (Kyiv is ahead).
    start, end = (date.today() - timedelta(days=365)).isoformat(), (
        date.today() + timedelta(days=1)).isoformat()
    assert main(["export", "--community", "zhytomyrska", "--start", start,
                 "--end", end, "--out", str(tmp_path / "x")]) == 0
    stem = f"poruch-zhytomyrska-{start}-{end}"
    visits = (tmp_path / "x" / f"{stem}-visits.csv").read_text(encoding="utf-8")
    assert visits.startswith("\ufeffДата і час візиту,Громада")
    services = (tmp_path / "x" / f"{stem}-services.csv").read_text(encoding="utf-8")
    assert "Кількість візитів" in services
    seeded = rows(db, "SELECT count(*) FROM visit WHERE community = 'zhytomyrska' AND NOT deleted"
                      " AND visited_at >= :start", start=start)[0][0]
    assert visits.count("Житомирська громада") == seeded
    assert main(["export", "--format", "xlsx", "--community", "all", "--start", start,
                 "--end", end, "--out", str(tmp_path / "all.xlsx")]) == 0
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "all.xlsx")
    assert len(list(book["Візити"].iter_rows())) - 1 == rows(
        db, "SELECT count(*) FROM visit WHERE NOT deleted AND visited_at >= :s", s=start)[0][0]
    assert main(["export", "--format", "csv", "--community", "malynska", "pulynska",
                 "--start", start, "--end", end, "--out", str(tmp_path / "two.csv")]) == 0
    assert (tmp_path / "two.csv").is_file() and (tmp_path / "two-services.csv").is_file()
    cases = (tmp_path / "x" / f"{stem}-cases.csv").read_text(encoding="utf-8")
    assert cases.startswith("\ufeffГромада,КАТОТТГ,Ідентифікатор сім'ї,Ідентифікатор випадку")
    assert (tmp_path / "two-cases.csv").is_file()
    audit = rows(db, "SELECT actor, community, detail FROM audit_log WHERE action = 'export' "
                     "ORDER BY id")
    assert len(audit) == 1 + 11 + 2 and all(str(a).startswith("cli:") for a, _, _ in audit)
    seeded_cases = len(cases.splitlines()) - 1
    assert audit[0][1:] == ("zhytomyrska", f"csv visits+services+cases {start}..{end} "
                                           f"visits={seeded} cases={seeded_cases}")
    rows(db, "SELECT 1")
    assert main(["revoke-device", "00000000-0000-4000-8000-000000000001"]) == 1
    assert main(["set-communities", "zhytomyrska.fakhivets1", "--community", "malynska"]) == 0
    assert rows(db, "SELECT community FROM user_community uc JOIN app_user u "
                    "ON u.id = uc.user_id WHERE u.username = 'zhytomyrska.fakhivets1'") == [
        ("malynska",)]
    assert main(["set-role", "zhytomyrska.fakhivets1", "--role", "supervisor"]) == 0
    assert rows(db, "SELECT role FROM app_user WHERE username = 'zhytomyrska.fakhivets1'") == [
        ("supervisor",)]
    assert rows(db, "SELECT actor LIKE 'cli:%', detail FROM audit_log WHERE action = 'set_role'"
                ) == [(True, "zhytomyrska.fakhivets1 role=supervisor")]
    assert main(["set-role", "nobody", "--role", "admin"]) == 1


def test_module_entry_point_prints_help() -> None:
    r = subprocess.run([sys.executable, "-m", "sync_server", "--help"], cwd=ROOT,
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0
    for cmd in ("serve", "create-user", "set-role", "revoke-device", "seed-demo", "export"):
        assert cmd in r.stdout


def test_every_command_is_documented() -> None:
    from sync_server.cli import build_parser

    docs = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command in sub.choices:
        assert f"| `{command}" in docs, f"{command} is not in docs/server.md"


def test_deactivated_user_devices_are_told_to_wipe(db: str) -> None:
    from sync_server.app import create_app
    from sync_server.settings import Settings
    from tests.server.appclient import AppClient
    from tests.server.helpers import PASSWORD, PROTO

    engine = make_engine(db)
    upgrade_db(db)
    from shared_models.enums import Role
    from tests.server.helpers import make_user

    settings = Settings(database_url=db, secret_key=SECRET)
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [])
    with AppClient(create_app(settings, engine=engine)) as client:
        r = client.post("/api/v1/auth/login", headers=PROTO, json={
            "username": "olena", "password": PASSWORD, "device_name": "p"})
        headers = {**PROTO, "Authorization": f"Bearer {r.json()['token']}"}
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert main(["deactivate-user", "olena"]) == 0
        r = client.get("/api/v1/me", headers=headers)
        assert r.status_code == 401 and r.json()["code"] == "device_revoked"
        r = client.post("/api/v1/auth/login", headers=PROTO, json={
            "username": "olena", "password": PASSWORD, "device_name": "p"})
        assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
    engine.dispose()


def test_production_without_a_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PORUCH_ENV", "production")
    monkeypatch.delenv("PORUCH_SECRET_KEY", raising=False)
    assert main(["migrate"]) == 2
    assert "PORUCH_SECRET_KEY" in capsys.readouterr().err
