"""A revoked device reports what it lost by wiping: once, counts only, seen by the administrator.

The revoked token may make exactly this one call, once; every other route still answers it
401 ``device_revoked``. Runs on SQLite and PostgreSQL (the ``client`` fixture).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, select, text

from shared_models.enums import Role
from shared_models.revocation import LOST_WORK_PATH
from shared_models.supervision import DEVICE_ACTIVITY_PATH, DeviceActivityList
from sync_server import accounts
from sync_server.accounts import DEVICES
from sync_server.cli import main
from sync_server.db import write_tx
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import AN, PROTO, ZH, login, make_user

REPORT = {"outbox": {"visit": 3, "family": 1, "note": 2}, "drafts": 1}


@pytest.fixture
def people(client: AppClient, engine: Engine, settings: Settings) -> dict[str, dict[str, str]]:
    for name, role, where in (("olena", Role.SOCIAL_WORKER, [ZH]),
                              ("ivan", Role.SOCIAL_WORKER, [AN]),
                              ("kerivnyk", Role.SUPERVISOR, [ZH]),
                              ("an.kerivnyk", Role.SUPERVISOR, [AN]),
                              ("koord", Role.COORDINATOR, []),
                              ("admin", Role.ADMIN, [])):
        make_user(engine, settings, name, role, where)
    return {n: login(client, n, device=f"{n} phone") for n in
            ("olena", "ivan", "kerivnyk", "an.kerivnyk", "koord", "admin")}


def device_id(client: AppClient, headers: dict[str, str]) -> uuid.UUID:
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 200, r.text
    return uuid.UUID(r.json()["device_id"])


def revoke(engine: Engine, device: uuid.UUID) -> None:
    with write_tx(engine) as conn:
        assert accounts.revoke_device(conn, device_id=device)


def stored(engine: Engine, device: uuid.UUID) -> tuple[object, object]:
    """The device row's report columns, typed (JSON as a dict on both backends)."""
    with engine.begin() as conn:
        row = conn.execute(select(DEVICES.c.lost_reported_at, DEVICES.c.lost_work)
                           .where(DEVICES.c.id == device)).one()
    return row[0], row[1]


def audit(engine: Engine, action: str) -> list[tuple[object, ...]]:
    with engine.begin() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT outcome, actor, detail FROM audit_log WHERE action = :a ORDER BY id"),
            {"a": action}).all()]


def activity(client: AppClient, headers: dict[str, str]) -> DeviceActivityList:
    r = client.get(DEVICE_ACTIVITY_PATH, headers=headers)
    assert r.status_code == 200, r.text
    return DeviceActivityList.model_validate(r.json())


def test_a_revoked_device_reports_once_and_the_administrator_sees_the_counts(
        client: AppClient, engine: Engine, people: dict[str, dict[str, str]]) -> None:
    olena = people["olena"]
    dev = device_id(client, olena)
    revoke(engine, dev)
    assert client.get("/api/v1/me", headers=olena).json()["code"] == "device_revoked"
    r = client.post(LOST_WORK_PATH, headers=olena, json=REPORT)
    assert r.status_code == 204, r.text
    at, lost = stored(engine, dev)
    assert at is not None
    assert lost == REPORT
    # Once: a second report (even with other counts) is refused and changes nothing.
    # Its own code, so a phone that crashed between its report and its wipe and asks again
    # learns that the administrator was told.
    again = client.post(LOST_WORK_PATH, headers=olena, json={"outbox": {}, "drafts": 0})
    assert again.status_code == 403
    assert again.json()["code"] == "lost_work_already_reported"
    assert stored(engine, dev)[1] == lost
    assert [(o, a) for o, a, _ in audit(engine, "lost_work_report")] == [("ok", "olena")]
    assert audit(engine, "lost_work_report")[0][2] == (
        "changes=6 drafts=1 family=1 note=2 visit=3")
    assert any(LOST_WORK_PATH in str(d) and "403 lost_work_already_reported" in str(d)
               for _, _, d in audit(engine, "refused"))
    # The supervisor of her community, the coordinator and the admin see it; not another
    # community's supervisor; a worker may not look.
    for who in ("kerivnyk", "koord", "admin"):
        got = activity(client, people[who])
        assert "olena" not in {d.user for d in got.devices}
        (rev,) = [d for d in got.revoked if d.user == "olena"]
        assert rev.device_id == dev and rev.revoked_at is not None and rev.account_active
        assert rev.lost is not None and rev.lost_reported_at is not None
        assert rev.lost.changes == 6 and rev.lost.drafts == 1
        assert {k.value: n for k, n in rev.lost.outbox.items()} == REPORT["outbox"]
    assert activity(client, people["an.kerivnyk"]).revoked == []
    r = client.get(DEVICE_ACTIVITY_PATH, headers=people["ivan"])
    assert r.status_code == 403


def test_a_revoked_token_can_do_nothing_else(client: AppClient, engine: Engine,
                                             people: dict[str, dict[str, str]]) -> None:
    olena = people["olena"]
    revoke(engine, device_id(client, olena))
    calls = [("GET", "/api/v1/me", None), ("GET", "/api/v1/sync/pull", None),
             ("POST", "/api/v1/sync/push", {"mutations": []}),
             ("POST", "/api/v1/auth/logout", {}), ("GET", DEVICE_ACTIVITY_PATH, None),
             ("GET", "/api/v1/admin/devices", None)]
    for when in ("before", "after"):
        for method, path, body in calls:
            r = client.request(method, path, headers=olena, json=body)
            assert r.status_code == 401 and r.json()["code"] == "device_revoked", (
                when, path, r.text)
        if when == "before":
            assert client.post(LOST_WORK_PATH, headers=olena, json=REPORT).status_code == 204


def test_a_live_device_or_a_stranger_cannot_report(client: AppClient, engine: Engine,
                                                   people: dict[str, dict[str, str]]) -> None:
    olena = people["olena"]
    r = client.post(LOST_WORK_PATH, headers=olena, json=REPORT)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert stored(engine, device_id(client, olena)) == (None, None)
    for headers in (dict(PROTO), {**PROTO, "Authorization": "Bearer not-a-token"}):
        r = client.post(LOST_WORK_PATH, headers=headers, json=REPORT)
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("body", [
    {"outbox": {"Коваленко": 1}, "drafts": 0},            # only record kinds: no names
    {"outbox": {"visit": -1}, "drafts": 0},
    {"outbox": {"visit": 1}, "drafts": 10_000_001},
    {"outbox": {}, "drafts": 0, "family_name": "Коваленко"},   # nothing but the counts
    {"outbox": {"visit": "many"}, "drafts": 0},
])
def test_anything_but_counts_is_refused_and_the_report_stays_possible(
        client: AppClient, engine: Engine, people: dict[str, dict[str, str]],
        body: dict[str, object]) -> None:
    olena = people["olena"]
    dev = device_id(client, olena)
    revoke(engine, dev)
    r = client.post(LOST_WORK_PATH, headers=olena, json=body)
    assert r.status_code == 422 and set(r.json()) >= {"code", "message"}
    assert stored(engine, dev) == (None, None)
    assert client.post(LOST_WORK_PATH, headers=olena, json=REPORT).status_code == 204


def test_a_deactivated_accounts_device_reports_and_unreported_ones_show(
        client: AppClient, engine: Engine, settings: Settings,
        people: dict[str, dict[str, str]], *, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with write_tx(engine) as conn:
        accounts.set_active(conn, user_id=accounts.user_id_of(conn, "ivan"), active=False)
    ivan = people["ivan"]
    assert client.post(LOST_WORK_PATH, headers=ivan,
                       json={"outbox": {}, "drafts": 2}).status_code == 204
    olena_dev = device_id(client, people["olena"])
    revoke(engine, olena_dev)   # revoked, never reported (offline, or not called since)
    got = {d.user: d for d in activity(client, people["koord"]).revoked}
    assert got["ivan"].revoked_at is None and not got["ivan"].account_active
    assert got["ivan"].lost is not None and got["ivan"].lost.drafts == 2
    assert got["olena"].lost is None and got["olena"].lost_reported_at is None
    # The administrator's CLI says the same.
    monkeypatch.setenv("PORUCH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORUCH_SECRET_KEY", settings.secret_key.get_secret_value())
    assert main(["list-devices", "--revoked"]) == 0
    out = capsys.readouterr().out.splitlines()
    (iv,) = [line for line in out if " ivan " in line]
    (ol,) = [line for line in out if " olena " in line]
    assert "account deactivated" in iv and "0 unsent changes, 2 drafts" in iv
    assert str(olena_dev) in ol and "revoked " in ol and "lost work: not reported" in ol
    assert not any(" koord " in line for line in out)       # --revoked: live ones left out
    assert main(["list-devices"]) == 0
    out = capsys.readouterr().out
    assert " koord " in out and "active" in out
    olena_lost = [line for line in out.splitlines() if " olena " in line]
    assert olena_lost and "not reported" in olena_lost[0]


ODD_BODIES: list[tuple[bytes, int]] = [
    (b"not json", 422),
    (b"[]", 422),
    (b"null", 422),
    (b'"outbox"', 422),
    (b'{"outbox": [], "drafts": 0}', 422),
    (b'{"outbox": {"visit": 1.5}, "drafts": 0}', 422),
    (b'{"outbox": {"visit": 1e400}, "drafts": 0}', 422),
    (b'{"outbox": {"visit": 99999999999999999999999999}, "drafts": 0}', 422),
    (rb'{"outbox": {"visit\u0000": 1}, "drafts": 0}', 422),
    (rb'{"outbox": {"\ud800": 1}, "drafts": 0}', 422),
    (b'{"outbox": {}, "drafts": 0, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400),
    # Bigger than any report: refused before it is parsed.
    (b'{"outbox": {}, "drafts": 0, "pad": "' + b"a" * (8 * 1024 * 1024 + 1) + b'"}', 413),
]


def test_an_odd_or_oversized_body_is_a_clear_4xx_and_nothing_is_kept(
        client: AppClient, engine: Engine, people: dict[str, dict[str, str]]) -> None:
    olena = people["olena"]
    dev = device_id(client, olena)
    revoke(engine, dev)
    for body, status in ODD_BODIES:
        r = client.post(LOST_WORK_PATH, headers={**olena, "Content-Type": "application/json"},
                        content=body)
        assert r.status_code == status, (body[:60], r.text[:300])
        assert set(r.json()) == {"code", "message"}
        assert stored(engine, dev) == (None, None)
    assert client.post(LOST_WORK_PATH, headers=olena, json=REPORT).status_code == 204


def test_a_live_device_is_refused_with_the_general_code_not_the_already_reported_one(
        client: AppClient, engine: Engine, people: dict[str, dict[str, str]]) -> None:
    """Only a revoked device's second report says ``lost_work_already_reported``: the
    phone takes that code as "the administrator was told", so nothing else may send it."""
    olena = people["olena"]
    for _ in range(2):
        r = client.post(LOST_WORK_PATH, headers=olena, json=REPORT)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
