"""Two real server instances on loopback sharing one PostgreSQL: devices converge."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from shared_models.enums import Role
from sync_server.db import make_engine
from sync_server.settings import Settings
from tests.server.conftest import SECRET, reset_postgres
from tests.server.helpers import (
    PASSWORD,
    PROTO,
    ZH,
    Device,
    family_fields,
    fields_of,
    make_user,
    mutation,
)
from tests.server.liveserver import live_server

pytestmark = pytest.mark.postgres


def connect(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    r = client.post("/api/v1/auth/login", headers=PROTO,
                    json={"username": username, "password": PASSWORD, "device_name": "phone"})
    assert r.status_code == 200, r.text
    client.headers.update({**PROTO, "Authorization": f"Bearer {r.json()['token']}"})
    return client


def test_devices_on_two_instances_converge(pg_database: str) -> None:
    engine = make_engine(pg_database, pool_size=2)
    reset_postgres(engine)
    settings = Settings(database_url=pg_database, secret_key=SECRET)
    for name in ("olena", "petro"):
        make_user(engine, settings, name, Role.SOCIAL_WORKER, [ZH])
    engine.dispose()
    with live_server(pg_database, "one", secret=SECRET) as one, \
            live_server(pg_database, "two", secret=SECRET) as two:
        # Each device pushes to one instance and pulls from the other.
        a_push, a_pull = connect(one, "olena"), connect(two, "olena")
        b_push, b_pull = connect(two, "petro"), connect(one, "petro")
        a = Device(a_push, {}, "olena-phone")
        b = Device(b_push, {}, "petro-phone")
        shared = [mutation("family", ZH, family_fields(f"Сім'я {i}"), a.stamp())
                  for i in range(10)]
        assert a.push(shared).status_code == 200
        rng = random.Random(7)
        for round_ in range(5):
            for dev in (a, b):
                batch = [mutation("family", ZH, {"address": f"{dev.clock.node} {round_}"},
                                  dev.stamp(), record_id=rng.choice(shared)["record_id"])
                         for _ in range(4)]
                batch.append(mutation("family", ZH, family_fields(), dev.stamp()))
                r = dev.push(batch)
                assert r.status_code == 200, r.text
                assert {x["status"] for x in r.json()["results"]} <= {"applied", "conflict"}
        a_view = Device(a_pull, {}, "x")
        b_view = Device(b_pull, {}, "y")
        a_view.pull_all(limit=7)
        b_view.pull_all(limit=7)
        # Families are the same everywhere; a conflict reaches only the workers who wrote a
        # side of it (each view holds exactly those of its own user's).
        def authors(c: dict[str, Any]) -> set[str]:
            return {c["values"]["winner_author"], c["values"]["loser_author"]}

        every = {**a_view.seen, **b_view.seen}
        for view, name in ((a_view, "olena"), (b_view, "petro")):
            assert {rid for rid, c in every.items()
                    if c["kind"] != "conflict" or name in authors(c)} == view.seen.keys()
        assert len([c for c in a_view.seen.values() if c["kind"] == "family"]) == 20
        for rid in a_view.seen.keys() & b_view.seen.keys():
            assert a_view.seen[rid] == b_view.seen[rid], rid
        # Both instances' clocks took part: server clocks name their instance.
        nodes = {f["clock"].rsplit("-", 1)[-1] for c in a_view.seen.values()
                 if c["kind"] == "conflict" for f in fields_of(c).values()}
        assert nodes <= {"one", "two"}
        for c in (a_push, a_pull, b_push, b_pull):
            c.close()
