"""``last_changed``: the clock of a record's latest change, unsynced edits and pulls included."""

from __future__ import annotations

import uuid

from field_app.store import LocalStore
from shared_models.clock import HybridClock
from shared_models.merge import FieldWrite, merge_records, state_from_writes
from tests.store.conftest import family, sql, visit
from tests.store.test_sync_hooks import change_of, server_apply


def test_the_latest_clock_of_base_and_outbox(store: LocalStore, path) -> None:
    f = family()
    store.save(f)
    (created,) = store.pending_changes()
    assert store.last_changed([str(f.id), str(uuid.uuid4())]) == {
        str(f.id): created.writes["family_name"].clock}
    store.acknowledge([created.mutation_id])            # now only in the base
    assert store.last_changed([str(f.id)]) == {str(f.id): created.writes["family_name"].clock}
    f.address = "вул. Лісова, 2"
    store.save(f)                                       # an unsynced edit counts
    (edit,) = store.pending_changes()
    assert store.last_changed([str(f.id)]) == {str(f.id): edit.writes["address"].clock}
    assert edit.writes["address"].clock > created.writes["family_name"].clock


def test_a_pulled_change_by_a_colleague_moves_it(store: LocalStore) -> None:
    v = visit(uuid.uuid4())
    store.save(v)
    state = server_apply(store)[str(v.id)]
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    colleague = HybridClock("petro-phone", wall=lambda: 4_000_000_000_000, max_drift_ms=None)
    later = colleague.now().encode()
    edit = state_from_writes(str(v.id), "visit", v.community.value, {
        "next_steps": FieldWrite("Консультація юриста", later,
                                 (state.fields["next_steps"].clock,), "petro")})
    store.apply_pull([change_of(merge_records(state, edit), 4)], {"zhytomyrska": 4})
    assert store.last_changed([str(v.id)]) == {str(v.id): later}


def test_a_damaged_record_is_left_out_and_reported(store: LocalStore, path) -> None:
    good, bad = family(), family(family_name="Мельник")
    for f in (good, bad):
        store.save(f)
    store.acknowledge([p.mutation_id for p in store.pending_changes()])
    sql(path, "UPDATE local_record SET base_ct = substr(base_ct, 1, length(base_ct) - 1) "
              "WHERE id = ?", (str(bad.id),))
    assert set(store.last_changed([str(good.id), str(bad.id)])) == {str(good.id)}
    assert [c.record_id for c in store.corrupt_records()] == [str(bad.id)]
