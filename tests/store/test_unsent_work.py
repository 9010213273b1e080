"""``unsent_work``: what a wipe would lose, counted from columns in the clear (locked too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from field_app.services.draft_store import discard_draft, note_key, save_draft, visit_key
from field_app.store import TEST_KDF, LocalStore, StoreWiped
from tests.sync.records import family, visit


def test_counts_outbox_entries_per_kind_and_drafts_even_locked(tmp_path: Path) -> None:
    store = LocalStore.create(tmp_path / "s.db", "482915", kdf=TEST_KDF)
    assert store.unsent_work() == ({}, 0)
    fam = family()
    store.save(fam)
    store.save(visit(fam.id, "olena"))
    store.save(visit(fam.id, "olena"))
    save_draft(store, visit_key(str(fam.id)), {"notes": "x"})
    save_draft(store, note_key(str(fam.id)), {"text": "y"})
    save_draft(store, note_key(str(fam.id)), {"text": "y2"})      # the same draft again
    assert store.unsent_work() == ({"family": 1, "visit": 2}, 2)
    discard_draft(store, note_key(str(fam.id)))
    store.acknowledge([c.mutation_id for c in store.pending_changes() if c.kind == "family"])
    store.lock()                            # a revoked phone may learn it while locked
    assert store.unsent_work() == ({"visit": 2}, 1)
    store.wipe()
    with pytest.raises(StoreWiped):
        store.unsent_work()
