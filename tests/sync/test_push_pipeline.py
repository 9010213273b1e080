"""The client's push: compressed, pipelined, and still one batch at a time in outbox order.

Against a real server, through a transport that watches the requests: the server must see
the outbox in order, never two pushes at once (a batch may edit what the one before created);
bodies go zstd-compressed; a server that cannot read zstd gets gzip, one that cannot read
compressed bodies at all gets them plain, and everything arrives; a whole batch refused
half-way through the pipeline is split and the rest follows in order — nothing skipped,
nothing sent twice that was not answered.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import zstandard

from field_app.store import LocalStore
from field_app.sync import SyncClient
from shared_models.records import Family
from tests.sync.conftest import Device

PUSH = "/api/v1/sync/push"


class Watcher(httpx.BaseTransport):
    """Forwards to the real server; records each push's mutations and how many overlapped."""

    def __init__(self, *, unreadable: dict[str, httpx.Response] | None = None,
                 refuse: Callable[[list[dict[str, Any]]], bool] | None = None) -> None:
        self.inner = httpx.HTTPTransport()
        self.unreadable = unreadable or {}  # encoding -> what an older server answers
        self.refuse = refuse
        self.pushes: list[tuple[str, list[str]]] = []  # (Content-Encoding, mutation ids)
        self.wire_bytes = 0
        self.plain_bytes = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != PUSH:
            return self.inner.handle_request(request)
        request.read()
        coding = request.headers.get("content-encoding", "")
        if coding in self.unreadable:
            older = self.unreadable[coding]
            return httpx.Response(older.status_code, content=older.content, request=request)
        raw = {"zstd": zstandard.decompress, "gzip": gzip.decompress}.get(
            coding, lambda body: body)(request.content)
        self.wire_bytes += len(request.content)
        self.plain_bytes += len(raw)
        mutations = json.loads(raw)["mutations"]
        if self.refuse is not None and self.refuse(mutations):
            return httpx.Response(413, json={"code": "payload_too_large", "message": "big"},
                                  request=request)
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            self.pushes.append((coding, [m["mutation_id"] for m in mutations]))
            return self.inner.handle_request(request)
        finally:
            with self.lock:
                self.in_flight -= 1

    def close(self) -> None:
        self.inner.close()


def families(store: LocalStore, n: int) -> list[str]:
    """``n`` new families, each then edited once (an edit may land in a later batch)."""
    made = []
    for i in range(n):
        f = Family(community="malynska", family_name=f"Родина {i}", settlement="Малин",
                   address="вул. Лісова, " + "буд. " * 30)  # a body worth compressing
        store.save(f)
        made.append(f)
    for f in made[::3]:
        store.save(f.model_copy(update={"settlement": "Ворсівка"}))
    return [str(p.mutation_id) for p in store.pending_changes()]


def pushed_in_order(watch: Watcher) -> list[str]:
    return [mid for _, ids in watch.pushes for mid in ids]


def test_batches_go_in_outbox_order_one_at_a_time_compressed(
        make_device: Callable[..., Device]) -> None:
    watch = Watcher()
    store, client = make_device("olena", transport=watch)
    client.batch_size = 7
    outbox = families(store, 40)
    report = client.sync()
    assert report.pushed == len(outbox) == 54 and report.rejected == 0
    assert pushed_in_order(watch) == outbox
    assert watch.most_in_flight == 1
    assert {coding for coding, _ in watch.pushes} == {"zstd"}
    assert store.pending_changes() == [] and store.verify() == []
    assert report.bytes_sent <= watch.wire_bytes < watch.plain_bytes / 3


#: What a server from before zstd bodies answers one (our middleware of that time).
BEFORE_ZSTD = httpx.Response(415, json={
    "code": "bad_request", "message": "unsupported Content-Encoding: only gzip"})
#: What a server from before compressed bodies answers one (the JSON parse fails).
BEFORE_COMPRESSION = httpx.Response(422, json={"code": "validation_error",
                                               "message": "JSON decode error"})


@pytest.mark.parametrize(("unreadable", "sent"), [
    ({"zstd": BEFORE_ZSTD}, "gzip"),
    ({"zstd": BEFORE_COMPRESSION, "gzip": BEFORE_COMPRESSION}, ""),
])
def test_an_older_server_gets_bodies_it_can_read(
        make_device: Callable[..., Device], unreadable: dict[str, httpx.Response],
        sent: str) -> None:
    watch = Watcher(unreadable=unreadable)
    store, client = make_device("olena", transport=watch)
    client.batch_size = 10
    outbox = families(store, 20)
    report = client.sync()
    assert report.pushed == len(outbox) and report.rejected == 0
    assert pushed_in_order(watch) == outbox
    # Every push the server read went in the one encoding it can read, the pipelined ones
    # prepared before it said so included.
    assert {coding for coding, _ in watch.pushes} == {sent}
    assert store.pending_changes() == [] and client.attention() == []


def test_a_batch_refused_whole_mid_pipeline_is_split_and_the_rest_follows(
        make_device: Callable[..., Device]) -> None:
    store, client = make_device("olena")
    outbox = families(store, 30)
    bad = outbox[13]  # the creation of a family that is not edited later
    watch = Watcher(refuse=lambda ms: any(m["mutation_id"] == bad for m in ms))
    other = SyncClient(store, client.base_url, transport=watch, backoff=client.backoff,
                       batch_size=8, timeout=10)
    report = other.sync()
    other.close()
    # Everything but the refused entry arrived, each once, in outbox order.
    assert pushed_in_order(watch) == [m for m in outbox if m != bad]
    assert report.pushed == len(outbox) - 1 and report.rejected == 1
    assert [a.mutation_id for a in other.attention()] == [bad]
    assert [str(p.mutation_id) for p in store.pending_changes()] == [bad]
    assert watch.most_in_flight == 1
