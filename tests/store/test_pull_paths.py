"""A pulled page stored by the fast path (records new to the device: no merge) gives the same
stored state as the merge path, and the fast path is never taken for a record the device
holds or has pending writes for."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from field_app.store import LocalStore
from shared_models.clock import HLC
from shared_models.pullwire import PulledRecord, change_dict, decode_pull_page, encode_page
from shared_models.records import Family
from tests.store.conftest import COMMUNITY, create_store, family, sql

NAMES = ("Коваленко", "Мельник", "Шевчук", "Бондаренко")
SERVER_CLOCK = HLC(1_795_000_900_000, 0, "server").encode()
clocks = st.builds(lambda w, c, n: HLC(1_795_000_000_000 + w, c, n).encode(),
                   st.integers(0, 600_000), st.integers(0, 3), st.sampled_from(["a", "b"]))
versions = st.builds(
    lambda name, settlement, address, stamp, other, author: (
        {"family_name": name, "settlement": settlement, "address": address}, stamp, other,
        author),
    st.sampled_from(NAMES), st.sampled_from(["Житомир", "Малин"]),
    st.sampled_from(["", "вул. Миру, 1", "вул. Лісова, 2"]), clocks, clocks,
    st.sampled_from(["olena", "petro"]))


def change(rid: str, position: int, version: tuple[Any, ...]) -> dict[str, Any]:
    """A family as the server sends it: ``address`` may carry its own clock and author."""
    values, stamp, other, author = version
    full = family(id=rid, **values).model_dump(mode="json", exclude={"id", "community"})
    fields = {n: (v, stamp, author) for n, v in full.items()}
    fields["address"] = (full["address"], other, "petro")
    return change_dict(rid, "family", COMMUNITY, position, fields)


def stored(store: LocalStore, path: Path) -> dict[str, Any]:
    """Every record's decrypted base state and view, and its clear metadata."""
    cipher = store._need_cipher()  # the sealed columns, opened as the store opens them
    out: dict[str, Any] = {}
    for rid, kind, community, position, dirty in sql(
            path, "SELECT id, kind, community, position, dirty FROM local_record"):
        (base_ct, view_ct), = sql(path, "SELECT base_ct, view_ct FROM local_record WHERE id = ?",
                                  (rid,))
        out[rid] = (position, dirty,
                    store._open_state(cipher, base_ct, rid, kind, community),
                    store._open_view(cipher, view_ct, rid, kind, community))
    return out


@settings(max_examples=40, deadline=None)
@given(held=st.lists(versions, max_size=3), page=st.lists(
    st.tuples(st.integers(0, 5), versions), min_size=1, max_size=6), edit=st.booleans())
def test_fast_path_stores_what_the_merge_path_stores(
        held: list[tuple[Any, ...]], page: list[tuple[int, tuple[Any, ...]]],
        edit: bool) -> None:
    """Three stores hold the same records; then the same page is stored by the fast path
    (as the model objects, and as the page's own text) and by the merge path only."""
    ids = [str(uuid.UUID(int=i + 1, version=4)) for i in range(6)]
    first = [change(ids[i], i + 1, v) for i, v in enumerate(held)]
    second = [change(ids[i], 10 + n, v) for n, (i, v) in enumerate(page)]
    with tempfile.TemporaryDirectory() as d:
        stores = {name: create_store(Path(d) / f"{name}.db") for name in ("fast", "raw",
                                                                          "merge")}
        try:
            for store in stores.values():
                store.set_user("olena")
                store.apply_pull([decode_pull_page(encode_page(
                    [_text(c) for c in first], {COMMUNITY: 5}, True, [], SERVER_CLOCK)
                ).changes[i] for i in range(len(first))], {COMMUNITY: 5})
                if edit and held:  # a pending local edit: never taken by the fast path
                    got = store.get(Family, ids[0])
                    assert got is not None
                    store.save(got.model_copy(update={"phone": "+380 67 000 00 01"}))
            records = [_pulled(c) for c in second]
            body = encode_page([_text(c) for c in second], {COMMUNITY: 20}, False, [],
                               SERVER_CLOCK)
            stores["fast"].apply_pull(records, {COMMUNITY: 20}, server_clock=SERVER_CLOCK)
            page_records = decode_pull_page(body).changes
            assert all(r.raw is not None for r in page_records)
            stores["raw"].apply_pull(page_records, {COMMUNITY: 20}, server_clock=SERVER_CLOCK)
            # Every record twice in one page: nothing is new-and-single, all goes through merge.
            stores["merge"].apply_pull([r for r in records for _ in (1, 2)], {COMMUNITY: 20},
                                       server_clock=SERVER_CLOCK)
            states = {name: stored(store, Path(d) / f"{name}.db")
                      for name, store in stores.items()}
            assert states["fast"] == states["raw"] == states["merge"]
            for store in stores.values():
                assert store.verify() == []
                assert store.cursors() == {COMMUNITY: 20}
                assert store.clock.last.encode() > max(r.max_clock for r in records)
            listed = [{f.id: f for f in store.all(Family)} for store in stores.values()]
            assert listed[0] == listed[1] == listed[2]
            # The clocks read straight from either sealed form agree with the states.
            # (A pending local edit carries its own device's clock: left out.)
            pulled_ids = [rid for rid in ids if not (edit and held and rid == ids[0])]
            clocks = [store.last_changed(pulled_ids) for store in stores.values()]
            assert clocks[0] == clocks[1] == clocks[2]
            merged_state = {rid: st for rid, (_p, _d, st, _v) in states["merge"].items()}
            assert clocks[0] == {rid: merged_state[rid].max_clock for rid in pulled_ids
                                 if rid in merged_state}
            if edit and held:
                assert stores["fast"].get(Family, ids[0]).phone == "+380 67 000 00 01"  # type: ignore[union-attr]
        finally:
            for store in stores.values():
                store.close()


def _text(data: dict[str, Any]) -> str:
    import json
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _pulled(data: dict[str, Any]) -> PulledRecord:
    return PulledRecord(data["record_id"], data["kind"], data["community"], data["position"],
                        data["clock"], data["author"], data["values"],
                        data.get("clocks", {}), data.get("authors", {}))


def test_fast_path_rows_are_sealed_and_bound_like_merged_ones(tmp_path: Path) -> None:
    """A fast-path row's base is the page's own text, still sealed with its record's
    associated data: moved onto another record it fails authentication."""
    store = create_store(tmp_path / "s.db")
    a, b = (str(uuid.uuid4()) for _ in range(2))
    body = encode_page([_text(change(r, i + 1, (
        {"family_name": "Коваленко", "settlement": "Житомир", "address": ""},
        SERVER_CLOCK, SERVER_CLOCK, "olena"))) for i, r in enumerate((a, b))],
        {COMMUNITY: 2}, False, [], SERVER_CLOCK)
    store.apply_pull(decode_pull_page(body).changes, {COMMUNITY: 2})
    raw = b"".join(v for (v,) in sql(tmp_path / "s.db", "SELECT base_ct FROM local_record"))
    assert "Коваленко".encode() not in raw and b"family_name" not in raw
    store.close()
    (blob,) = sql(tmp_path / "s.db", "SELECT base_ct FROM local_record WHERE id = ?", (a,))[0]
    sql(tmp_path / "s.db", "UPDATE local_record SET base_ct = ? WHERE id = ?", (blob, b))
    store = LocalStore.open(tmp_path / "s.db", "483920")
    problems = store.verify()
    assert problems == [f"family {b}: authentication failed"]
    store.close()


def test_own_change_coming_back_is_recognised_not_merged_again(tmp_path: Path) -> None:
    """After its push is acknowledged, a record's own change comes back in the feed: the
    device sees it holds exactly that (base left as sealed, only the position moves, nothing
    counted as received). A record that differs in one value is merged as before."""
    path = tmp_path / "s.db"
    store = create_store(path)
    try:
        store.set_user("olena")
        mine, other = family(family_name="Коваленко"), family(family_name="Мельник")
        store.save(mine)
        store.save(other)
        entries = store.pending_wire()
        assert store.acknowledge([e.mutation_id for e in entries], entries=entries) == 2
        before = dict(sql(path, "SELECT id, base_ct FROM local_record"))

        def as_server_sends(entry: Any, position: int, **changed: Any) -> PulledRecord:
            fields = {n: (changed.get(n, w["value"]), w["clock"], "olena")
                      for n, w in entry.fields.items()}
            return _pulled(change_dict(entry.record_id, "family", COMMUNITY, position, fields))

        echo, differs = (as_server_sends(e, 7 + i, **({"address": "вул. Нова, 5"} if i else {}))
                         for i, e in enumerate(entries))
        assert store.apply_pull([echo, differs], {COMMUNITY: 8}) == 1  # only the changed one
        after = {rid: (pos, ct) for rid, pos, ct in sql(
            path, "SELECT id, position, base_ct FROM local_record")}
        assert after[echo.record_id] == (7, before[echo.record_id])  # not sealed again
        assert after[differs.record_id][0] == 8
        assert after[differs.record_id][1] != before[differs.record_id]
        assert store.get(Family, str(mine.id)) == mine
        assert store.get(Family, str(other.id)).address == "вул. Нова, 5"  # type: ignore[union-attr]
        assert store.verify() == [] and store.pending_count() == 0
        assert store.unsynced_ids() == set()
    finally:
        store.close()
