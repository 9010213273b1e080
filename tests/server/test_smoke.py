"""The basic round trip on both backends: login, push, pull."""

from __future__ import annotations

from sqlalchemy import Engine

from shared_models.enums import Role
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import ZH, Device, family_fields, login, make_user, mutation


def test_push_then_pull(client: AppClient, engine: Engine, settings: Settings) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    dev = Device(client, login(client, "olena"), "dev1")
    m = mutation("family", ZH, family_fields(), dev.stamp())
    r = dev.push([m])
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] == "applied"
    changes = dev.pull_all()
    assert [c["record_id"] for c in changes] == [m["record_id"]]
    assert changes[0]["values"]["family_name"] == "Коваленко"
    assert changes[0]["author"] == "olena" and "authors" not in changes[0]
