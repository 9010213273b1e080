"""Pulling in pages against a real server: the look-ahead (page n + 1 asked for while page n
is stored), pages cut off on the way, a sync stopped between pages, and conflicts that reach
only their authors and the supervisor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from field_app.store import LocalStore
from shared_models.records import Conflict, Family, Visit
from tests.sync.conftest import Device
from tests.sync.faults import FaultyTransport
from tests.sync.records import family, visit
from tools.live_server import LiveServer

FAMILIES = 60


def head(server: LiveServer) -> int:
    with server.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT position FROM feed_counter WHERE community = 'malynska'")).scalar_one())


def seed(make_device: Callable[..., Device]) -> list[Family]:
    olena, olena_sync = make_device("olena")
    made = [family(family_name=f"Родина {i}") for i in range(FAMILIES)]
    for f in made:
        olena.save(f)
    assert olena_sync.sync().pushed == FAMILIES
    return made


def held(store: LocalStore) -> dict[str, Family]:
    return {str(f.id): f for f in store.all(Family)}


def test_small_pages_over_a_broken_link_arrive_whole_and_once(
        make_device: Callable[..., Device], server: LiveServer) -> None:
    made = seed(make_device)
    link = FaultyTransport(httpx.HTTPTransport(), rate=0.4, seed=3)
    link.enabled = False
    petro, petro_sync = make_device("petro", transport=link, page_limit=7)
    link.enabled = True
    report = petro_sync.sync()
    # Every kind of fault hit the pull, the look-ahead included: cut-off pages were asked
    # again, lost answers re-sent, duplicates and 5xx answers retried.
    assert {"truncate", "drop_response", "duplicate", "http_503"} <= set(link.injected)
    assert held(petro) == {str(f.id): f for f in made}
    assert report.pulled >= FAMILIES
    assert petro.cursors() == {"malynska": head(server)}
    assert petro.verify() == []


def test_a_sync_stopped_between_pages_resumes_with_no_gap_and_no_duplicate(
        make_device: Callable[..., Device], server: LiveServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    made = seed(make_device)
    petro, petro_sync = make_device("petro", page_limit=7)
    real = petro.apply_pull
    calls: list[int] = []

    def dies_on_the_fourth_page(changes: Any, cursors: Any, **kw: Any) -> int:
        calls.append(1)
        if len(calls) == 4:  # the app killed while page 4 was stored (page 5 on its way)
            raise OSError("battery dead")
        return real(changes, cursors, **kw)

    monkeypatch.setattr(petro, "apply_pull", dies_on_the_fourth_page)
    with pytest.raises(OSError, match="battery"):
        petro_sync.sync()
    assert len(held(petro)) == 21  # three whole pages, nothing of the fourth
    assert petro.verify() == []
    monkeypatch.setattr(petro, "apply_pull", real)
    report = petro_sync.sync()
    assert report.pulled == FAMILIES - 21  # resumed after page 3: no page pulled twice
    assert held(petro) == {str(f.id): f for f in made}
    assert petro.cursors() == {"malynska": head(server)}


def test_a_conflict_reaches_its_authors_and_the_supervisor_only(
        make_device: Callable[..., Device], server: LiveServer) -> None:
    olena, olena_sync = make_device("olena")
    petro, petro_sync = make_device("petro")
    iryna, iryna_sync = make_device("iryna")
    ivan, ivan_sync = make_device("ivan", page_limit=1)
    fam = family()
    olena.save(fam)
    olena.save(v := visit(fam.id, "olena"))
    olena_sync.sync()
    petro_sync.sync()
    olena.save(olena.get(Visit, v.id).model_copy(update={"next_steps": "Оформити допомогу"}))
    petro.save(petro.get(Visit, v.id).model_copy(update={"next_steps": "Візит до школи"}))
    olena_sync.sync()
    assert petro_sync.sync().conflicts >= 1
    for store, client in ((olena, olena_sync), (petro, petro_sync), (iryna, iryna_sync)):
        client.sync()
        assert [c.loser_value for c in store.all(Conflict)] == ["Оформити допомогу"]
    report = ivan_sync.sync()
    assert (report.pulled, report.conflicts) == (2, 0)
    assert ivan.all(Conflict) == [] and ivan.get(Visit, v.id).next_steps == "Візит до школи"
    assert ivan.cursors() == {"malynska": head(server)}  # moved past the conflict
    assert ivan_sync.sync().pulled == 0


class CutCompressed(httpx.BaseTransport):
    """Cuts the first ``cuts`` compressed pull answers short on the wire, as sent (zstd)."""

    def __init__(self, cuts: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.cuts = cuts
        self.encodings: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.endswith("/sync/pull"):
            return response
        wire = b"".join(response.stream)  # the raw bytes, not decoded
        response.close()
        coding = response.headers.get("content-encoding", "")
        self.encodings.append(coding)
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        if coding and self.cuts:
            self.cuts -= 1
            wire = wire[: len(wire) * 2 // 3]
        return httpx.Response(response.status_code, headers=headers, content=wire,
                              request=request)

    def close(self) -> None:
        self.inner.close()


def test_a_compressed_page_cut_short_is_asked_again(
        make_device: Callable[..., Device], server: LiveServer) -> None:
    made = seed(make_device)
    link = CutCompressed(cuts=2)
    petro, petro_sync = make_device("petro", transport=link)
    report = petro_sync.sync()
    assert link.cuts == 0 and "zstd" in link.encodings  # pages came zstd; two were cut
    assert held(petro) == {str(f.id): f for f in made}
    assert report.pulled >= FAMILIES
    assert petro.cursors() == {"malynska": head(server)}
    assert petro.verify() == []
