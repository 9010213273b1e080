"""Edge values of every number, date and text a request carries: 422 naming the parameter.

Each of these answered 500 (or 503 on PostgreSQL) before the bounds were declared: a cursor
past 2^63 overflowed the feed's page read, an export in year 1 or 9999 overflowed its day
bounds, a NUL in a login or a free-form field is text PostgreSQL cannot store. Every test
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from shared_models.enums import Role
from shared_models.protocol import MAX_POSITION
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import (
    PASSWORD,
    PROTO,
    ZH,
    Device,
    family_fields,
    login,
    make_user,
    mutation,
)


@pytest.fixture
def koord(client: AppClient, engine: Engine, settings: Settings) -> dict[str, str]:
    make_user(engine, settings, "koord", Role.COORDINATOR)
    return login(client, "koord")


def refused(r: Any, *names: str) -> None:
    """A 422 in the error shape whose message names every one of ``names``."""
    assert r.status_code == 422, r.text
    body = r.json()
    assert set(body) == {"code", "message"} and body["code"] == "validation_error"
    for name in names:
        assert name in body["message"], body["message"]


@pytest.mark.parametrize("since", [
    f"zhytomyrska:{MAX_POSITION + 1}", "zhytomyrska:9223372036854775808",
    "zhytomyrska:" + "9" * 1000, "zhytomyrska:٣", "zhytomyrska:²"])
def test_cursors_past_the_largest_position_are_refused(client: AppClient, koord: dict[str, str],
                                                       since: str) -> None:
    refused(client.get("/api/v1/sync/pull", headers=koord, params={"since": since}), "since")


def test_the_largest_position_is_a_cursor(client: AppClient, koord: dict[str, str]) -> None:
    r = client.get("/api/v1/sync/pull", headers=koord,
                   params={"since": f"zhytomyrska:{MAX_POSITION}"})
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == []


@pytest.mark.parametrize("limit", ["0", "-1", "1001", str(2**63), "9" * 400, "1.5", "NaN"])
def test_limits_out_of_range_are_refused(client: AppClient, koord: dict[str, str],
                                         limit: str) -> None:
    refused(client.get("/api/v1/sync/pull", headers=koord, params={"limit": limit}), "limit")


@pytest.mark.parametrize(("start", "end", "named"), [
    ("0001-01-01", "0001-01-02", "start"), ("9999-12-30", "9999-12-31", "end"),
    ("0001-01-01", "9999-12-31", "start"), ("1899-12-31", "1900-01-01", "start"),
    ("2026-01-01", "10000-01-01", "end")])
def test_export_dates_out_of_range_are_refused(client: AppClient, koord: dict[str, str],
                                               start: str, end: str, named: str) -> None:
    for path in ("visits", "services", "workbook"):
        r = client.get(f"/api/v1/exports/{path}", headers=koord,
                       params={"community": "zhytomyrska", "start": start, "end": end})
        refused(r, named)


@pytest.mark.parametrize("field", ["username", "password", "device_name"])
def test_login_text_with_nul_is_refused(client: AppClient, engine: Engine, settings: Settings,
                                        field: str) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    body = {"username": "olena", "password": PASSWORD, "device_name": "phone"}
    body[field] += "\x00x"
    refused(client.post("/api/v1/auth/login", headers=PROTO, json=body), field)


@pytest.mark.parametrize(("field", "value"), [
    ("assigned_worker", "olena\x00"), ("family_name", "Ко\x00валенко"),
    ("next_visit_date", "9999-12-31"), ("next_visit_date", "0001-01-01"),
    ("consent_date", "0001-01-01")])
def test_pushed_edge_values_are_refused_per_mutation(client: AppClient, engine: Engine,
                                                     settings: Settings, field: str,
                                                     value: str) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    dev = Device(client, login(client, "olena"), "olena-phone")
    extra = {"consent_by": "Коваленко Марія"} if field == "consent_date" else {}
    bad = mutation("family", ZH, family_fields(**{field: value, **extra}), dev.stamp())
    good = mutation("family", ZH, family_fields("Шевчук"), dev.stamp())
    r = dev.push([bad, good])
    assert r.status_code == 200, r.text
    first, second = r.json()["results"]
    assert (first["status"], first["code"], second["status"]) == (
        "rejected", "validation_error", "applied"), r.text
    assert field in first["reason"]
    assert [c["record_id"] for c in dev.pull_all()] == [good["record_id"]]
