"""Compressed request bodies: a gzip push is applied like a plain one; bombs, damage refused.

The body limit holds for the bytes on the wire *and* for the inflated bytes, so a few
kilobytes that inflate to gigabytes are answered 413 (having used at most the limit in
memory); a damaged or cut-short stream is 400, another encoding 415 — every time in the one
error shape, and nothing is written.
"""

from __future__ import annotations

import gzip
import json
import time
import zlib

import pytest
from sqlalchemy import Engine, func, select

from shared_models.enums import Role
from sync_server.app import create_app
from sync_server.middleware import BodyTooLarge, DamagedBody, inflate
from sync_server.settings import Settings
from sync_server.tables import RecordRow
from tests.server.appclient import AppClient
from tests.server.helpers import ZH, Device, family_fields, login, make_user, mutation
from tests.server.test_errors_settings import assert_error

PUSH = "/api/v1/sync/push"


def records(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(RecordRow.__table__)).scalar_one())  # type: ignore[attr-defined]


@pytest.fixture
def device(client: AppClient, engine: Engine, settings: Settings) -> Device:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    return Device(client, login(client, "olena"), "olena-phone")


def body(device: Device, n: int = 3) -> bytes:
    muts = [mutation("family", ZH, family_fields(f"Родина {i}"), device.stamp()) for i in range(n)]
    return json.dumps({"device_clock": device.stamp(), "mutations": muts}).encode()


def post(device: Device, content: bytes, encoding: str | None = "gzip",
         client: AppClient | None = None) -> object:
    headers = {**device.headers, "Content-Type": "application/json"}
    if encoding:
        headers["Content-Encoding"] = encoding
    return (client or device.client).post(PUSH, headers=headers, content=content)


def test_gzip_push_is_applied_like_a_plain_one(device: Device, engine: Engine) -> None:
    plain = body(device)
    r = post(device, gzip.compress(plain))
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    assert [x["status"] for x in r.json()["results"]] == ["applied"] * 3  # type: ignore[attr-defined]
    assert records(engine) == 3
    # The same body again, compressed: the replay answers the same and writes nothing.
    again = post(device, gzip.compress(plain, compresslevel=1))
    assert again.json()["results"] == r.json()["results"]  # type: ignore[attr-defined]
    assert records(engine) == 3
    # A body that is invalid once inflated is a 422 like any other.
    bad = post(device, gzip.compress(b'{"device_clock": "yesterday", "mutations": []}'))
    assert_error(bad, 422, "validation_error")


def test_zip_bomb_is_refused_within_the_limit(device: Device, engine: Engine,
                                              settings: Settings) -> None:
    small = settings.model_copy(update={"max_body_bytes": 64 * 1024})
    with AppClient(create_app(small, engine=engine)) as c:
        bomb = gzip.compress(b" " * (200 * 1024 * 1024), compresslevel=9)  # 200 MB -> ~200 KB
        assert len(bomb) > small.max_body_bytes  # on the wire already too large
        assert_error(post(device, bomb, client=c), 413, "payload_too_large")
        # A small bomb: within the limit on the wire, far beyond it inflated.
        quiet = gzip.compress(b"[" * (8 * 1024 * 1024), compresslevel=9)
        assert len(quiet) < small.max_body_bytes
        started = time.perf_counter()
        assert_error(post(device, quiet, client=c), 413, "payload_too_large")
        assert time.perf_counter() - started < 5  # stopped early, not inflated to the end
        # A body just under the limit inflated is fine.
        ok = body(device)
        assert post(device, gzip.compress(ok), client=c).status_code == 200  # type: ignore[attr-defined]
    assert records(engine) == 3


def test_inflate_stops_at_the_limit() -> None:
    stream = gzip.compress(b"a" * 10_000_000)
    with pytest.raises(BodyTooLarge):
        inflate(stream, 9_999_999)
    assert inflate(stream, 10_000_000) == b"a" * 10_000_000
    with pytest.raises(DamagedBody):
        inflate(zlib.compress(b"a" * 1000), 20_000)  # zlib, not gzip: refused as damaged


@pytest.mark.parametrize("damage", ["truncated", "garbage", "trailing", "empty"])
def test_damaged_gzip_is_a_bad_request(device: Device, engine: Engine, damage: str) -> None:
    good = gzip.compress(body(device))
    content = {"truncated": good[: len(good) // 2], "garbage": b"\x1f\x8b" + b"x" * 50,
               "trailing": good + b"more", "empty": b""}[damage]
    assert_error(post(device, content), 400, "bad_request")
    assert records(engine) == 0


def test_other_encodings_are_refused(device: Device, engine: Engine) -> None:
    assert_error(post(device, body(device), encoding="br"), 415, "bad_request")
    assert records(engine) == 0
    r = post(device, body(device), encoding="identity")
    assert r.status_code == 200  # type: ignore[attr-defined]
