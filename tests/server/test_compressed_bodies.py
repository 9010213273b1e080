"""Compressed bodies: a zstd or gzip push is applied like a plain one; bombs, damage refused;
answers come zstd-compressed to a client that accepts it, gzip to one that accepts only that.

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
from collections.abc import Callable

import pytest
import zstandard
from sqlalchemy import Engine, func, select

from shared_models.enums import Role
from sync_server.app import create_app
from sync_server.middleware import BodyTooLarge, DamagedBody, inflate, inflate_zstd
from sync_server.settings import Settings
from sync_server.tables import RecordRow
from tests.server.appclient import AppClient
from tests.server.helpers import ZH, Device, family_fields, login, make_user, mutation
from tests.server.test_errors_settings import assert_error

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"


def zstd(data: bytes, level: int = 3) -> bytes:
    return zstandard.ZstdCompressor(level=level).compress(data)


def gz(data: bytes, level: int = 6) -> bytes:
    return gzip.compress(data, compresslevel=level)


#: Each request body encoding the server reads, with its compressor.
CODINGS = pytest.mark.parametrize(("coding", "pack"), [("zstd", zstd), ("gzip", gz)])


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


@CODINGS
def test_compressed_push_is_applied_like_a_plain_one(
        device: Device, engine: Engine, coding: str, pack: Callable[..., bytes]) -> None:
    plain = body(device)
    r = post(device, pack(plain), coding)
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    assert [x["status"] for x in r.json()["results"]] == ["applied"] * 3  # type: ignore[attr-defined]
    assert records(engine) == 3
    # The same body again, compressed another way: the replay answers the same, writes nothing.
    again = post(device, pack(plain, 1), coding)
    assert again.json()["results"] == r.json()["results"]  # type: ignore[attr-defined]
    assert records(engine) == 3
    # A body that is invalid once inflated is a 422 like any other.
    bad = post(device, pack(b'{"device_clock": "yesterday", "mutations": []}'), coding)
    assert_error(bad, 422, "validation_error")


@CODINGS
def test_zip_bomb_is_refused_within_the_limit(device: Device, engine: Engine,
                                              settings: Settings, coding: str,
                                              pack: Callable[..., bytes]) -> None:
    small = settings.model_copy(update={"max_body_bytes": 64 * 1024})
    with AppClient(create_app(small, engine=engine)) as c:
        # A small bomb: within the limit on the wire, far beyond it inflated.
        quiet = pack(b"[" * (64 * 1024 * 1024), 9)
        assert len(quiet) < small.max_body_bytes
        started = time.perf_counter()
        assert_error(post(device, quiet, coding, client=c), 413, "payload_too_large")
        assert time.perf_counter() - started < 5  # stopped early, not inflated to the end
        # A body just under the limit inflated is fine.
        ok = body(device)
        assert post(device, pack(ok), coding, client=c).status_code == 200  # type: ignore[attr-defined]
    assert records(engine) == 3


def test_a_bomb_too_large_on_the_wire_is_refused_unread(device: Device, engine: Engine,
                                                        settings: Settings) -> None:
    small = settings.model_copy(update={"max_body_bytes": 64 * 1024})
    with AppClient(create_app(small, engine=engine)) as c:
        bomb = gzip.compress(b" " * (200 * 1024 * 1024), compresslevel=9)  # 200 MB -> ~200 KB
        assert len(bomb) > small.max_body_bytes  # on the wire already too large
        assert_error(post(device, bomb, client=c), 413, "payload_too_large")
    assert records(engine) == 0


def test_inflate_stops_at_the_limit() -> None:
    stream = gzip.compress(b"a" * 10_000_000)
    with pytest.raises(BodyTooLarge):
        inflate(stream, 9_999_999)
    assert inflate(stream, 10_000_000) == b"a" * 10_000_000
    with pytest.raises(DamagedBody):
        inflate(zlib.compress(b"a" * 1000), 20_000)  # zlib, not gzip: refused as damaged


def test_inflate_zstd_stops_at_the_limit_and_reads_every_frame() -> None:
    for stream in (zstd(b"a" * 10_000_000),
                   # a frame that does not declare its size (as a streaming encoder writes)
                   zstandard.ZstdCompressor(write_content_size=False).compress(b"a" * 10_000_000)):
        with pytest.raises(BodyTooLarge):
            inflate_zstd(stream, 9_999_999)
        assert inflate_zstd(stream, 10_000_000) == b"a" * 10_000_000
    # Frames one after another are one stream (RFC 8878); the limit counts them all.
    two = zstd(b"[1,") + zstd(b"2]")
    assert inflate_zstd(two, 100) == b"[1,2]"
    with pytest.raises(BodyTooLarge):
        inflate_zstd(two, 4)
    with pytest.raises(DamagedBody):
        inflate_zstd(gzip.compress(b"a" * 1000), 20_000)  # gzip, not zstd: damaged


@CODINGS
@pytest.mark.parametrize("damage", ["truncated", "garbage", "trailing", "empty", "last bytes"])
def test_damaged_stream_is_a_bad_request(device: Device, engine: Engine, damage: str,
                                         coding: str, pack: Callable[..., bytes]) -> None:
    good = pack(body(device))
    content = {"truncated": good[: len(good) // 2], "garbage": good[:4] + b"x" * 50,
               "trailing": good + b"more", "empty": b"", "last bytes": good[:-3]}[damage]
    assert_error(post(device, content, coding), 400, "bad_request")
    assert records(engine) == 0


@pytest.mark.parametrize("encoding", ["br", "deflate", "gzip, br", "gzip, gzip", "zstd;q=1",
                                      "compress"])
def test_other_encodings_are_refused(device: Device, engine: Engine, encoding: str) -> None:
    refused = post(device, gz(body(device)), encoding=encoding)
    assert_error(refused, 415, "bad_request")
    assert "zstd" in refused.json()["message"]  # type: ignore[attr-defined]
    assert records(engine) == 0


@pytest.mark.parametrize(("encoding", "pack"), [
    ("identity", None), ("IDENTITY", None), ("GZIP", gz), ("Gzip", gz), (" gzip ", gz),
    ("x-gzip", gz), ("X-GZIP", gz), ("ZSTD", zstd), ("Zstd", zstd)])
def test_encoding_names_are_case_insensitive_and_identity_is_none(
        device: Device, engine: Engine, encoding: str, pack: Callable[..., bytes] | None) -> None:
    # RFC 9110: content codings are case-insensitive, and "identity" means no coding (the
    # documented contract, docs/sync-protocol.md#push).
    plain = body(device)
    r = post(device, pack(plain) if pack else plain, encoding=encoding)
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    assert records(engine) == 3


@pytest.mark.parametrize(("accept", "coding"), [
    ("zstd, gzip", "zstd"), ("gzip", "gzip"), ("identity", None)])
def test_a_page_comes_compressed_as_the_client_accepts(
        device: Device, accept: str, coding: str | None) -> None:
    assert post(device, body(device, 40), None).status_code == 200  # type: ignore[attr-defined]
    headers = {**device.headers, "Accept-Encoding": accept}
    r = device.client.get(PULL, headers=headers)
    assert r.status_code == 200
    assert r.headers.get("content-encoding") == coding
    # httpx decoded whichever it was: the same page each time.
    assert len(r.json()["changes"]) == 40
