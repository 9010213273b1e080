"""Last contact per device for the dashboard: who sees which devices, and cheap bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text, update

from shared_models.enums import Role
from shared_models.supervision import DEVICE_ACTIVITY_PATH, DeviceActivityList
from sync_server.accounts import DEVICES, LAST_SEEN_GRANULARITY
from sync_server.db import write_tx
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import AN, ZH, ZV, login, make_user


@pytest.fixture
def people(client: AppClient, engine: Engine, settings: Settings) -> dict[str, dict[str, str]]:
    for name, role, where in (("olena", Role.SOCIAL_WORKER, [ZH]),
                              ("petro", Role.SOCIAL_WORKER, [ZH, ZV]),
                              ("ivan", Role.SOCIAL_WORKER, [AN]),
                              ("kerivnyk", Role.SUPERVISOR, [ZH]),
                              ("koord", Role.COORDINATOR, [])):
        make_user(engine, settings, name, role, where)
    return {n: login(client, n, device=f"{n} phone") for n in
            ("olena", "petro", "ivan", "kerivnyk", "koord")}


def _set_seen(engine: Engine, user: str, when: datetime | None) -> None:
    with write_tx(engine) as conn:
        conn.execute(text("UPDATE device SET last_seen_at = :t WHERE user_id = "
                          "(SELECT id FROM app_user WHERE username = :u)"),
                     {"t": when, "u": user})


def activity(client: AppClient, headers: dict[str, str]) -> DeviceActivityList:
    r = client.get(DEVICE_ACTIVITY_PATH, headers=headers)
    assert r.status_code == 200, r.text
    return DeviceActivityList.model_validate(r.json())


def test_supervisors_see_their_communities_devices_longest_silent_first(
        client: AppClient, engine: Engine, people: dict[str, dict[str, str]]) -> None:
    now = datetime.now(UTC)
    _set_seen(engine, "olena", now - timedelta(days=4))
    _set_seen(engine, "petro", None)              # registered, never synced since
    got = activity(client, people["kerivnyk"])
    users = [d.user for d in got.devices]
    assert users[:2] == ["petro", "olena"]         # never seen, then 4 days silent
    assert set(users) == {"petro", "olena", "kerivnyk"}   # not ivan (andrushivska), not koord
    petro = next(d for d in got.devices if d.user == "petro")
    assert [c.value for c in petro.communities] == ["zhytomyrska", "zviahelska"]
    assert petro.last_seen_at is None and petro.name == "petro phone"
    olena = next(d for d in got.devices if d.user == "olena")
    assert olena.last_seen_at is not None
    assert abs((olena.last_seen_at - (now - timedelta(days=4))).total_seconds()) < 2
    everyone = {d.user for d in activity(client, people["koord"]).devices}
    assert everyone == {"olena", "petro", "ivan", "kerivnyk", "koord"}


def test_workers_may_not_look(client: AppClient, people: dict[str, dict[str, str]]) -> None:
    r = client.get(DEVICE_ACTIVITY_PATH, headers=people["olena"])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_revoked_devices_are_left_out(client: AppClient, engine: Engine,
                                      people: dict[str, dict[str, str]]) -> None:
    assert client.post("/api/v1/auth/logout", headers=people["olena"]).status_code == 204
    assert "olena" not in {d.user for d in activity(client, people["kerivnyk"]).devices}


def test_last_contact_is_refreshed_on_requests_but_not_written_every_time(
        client: AppClient, engine: Engine, people: dict[str, dict[str, str]]) -> None:
    old = datetime.now(UTC) - timedelta(days=2)
    _set_seen(engine, "olena", old)
    assert client.get("/api/v1/me", headers=people["olena"]).status_code == 200
    first = next(d for d in activity(client, people["kerivnyk"]).devices if d.user == "olena")
    assert first.last_seen_at is not None
    assert first.last_seen_at > datetime.now(UTC) - timedelta(minutes=1)
    # A value fresher than the granularity is left alone: no write per request.
    recent = datetime.now(UTC) - LAST_SEEN_GRANULARITY / 2
    with write_tx(engine) as conn:
        conn.execute(update(DEVICES).where(DEVICES.c.name == "olena phone")
                     .values(last_seen_at=recent))
    assert client.get("/api/v1/me", headers=people["olena"]).status_code == 200
    again = next(d for d in activity(client, people["kerivnyk"]).devices if d.user == "olena")
    assert again.last_seen_at is not None
    assert abs((again.last_seen_at - recent).total_seconds()) < 0.01
