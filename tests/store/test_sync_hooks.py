"""The hooks the sync client uses: outbox, acknowledge, discard, pull with cursors, purge."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, event

from field_app.store import CorruptRecord, LocalStore, Locked, RecordRefused
from field_app.store.schema import READ_ONLY
from shared_models.clock import HLC, HybridClock
from shared_models.communities import CommunityCode
from shared_models.merge import FieldState, FieldWrite, RecordState, merge_records
from shared_models.protocol import PushRequest, RecordChange
from shared_models.pullwire import change_dict
from shared_models.records import Family, Person, Visit
from tests.store.conftest import PIN, create_store, family, person, sql, visit

SERVER = HybridClock("server", max_drift_ms=None)


def wire_change(record_id: str, kind: str, community: str, position: int,
                fields: dict[str, tuple[Any, str, str]]) -> RecordChange:
    """A pulled change as the server encodes it (``{field: (value, clock, author)}``)."""
    return RecordChange.model_validate(change_dict(record_id, kind, community, position, fields))


def change_of(state: RecordState, position: int) -> RecordChange:
    """What the server's feed sends for a record: its current values and their clocks."""
    return wire_change(state.id, state.kind, state.community, position,
                       {n: (fs.value, fs.clock, fs.current.author)
                        for n, fs in state.fields.items()})


def server_apply(store: LocalStore) -> dict[str, RecordState]:
    """Accept every pending mutation as the server would and return the server's states."""
    states: dict[str, RecordState] = {}
    for p in store.pending_changes():
        s = p.to_mutation().to_state(author="olena")
        states[p.record_id] = merge_records(states[p.record_id], s) if p.record_id in states \
            else s
    return states


def test_pending_changes_in_order_and_convertible_to_mutations(store: LocalStore) -> None:
    f = family()
    store.save(f)
    kid = person(f.id)
    store.save(kid)
    f.address = "вул. Лесі Українки, 5"
    store.save(f)
    pending = store.pending_changes()
    assert [p.record_id for p in pending] == [str(f.id), str(kid.id), str(f.id)]
    assert [p.seq for p in pending] == sorted(p.seq for p in pending)
    muts = [p.to_mutation() for p in pending]
    assert len({m.mutation_id for m in muts}) == 3
    assert muts[2].fields["address"].supersedes == [muts[0].fields["address"].clock]
    req = PushRequest(device_clock=store.clock.last.encode(), mutations=muts)
    assert PushRequest.model_validate_json(req.model_dump_json()) == req
    assert store.pending_count() == 3
    assert store.pending_changes(limit=2) == pending[:2]


def test_acknowledge_folds_writes_into_base_and_clears_dirty(store: LocalStore, path) -> None:
    f = family()
    store.save(f)
    f.address = "вул. Київська, 1"
    store.save(f)
    first, second = store.pending_changes()
    assert sql(path, "SELECT dirty FROM local_record") == [(1,)]
    assert store.unsynced_ids() == {str(f.id)}
    assert store.acknowledge([first.mutation_id]) == 1
    assert sql(path, "SELECT dirty FROM local_record") == [(1,)]  # one still pending
    assert store.acknowledge([str(second.mutation_id), str(uuid.uuid4())]) == 1
    assert store.acknowledge([second.mutation_id]) == 0  # repeated ack: harmless
    assert sql(path, "SELECT dirty FROM local_record") == [(0,)]
    assert store.unsynced_ids() == set()
    assert store.pending_changes() == []
    assert store.get(Family, f.id) == f
    assert store.verify() == []
    f.address = "вул. Київська, 3"  # an edit after the ack supersedes the acked clock
    store.save(f)
    (p,) = store.pending_changes()
    assert p.writes["address"].supersedes == (second.writes["address"].clock,)


def test_pull_never_overwrites_an_unsynced_edit(store: LocalStore) -> None:
    f = family(address="стара адреса")
    store.save(f)
    server = server_apply(store)
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    f.address = "нова адреса (не надіслано)"
    store.save(f)
    # Meanwhile a colleague changed the settlement on the server; the feed sends the record
    # with the old address (the server has not seen our edit yet).
    seen = server[str(f.id)].fields["settlement"].clock
    write = FieldWrite("Коростишів", SERVER.receive(seen).encode(), (seen,), "ivan")
    colleague = merge_records(server[str(f.id)], RecordState(
        str(f.id), "family", "zhytomyrska", {"settlement": FieldState.of(write)}))
    store.apply_pull([change_of(colleague, 7)], {"zhytomyrska": 7})
    got = store.get(Family, f.id)
    assert got is not None
    assert got.address == "нова адреса (не надіслано)"
    assert got.settlement == "Коростишів"
    assert store.pending_count() == 1
    assert store.verify() == []
    # After the push is acknowledged and the next pull returns it, nothing changes.
    server = {str(f.id): merge_records(colleague, server_apply(store)[str(f.id)])}
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    store.apply_pull([change_of(server[str(f.id)], 8)], {"zhytomyrska": 8})
    assert store.get(Family, f.id) == got
    assert store.verify() == []


def test_pulled_records_are_clean_and_clock_moves_past_them(store: LocalStore, path) -> None:
    other = HybridClock("other", wall=lambda: 4_000_000_000_000, max_drift_ms=None)
    fid = str(uuid.uuid4())
    values = family(id=fid).model_dump(mode="json", exclude={"id", "community"})
    stamp = other.now().encode()  # far in the future: a wrong-dated colleague
    change = wire_change(fid, "family", "zhytomyrska", 3,
                         {n: (v, stamp, "") for n, v in values.items()})
    store.apply_pull([change], {"zhytomyrska": 3})
    assert store.pending_changes() == []
    assert sql(path, "SELECT dirty, position FROM local_record") == [(0, 3)]
    got = store.get(Family, fid)
    assert got is not None
    got.address = "edit after pull"
    store.save(got)  # the edit's clock must exceed the future clock it supersedes
    (p,) = store.pending_changes()
    assert p.writes["address"].clock > stamp
    last = store.clock.last
    store.close()
    again = LocalStore.open(path, PIN)
    assert again.clock.last >= last  # persisted: never goes backwards after a restart
    assert again.clock.now() > last
    again.close()


def test_cursors_are_stored_atomically_with_pulled_data(store: LocalStore, path) -> None:
    f = family()
    store.save(f)
    good = change_of(server_apply(store)[str(f.id)], 5)
    new_id = uuid.uuid4()
    fresh = change_of(RecordState(str(new_id), "family", "malynska",
                                  good.to_state().fields), 6)
    contradicting = good.model_copy(update={"community": CommunityCode.MALYNSKA})
    with pytest.raises(RecordRefused):
        store.apply_pull([fresh, contradicting], {"zhytomyrska": 5, "malynska": 6})
    assert store.cursors() == {}
    assert store.get(Family, new_id) is None  # the first change was rolled back too
    # A failure after the records were written (a bad cursor) rolls the records back too.
    with pytest.raises(ValueError):
        store.apply_pull([fresh], {"zhytomyrska": 5, "malynska": "not a position"})  # type: ignore[dict-item]
    assert store.get(Family, new_id) is None
    assert store.cursors() == {}
    store.apply_pull([good, fresh], {"zhytomyrska": 5, "malynska": 6})
    assert store.cursors() == {"zhytomyrska": 5, "malynska": 6}
    store.apply_pull([], {"malynska": 9})
    store.close()
    again = LocalStore.open(path, PIN)
    assert again.cursors() == {"zhytomyrska": 5, "malynska": 9}
    assert again.get(Family, new_id) is not None
    again.close()


def test_same_record_twice_in_one_page_merges(store: LocalStore) -> None:
    f = family()
    store.save(f)
    first = server_apply(store)[str(f.id)]
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    seen = first.fields["address"].clock
    later = merge_records(first, RecordState(str(f.id), "family", "zhytomyrska", {
        "address": FieldState.of(FieldWrite("нова", SERVER.receive(seen).encode(), (seen,)))}))
    store.apply_pull([change_of(later, 2), change_of(first, 1)], {"zhytomyrska": 2})
    assert store.get(Family, f.id).address == "нова"  # type: ignore[union-attr]
    assert store.verify() == []


def test_discard_undoes_rejected_writes(store: LocalStore) -> None:
    f = family()
    store.save(f)
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    f.address = "rejected edit"
    store.save(f)
    new = family(family_name="Rejected")
    store.save(new)
    assert store.discard([p.mutation_id for p in store.pending_changes()]) == 2
    assert store.get(Family, f.id).address == ""  # type: ignore[union-attr]
    assert store.get(Family, new.id) is None
    assert store.all(Family) == [family(id=f.id)]
    assert store.verify() == []


def test_purge_communities_removes_records_outbox_and_cursors(store: LocalStore, path) -> None:
    keep, gone = family(), family(community="malynska")
    store.save(keep)
    store.save(gone)
    store.save(person(gone.id, community="malynska"))
    store.apply_pull([], {"zhytomyrska": 4, "malynska": 2})
    result = store.purge_communities(["malynska"])
    assert (result.records, result.pending_dropped) == (2, 2)
    assert store.all(Family) == [keep]
    assert store.all(Person) == []
    assert [p.record_id for p in store.pending_changes()] == [str(keep.id)]
    assert store.cursors() == {"zhytomyrska": 4}
    assert sql(path, "SELECT count(*) FROM local_record WHERE community = 'malynska'") == [(0,)]
    assert store.verify() == []


def test_secrets_are_sealed_and_survive_restart(store: LocalStore, path) -> None:
    store.set_secret("server_token", b"t0ken-value")
    store.set_secret("server_token", b"t0ken-value-2")
    assert store.get_secret("server_token") == b"t0ken-value-2"
    assert store.get_secret("missing") is None
    store.close()
    again = LocalStore.open(path, PIN)
    assert again.get_secret("server_token") == b"t0ken-value-2"
    again.delete_secret("server_token")
    assert again.get_secret("server_token") is None
    again.close()


def test_secrets_read_once_stay_in_step_and_go_with_the_key(store: LocalStore, path) -> None:
    store.set_secret("server_token", b"first")
    assert store.get_secret("server_token") == b"first"
    store.set_secret("server_token", b"second")
    assert store.get_secret("server_token") == b"second"
    store.delete_secret("server_token")
    assert store.get_secret("server_token") is None
    store.set_secret("server_token", b"third")
    # Kept in memory while unlocked: a read does not go to the file again...
    sql(path, "DELETE FROM local_secret WHERE name = 'server_token'")
    assert store.get_secret("server_token") == b"third"
    # ...and is gone with the key: locked, nothing is readable; unlocked, the file says.
    store.lock()
    with pytest.raises(Locked):
        store.get_secret("server_token")
    store.unlock(PIN)
    assert store.get_secret("server_token") is None


def test_a_pulled_page_keeps_secrets_in_its_own_transaction(store: LocalStore) -> None:
    store.set_secret("sync.last_success", b"1")
    f = family()
    store.apply_pull([_pulled("family", f.id, f.model_dump(mode="json",
                                                         exclude={"id", "community"}))],
                     {"zhytomyrska": 1}, secrets={"sync.last_success": b"2"})
    assert store.get_secret("sync.last_success") == b"2"
    # A page refused as a whole keeps nothing of it, its secrets included.
    contradicting = _pulled("person", f.id, {"last_name": "Бойко"}, position=2)
    with pytest.raises(RecordRefused):
        store.apply_pull([contradicting], {"zhytomyrska": 2},
                         secrets={"sync.last_success": b"3"})
    assert store.get_secret("sync.last_success") == b"2"
    assert store.cursors() == {"zhytomyrska": 1}
    store.lock()
    store.unlock(PIN)
    assert store.get_secret("sync.last_success") == b"2"


# --- a random mix of local edits, other devices' edits, pushes, acks and pulls ----------

NAMES = ["Андрієнко", "Бойко", "Вовк", "Гнатюк"]
op = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(NAMES)),
    st.tuples(st.just("other"), st.integers(0, 2), st.sampled_from(NAMES)),
    st.tuples(st.just("push"), st.integers(0, 5), st.just("")),
    st.tuples(st.just("pull"), st.just(0), st.just("")),
)


def _merge(a: RecordState | None, b: RecordState) -> RecordState:
    return b if a is None else merge_records(a, b)


def _check_views(store: LocalStore, fams: list[Family], base: dict[str, RecordState]) -> None:
    assert store.verify() == []
    pending = store.pending_changes()
    for f in fams:
        r = str(f.id)
        mine = [p for p in pending if p.record_id == r]
        expected = base.get(r)
        for p in mine:
            expected = _merge(expected, p.to_state())
        assert expected is not None
        got = store.get(Family, r)
        assert got is not None
        assert got.model_dump(mode="json", exclude={"id", "community"}) == expected.values()
        # The newest pending edit of the name shows unless the base holds a newer clock.
        edits = [p.writes["family_name"] for p in mine if "family_name" in p.writes]
        if edits and (r not in base or edits[-1].clock > base[r].fields["family_name"].clock):
            assert got.family_name == edits[-1].value


@settings(max_examples=40, deadline=None)
@given(st.lists(op, max_size=16))
def test_random_sync_histories_keep_store_consistent(ops: list[tuple[str, int, str]]) -> None:
    """Invariant: the view is always merge(base, pending) — acked and pulled states as the
    base, the outbox on top — so a pulled value replaces a pending edit only when the merge
    rule says it is newer (a concurrent later edit elsewhere), and the edit stays queued."""
    with tempfile.TemporaryDirectory() as d:
        store = create_store(Path(d) / "p.db")
        store.set_user("olena")
        other = HybridClock("other", max_drift_ms=None)
        fams = [family(family_name=n) for n in NAMES[:3]]
        for f in fams:
            store.save(f)
        server: dict[str, RecordState] = {}
        base: dict[str, RecordState] = {}
        position = 0
        for kind, i, value in ops:
            rid = str(fams[i % len(fams)].id)
            if kind == "edit":
                m = store.get(Family, rid)
                assert m is not None
                m.family_name = value
                store.save(m)
            elif kind == "other" and rid in server:
                cur = server[rid].fields["family_name"]
                w = FieldWrite(value, other.receive(cur.clock).encode(), (cur.clock,), "ivan")
                server[rid] = merge_records(server[rid], RecordState(
                    rid, "family", "zhytomyrska", {"family_name": FieldState.of(w)}))
            elif kind == "push":
                batch = store.pending_changes(limit=i)
                for p in batch:
                    server[p.record_id] = _merge(server.get(p.record_id),
                                                 p.to_mutation().to_state(author="olena"))
                    base[p.record_id] = _merge(base.get(p.record_id), p.to_state())
                    other.receive(p.to_state().max_clock)
                store.acknowledge([p.mutation_id for p in batch])
            elif kind == "pull":
                position += 1
                changes = [change_of(s, position) for s in server.values()]
                store.apply_pull(changes, {"zhytomyrska": position})
                for ch in changes:
                    base[str(ch.record_id)] = _merge(base.get(str(ch.record_id)), ch.to_state())
            _check_views(store, fams, base)
        # Push everything and pull: device and server agree exactly.
        batch = store.pending_changes()
        for p in batch:
            server[p.record_id] = _merge(server.get(p.record_id),
                                         p.to_mutation().to_state(author="olena"))
        store.acknowledge([p.mutation_id for p in batch])
        store.apply_pull([change_of(s, position + 1) for s in server.values()],
                         {"zhytomyrska": position + 1})
        for rid, s in server.items():
            got = store.get(Family, rid)
            assert got is not None
            assert got.model_dump(mode="json", exclude={"id", "community"}) == s.values()
        assert store.pending_changes() == []
        assert store.verify() == []
        store.close()


def test_hlc_text_roundtrip_for_clock_property(store: LocalStore) -> None:
    assert isinstance(store.clock.last, HLC)
    assert store.device_id == store.clock.node


def _pulled(kind: str, record_id: uuid.UUID, values: dict[str, Any], position: int = 1,
            community: str = "zhytomyrska") -> RecordChange:
    stamp = SERVER.now().encode()
    return wire_change(str(record_id), kind, community, position,
                       {n: (v, stamp, "") for n, v in values.items()})


def test_pulled_record_later_than_this_phones_clock_is_still_shown(store: LocalStore) -> None:
    """A phone whose clock is hours behind must show a colleague's visit of "later today"."""
    f = family()
    store.save(f)
    later = datetime.now(UTC) + timedelta(hours=3)
    v = visit(f.id)
    values = v.model_dump(mode="json", exclude={"id", "community"})
    values["visited_at"] = later.isoformat().replace("+00:00", "Z")  # pydantic's JSON form
    store.apply_pull([_pulled("visit", v.id, values)], {"zhytomyrska": 1})
    got = store.get(Visit, v.id)
    assert got is not None and got.visited_at == later
    assert [x.id for x in store.all(Visit)] == [v.id]
    got.next_steps = "Повторний візит"
    store.save(got)  # editing it keeps the real time
    assert store.pending_changes()[-1].writes.keys() == {"next_steps"}
    assert store.get(Visit, v.id).visited_at == later  # type: ignore[union-attr]


def test_pulled_record_with_invalid_values_is_reported_not_shown(store: LocalStore) -> None:
    good, bad = family(), family()
    store.save(good)
    values = bad.model_dump(mode="json", exclude={"id", "community"})
    values["family_name"] = ""
    store.apply_pull([_pulled("family", bad.id, values)], {"zhytomyrska": 1})
    assert store.all(Family) == [good]
    assert [e.record_id for e in store.corrupt_records()] == [str(bad.id)]
    with pytest.raises(CorruptRecord):
        store.get(Family, bad.id)


def test_receive_clock_is_persisted(store: LocalStore, path) -> None:
    ahead = HLC(4_000_000_000_000, 5, "server").encode()
    got = store.receive_clock(ahead)
    assert got.encode() > ahead
    store.close()
    again = LocalStore.open(path, PIN)
    assert again.clock.now().encode() > ahead
    again.close()


def test_resolve_conflict_supersedes_both_sides(store: LocalStore) -> None:
    from pydantic import ValidationError

    from shared_models.records import Conflict

    f = family(address="початкова")
    store.save(f)
    server = server_apply(store)[str(f.id)]
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    base_clock = server.fields["address"].clock
    f.address = "наша"
    store.save(f)
    (ours,) = store.pending_changes()
    server = merge_records(server, ours.to_mutation().to_state(author="olena"))
    store.acknowledge([ours.mutation_id])
    # A colleague edited the same field from the value before ours: a concurrent edit.
    theirs = FieldWrite("їхня", SERVER.receive(ours.writes["address"].clock).encode(),
                        (base_clock,), "ivan")
    server = merge_records(server, RecordState(str(f.id), "family", "zhytomyrska",
                                               {"address": FieldState.of(theirs)}))
    assert "address" in server.conflicts()  # the server now holds an open conflict
    conflict = Conflict(community="zhytomyrska", record_kind="family", record_id=f.id,
                        field="address", winner_value="їхня", winner_clock=theirs.clock,
                        winner_author="ivan", loser_value="наша",
                        loser_clock=ours.writes["address"].clock, loser_author="olena")
    conflict_state = RecordState(str(conflict.id), "conflict", "zhytomyrska", {
        n: FieldState.of(FieldWrite(v, SERVER.now().encode()))
        for n, v in conflict.model_dump(mode="json", exclude={"id", "community"}).items()})
    store.apply_pull([change_of(server, 3), change_of(conflict_state, 4)], {"zhytomyrska": 4})
    assert store.get(Family, f.id).address == "їхня"  # type: ignore[union-attr]
    pulled = store.get(Conflict, conflict.id)
    assert pulled is not None

    with pytest.raises(ValidationError):
        store.resolve_conflict(pulled, "два\nрядки")  # an address is one line
    assert store.pending_changes() == []

    store.resolve_conflict(pulled, "наша й їхня")
    (resolution,) = store.pending_changes()
    write = resolution.writes["address"]
    assert set(write.supersedes) == {theirs.clock, ours.writes["address"].clock}
    assert store.get(Family, f.id).address == "наша й їхня"  # type: ignore[union-attr]
    merged = merge_records(server, resolution.to_mutation().to_state(author="olena"))
    assert merged.fields["address"].value == "наша й їхня"
    assert "address" not in merged.conflicts()

    missing = pulled.model_copy(update={"record_id": uuid.uuid4()})
    with pytest.raises(RecordRefused):
        store.resolve_conflict(missing, "x")


def test_saves_wait_for_the_disk_what_the_next_sync_restores_does_not(
        store: LocalStore) -> None:
    """Every write a worker makes commits with ``synchronous=FULL``; a pulled page and an
    acknowledgement (lost in a power cut, the next sync makes them good) with ``NORMAL``."""
    levels: list[int] = []

    @event.listens_for(store._engine, "begin")
    def _level(conn: Connection) -> None:  # runs after the store's own BEGIN
        if not conn.get_execution_options().get(READ_ONLY):  # reads write nothing
            levels.append(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())

    def level_of(action: Callable[[], object]) -> set[int]:
        levels.clear()
        action()
        return set(levels)

    full, normal = {2}, {1}
    f = family()
    assert level_of(lambda: store.save(f)) == full
    sent = [p.mutation_id for p in store.pending_changes()]
    assert level_of(lambda: store.acknowledge(sent)) == normal
    pulled = change_of(server_apply_of(family()), 5)
    assert level_of(lambda: store.apply_pull([pulled], {"zhytomyrska": 5})) == normal
    f.address = "after the pull"
    assert level_of(lambda: store.save(f)) == full   # back to FULL on the same connection
    refused = [p.mutation_id for p in store.pending_changes()]
    assert level_of(lambda: store.discard(refused)) == full
    assert level_of(lambda: store.set_secret("x", b"y")) == full
    assert store.get(Family, f.id) == family(id=f.id)  # the discard undid the edit


def server_apply_of(record: Family) -> RecordState:
    """A record as a colleague's device created it, as the server holds it."""
    clock = HybridClock("colleague", max_drift_ms=None).now().encode()
    values = record.model_dump(mode="json", exclude={"id", "community"})
    return RecordState(str(record.id), "family", record.community.value,
                       {n: FieldState.of(FieldWrite(v, clock, (), "ira"))
                        for n, v in values.items()})
