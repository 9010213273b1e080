"""Login, tokens, revocation, rate limits, scope changes and the protocol header."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, text

from shared_models.enums import Role
from shared_models.protocol import encode_cursors
from sync_server import accounts
from sync_server.db import read_tx, write_tx
from sync_server.settings import Settings
from sync_server.tables import DeviceRow
from tests.server.appclient import AppClient
from tests.server.helpers import (
    PASSWORD,
    PROTO,
    ZH,
    ZV,
    Device,
    family_fields,
    login,
    make_user,
    mutation,
)


def post_login(client: AppClient, username: str, password: str) -> object:
    return client.post("/api/v1/auth/login", headers=PROTO,
                       json={"username": username, "password": password,
                             "device_name": "phone"})


def test_login_returns_scope_and_stores_only_token_hash(client: AppClient, engine: Engine,
                                                        settings: Settings) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH, ZV])
    r = post_login(client, "olena", PASSWORD)
    body = r.json()  # type: ignore[attr-defined]
    assert body["user"] == "olena" and body["role"] == "social_worker"
    assert body["communities"] == ["zhytomyrska", "zviahelska"]
    assert len(body["token"]) >= 43  # 256 bits, base64url
    with read_tx(engine) as conn:
        stored = conn.execute(select(DeviceRow.__table__.c.token_hash)).scalar_one()  # type: ignore[attr-defined]
        dump = str(conn.execute(text("SELECT * FROM device")).all())
    assert stored == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in dump
    me = client.get("/api/v1/me", headers={**PROTO, "Authorization": f"Bearer {body['token']}"})
    assert me.json()["device_id"] == body["device_id"]


def test_unknown_user_and_wrong_password_answer_the_same(client: AppClient, engine: Engine,
                                                         settings: Settings) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    wrong = post_login(client, "olena", "nope")
    unknown = post_login(client, "nobody", "nope")
    assert wrong.status_code == unknown.status_code == 401  # type: ignore[attr-defined]
    assert wrong.json() == unknown.json()  # type: ignore[attr-defined]
    assert wrong.json()["code"] == "bad_credentials"  # type: ignore[attr-defined]


def test_login_rate_limited_per_account(client: AppClient, engine: Engine,
                                        settings: Settings) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    for _ in range(settings.login_max_failures_per_account):
        assert post_login(client, "olena", "nope").status_code == 401  # type: ignore[attr-defined]
    r = post_login(client, "olena", PASSWORD)  # even the right password waits now
    assert r.status_code == 429  # type: ignore[attr-defined]
    assert int(r.headers["Retry-After"]) > 0  # type: ignore[attr-defined]
    assert r.json()["code"] == "rate_limited"  # type: ignore[attr-defined]
    with read_tx(engine) as conn:
        outcomes = conn.execute(text("SELECT outcome FROM audit_log WHERE action = 'login'")
                                ).scalars().all()
    assert outcomes.count("failed") == 5 and "rate_limited" in outcomes


def test_login_rate_limited_per_address(client: AppClient, engine: Engine,
                                        settings: Settings) -> None:
    # Different usernames from one address: the address limit stops the spray.
    for i in range(settings.login_max_failures_per_address):
        post_login(client, f"user{i}", "nope")
    r = post_login(client, "someone-else", "nope")
    assert r.status_code == 429  # type: ignore[attr-defined]


def test_revoked_device_is_told_to_wipe(client: AppClient, engine: Engine,
                                        settings: Settings) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    headers = login(client, "olena")
    device_id = client.get("/api/v1/me", headers=headers).json()["device_id"]
    with write_tx(engine) as conn:
        assert accounts.revoke_device(conn, device_id=uuid.UUID(device_id))
    for path in ("/api/v1/me", "/api/v1/sync/pull"):
        r = client.get(path, headers=headers)
        assert r.status_code == 401 and r.json()["code"] == "device_revoked"
    other = login(client, "olena")  # a new login gets a new, working device
    assert client.get("/api/v1/me", headers=other).status_code == 200


def test_a_token_unused_for_too_long_expires_without_wiping(
        client: AppClient, engine: Engine, settings: Settings) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    headers = login(client, "olena")
    device_id = client.get("/api/v1/me", headers=headers).json()["device_id"]
    devices = DeviceRow.__table__  # type: ignore[attr-defined]

    def last_seen(days_ago: float) -> None:
        with write_tx(engine) as conn:
            conn.execute(devices.update().where(devices.c.id == uuid.UUID(device_id))
                         .values(last_seen_at=datetime.now(UTC) - timedelta(days=days_ago)))

    last_seen(settings.token_idle_days - 1)      # used within the limit: still good
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    last_seen(settings.token_idle_days + 1)      # a phone forgotten in a drawer
    r = client.get("/api/v1/me", headers=headers)
    # Not "revoked": the app asks the worker to sign in again and keeps unsent changes.
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    assert "увійдіть знову" in r.json()["message"]
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # it stays expired
    with read_tx(engine) as conn:
        refused = conn.execute(text(
            "SELECT count(*) FROM audit_log WHERE outcome = 'refused'")).scalar_one()
    assert refused >= 2
    assert client.get("/api/v1/me", headers=login(client, "olena")).status_code == 200


def test_logout_revokes_this_device_only(client: AppClient, engine: Engine,
                                         settings: Settings) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    a, b = login(client, "olena"), login(client, "olena")
    assert client.post("/api/v1/auth/logout", headers=a).status_code == 204
    assert client.get("/api/v1/me", headers=a).json()["code"] == "device_revoked"
    assert client.get("/api/v1/me", headers=b).status_code == 200


def test_bad_or_missing_token(client: AppClient) -> None:
    for headers in (PROTO, {**PROTO, "Authorization": "Bearer nope"},
                    {**PROTO, "Authorization": "Basic abc"}):
        r = client.get("/api/v1/me", headers=headers)
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_protocol_header_checked(client: AppClient) -> None:
    missing = client.get("/api/v1/me")
    assert missing.status_code == 400 and missing.json()["code"] == "unsupported_protocol"
    old = client.get("/api/v1/me", headers={"X-Poruch-Protocol": "0"})
    assert old.status_code == 426 and "оновіть застосунок" in old.json()["message"]
    assert client.get("/health").status_code == 200  # not an API route: no header needed


def test_lost_community_is_purged(client: AppClient, engine: Engine,
                                  settings: Settings) -> None:
    uid = make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH, ZV])
    dev = Device(client, login(client, "olena"), "p")
    dev.push([mutation("family", ZV, family_fields(), dev.stamp())])
    dev.pull_all()
    assert dev.cursors["zviahelska"] == 1
    with write_tx(engine) as conn:
        accounts.set_communities(conn, user_id=uid, communities=[ZH])
    r = client.get("/api/v1/sync/pull", headers=dev.headers,
                   params={"since": encode_cursors(dev.cursors)}).json()
    assert r["purge"] == ["zviahelska"] and "zviahelska" not in r["cursors"]
    # Answer lost: the device asks again with its old cursors and is told again.
    r = client.get("/api/v1/sync/pull", headers=dev.headers,
                   params={"since": encode_cursors(dev.cursors)}).json()
    assert r["purge"] == ["zviahelska"]
    # After purging, the device drops the cursor: no more notices.
    r = client.get("/api/v1/sync/pull", headers=dev.headers,
                   params={"since": encode_cursors({"zhytomyrska": 0})}).json()
    assert r["purge"] == []
    # And it can no longer write there.
    res = dev.push([mutation("family", ZV, family_fields(), dev.stamp())]).json()
    assert res["results"][0]["code"] == "forbidden"
