"""A rescan notice on the device: the named communities' conflict records and cursors go, in
the page's transaction, and nothing else — not the outbox, not a record with a pending write,
not another community's conflicts. The role the page was served as is kept sealed with it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from field_app.store import LocalStore, RecordRefused
from shared_models.clock import HybridClock
from shared_models.protocol import RecordChange
from shared_models.pullwire import change_dict
from shared_models.records import Conflict, Family
from tests.store.conftest import PIN, family

SERVER = HybridClock("server", max_drift_ms=None)


def _pulled(record_id: str, kind: str, community: str, position: int,
            values: dict[str, Any]) -> RecordChange:
    clock = SERVER.now().encode()
    return RecordChange.model_validate(change_dict(
        record_id, kind, community, position, {n: (v, clock, "server") for n, v in values.items()}))


def _conflict(community: str, position: int, record_id: str) -> RecordChange:
    return _pulled(str(uuid.uuid4()), "conflict", community, position, {
        "deleted": False, "record_kind": "family", "record_id": record_id, "field": "address",
        "winner_value": "вул. Миру, 11", "winner_clock": SERVER.now().encode(),
        "winner_author": "olena", "loser_value": "вул. Миру, 5",
        "loser_clock": SERVER.now().encode(), "loser_author": "petro", "status": "open",
        "resolved_by": None})


def test_a_rescan_forgets_conflicts_and_cursors_of_those_communities_only(
        store: LocalStore, path: Path) -> None:
    fam = str(uuid.uuid4())
    pulled_family = _pulled(fam, "family", "zhytomyrska", 1,
                            {"family_name": "Коваленко", "settlement": "Житомир",
                             "address": "вул. Миру, 11"})
    here, there = _conflict("zhytomyrska", 2, fam), _conflict("malynska", 4, fam)
    store.apply_pull([pulled_family, here, there], {"zhytomyrska": 2, "malynska": 4},
                     served_role="social_worker")
    # Unsynced work: an edit of the pulled family and a new family, both in the outbox.
    held = store.get(Family, fam)
    assert held is not None
    store.save(held.model_copy(update={"phone": "+380 67 111 22 33"}))
    mine = family(family_name="Петренко")
    store.save(mine)
    outbox = [(p.mutation_id, p.record_id) for p in store.pending_changes()]
    assert len(outbox) == 2
    assert store.served_role() == "social_worker"

    received = store.apply_pull([], {"zhytomyrska": 0, "malynska": 5},
                                rescan=["zhytomyrska"], served_role="supervisor")
    assert received == 0
    assert [str(c.id) for c in store.all(Conflict)] == [str(there.record_id)]
    assert store.cursors() == {"malynska": 5}
    assert [(p.mutation_id, p.record_id) for p in store.pending_changes()] == outbox
    again = store.get(Family, fam)
    assert again is not None and again.phone == "+380 67 111 22 33"
    assert store.get(Family, mine.id) is not None
    assert store.served_role() == "supervisor"
    # Reading the community again brings the records back, merged into what is held.
    assert store.apply_pull([pulled_family, here], {"zhytomyrska": 2}) == 1
    assert {str(c.id) for c in store.all(Conflict)} == {str(here.record_id),
                                                        str(there.record_id)}
    store.close()
    reopened = LocalStore.open(path, PIN)
    assert reopened.served_role() == "supervisor"
    assert reopened.cursors() == {"zhytomyrska": 2, "malynska": 5}
    assert len(reopened.pending_changes()) == 2
    reopened.close()


def test_a_rescan_is_atomic_with_its_page(store: LocalStore) -> None:
    fam = str(uuid.uuid4())
    conflict = _conflict("zhytomyrska", 2, fam)
    held = _pulled(fam, "family", "malynska", 3, {"family_name": "Коваленко",
                                                  "settlement": "Малин"})
    store.apply_pull([conflict, held], {"zhytomyrska": 2, "malynska": 3},
                     served_role="supervisor")
    moved = _pulled(fam, "family", "zhytomyrska", 4, {"family_name": "Коваленко",
                                                      "settlement": "Житомир"})
    with pytest.raises(RecordRefused):  # the page fails after the rescan's deletes
        store.apply_pull([moved], {"zhytomyrska": 0, "malynska": 4}, rescan=["zhytomyrska"],
                         served_role="social_worker")
    assert [str(c.id) for c in store.all(Conflict)] == [str(conflict.record_id)]
    assert store.cursors() == {"zhytomyrska": 2, "malynska": 3}
    assert store.served_role() == "supervisor"
