"""The operator's work calendar: read from ``PORUCH_WORK_CALENDAR`` at start, refused when
wrong, and answered to every signed-in device with its version as the ETag."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from shared_models.enums import Role
from shared_models.protocol import CALENDAR_PATH, CalendarAnswer
from shared_models.work_calendar import DEFAULT_CALENDAR, WorkCalendar
from sync_server.app import create_app
from sync_server.cli import main
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import (
    PROTO,
    ZH,
    Device,
    case_fields,
    family_fields,
    login,
    make_user,
    mutation,
)

#: Martial law over (holidays are days off again) and Monday 28.12.2026 declared a day off.
OPERATOR = {"holidays_off": [["1900-01-01", None]], "extra_days_off": ["2026-12-28"]}


def _file(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "calendar.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content),
                    encoding="utf-8")
    return path


def test_the_setting_loads_the_operators_calendar(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().calendar == DEFAULT_CALENDAR
    monkeypatch.setenv("PORUCH_WORK_CALENDAR", str(_file(tmp_path, OPERATOR)))
    cal = Settings().calendar
    assert not cal.is_working_day(date(2026, 12, 28))
    assert not cal.is_working_day(date(2026, 12, 25))  # Christmas is a day off again
    assert DEFAULT_CALENDAR.is_working_day(date(2026, 12, 25))


@pytest.mark.parametrize(("content", "problem"), [
    ('{"extra_days_off": ["2026-13-01"]}', "month must be in 1..12"),
    ('{"extra_day_off": ["2026-12-28"]}', "unknown keys ['extra_day_off']"),
    ('{"holidays_off": [["2026-02-01", "2026-01-01"]]}', "ends before it starts"),
    ("not json", "not a work calendar"),
])
def test_a_bad_calendar_file_stops_the_start_naming_the_problem(
        tmp_path: Path, content: str, problem: str) -> None:
    path = _file(tmp_path, content)
    with pytest.raises(ValidationError) as caught:
        Settings(work_calendar=path)
    message = str(caught.value)
    assert "PORUCH_WORK_CALENDAR" in message and str(path) in message and problem in message


def test_a_missing_calendar_file_is_a_configuration_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PORUCH_WORK_CALENDAR", str(tmp_path / "nowhere.json"))
    assert main(["calendar"]) == 2
    err = capsys.readouterr().err
    assert "configuration error" in err and "nowhere.json" in err


def test_the_calendar_command_lists_the_days_off(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", str(_file(tmp_path, OPERATOR)), "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "2026-12-28" in out and "2026-12-25" in out
    assert WorkCalendar.from_json(json.dumps(OPERATOR)).version in out
    assert main(["calendar", str(_file(tmp_path, "[]"))]) == 2


def test_devices_get_the_configured_calendar_and_an_unchanged_one_costs_nothing(
        engine: Engine, settings: Settings, tmp_path: Path) -> None:
    configured = settings.model_copy(update={"work_calendar": _file(tmp_path, OPERATOR)})
    configured.__dict__.pop("calendar", None)  # model_copy keeps the cached default
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    with AppClient(create_app(configured, engine=engine)) as client:
        assert client.get(CALENDAR_PATH, headers=PROTO).status_code == 401
        headers = login(client, "olena")
        r = client.get(CALENDAR_PATH, headers=headers)
        assert r.status_code == 200, r.text
        answer = CalendarAnswer.model_validate(r.json())
        assert answer.calendar() == WorkCalendar.from_json(json.dumps(OPERATOR))
        assert r.headers["ETag"] == f'"{answer.version}"'
        same = client.get(CALENDAR_PATH, headers={**headers, "If-None-Match": r.headers["ETag"]})
        assert same.status_code == 304 and same.content == b""
        old = client.get(CALENDAR_PATH, headers={**headers, "If-None-Match": '"0123"'})
        assert old.status_code == 200 and old.json()["version"] == answer.version


def test_the_case_export_counts_the_due_day_by_the_operators_calendar(
        engine: Engine, settings: Settings, tmp_path: Path) -> None:
    # Monday 30.11.2026 declared a day off (martial law goes on: holidays are worked).
    moved = {"holidays_off": [["1900-01-01", "2022-02-23"]], "extra_days_off": ["2026-11-30"]}
    configured = settings.model_copy(update={"work_calendar": _file(tmp_path, moved)})
    configured.__dict__.pop("calendar", None)
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    make_user(engine, settings, "kerivnyk", Role.SUPERVISOR, [ZH])
    requested = date(2026, 11, 27)  # a Friday; by the built-in calendar due Friday 4.12
    with AppClient(create_app(configured, engine=engine)) as client:
        dev = Device(client, login(client, "olena"), "m")
        fam = mutation("family", ZH, family_fields(), dev.stamp())
        case = mutation("case", ZH, case_fields(fam["record_id"], opened_on=str(requested)),
                        dev.stamp())
        assert {x["status"] for x in dev.push([fam, case]).json()["results"]} == {"applied"}
        r = client.get("/api/v1/exports/cases", headers=login(client, "kerivnyk"),
                       params={"community": ZH.value, "start": str(requested),
                               "end": str(requested)})
    assert r.status_code == 200, r.text
    [header, row] = list(csv.reader(io.StringIO(r.content.decode("utf-8")[1:])))
    # Without Monday 30.11 the 5th working day is Monday 7.12.
    assert row[header.index("Оцінити потреби до")] == "07.12.2026"
