"""Acknowledging in bulk: what a push's answer folds into the store, checked against the rule.

``acknowledge`` settles a whole batch in one transaction with a few queries, and takes a
shortcut for records the server never had that one entry created (their new base is that
entry's writes; their view cannot change). Whatever mix of creates, edits, deletes and
partial acknowledgements, each record's base must become the merge of its old base and the
acknowledged writes, its view the merge of that base and what is still pending, and its
dirty flag say whether anything is. ``pending_wire`` must carry exactly what
``pending_changes`` does, in the push's wire form.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from field_app.store import LocalStore
from field_app.store.core import RECORDS
from shared_models.merge import RecordState, merge_all
from shared_models.protocol import Mutation
from shared_models.records import Family
from tests.store.conftest import create_store, family

NAMES = ["Коваленко", "Бондар", "Ткачук"]


def records(store: LocalStore) -> dict[str, tuple[RecordState | None, dict[str, Any], bool]]:
    """Every record's decrypted base state, view and dirty flag."""
    cipher = store._need_cipher()
    with store._reader.connect() as conn:
        rows = conn.execute(select(RECORDS)).all()
    return {r.id: ((store._open_state(cipher, r.base_ct, r.id, r.kind, r.community)
                    if r.base_ct is not None else None),
                   store._open_view(cipher, r.view_ct, r.id, r.kind, r.community), bool(r.dirty))
            for r in rows}


def check_wire(store: LocalStore) -> None:
    pending = store.pending_changes()
    wire = store.pending_wire()
    assert [w.mutation_id for w in wire] == [str(p.mutation_id) for p in pending]
    for w, p in zip(wire, pending, strict=True):
        assert Mutation.model_validate(w.wire()) == p.to_mutation()
        # Empty ``supersedes`` lists stay out (the default): a bulk push is ~10% smaller.
        assert all(f.get("supersedes") != [] for f in w.wire()["fields"].values())


ops = st.lists(st.tuples(st.sampled_from(["new", "edit", "delete", "ack"]),
                         st.integers(0, 50), st.sampled_from(NAMES)), min_size=1, max_size=25)


@given(program=ops)
@settings(max_examples=40, deadline=None, database=None)
def test_bulk_acknowledge_follows_the_merge_rule(program: list[tuple[str, int, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = create_store(Path(tmp) / "s.db")
        store.set_user("olena")
        ids: list[str] = []
        for op, n, name in program:
            if op == "new" or not ids:
                created = family(family_name=name)
                store.save(created)
                ids.append(str(created.id))
            elif op == "edit":
                model = store.get(Family, ids[n % len(ids)], include_deleted=True)
                if model is not None:
                    store.save(model.model_copy(update={"settlement": name}))
            elif op == "delete":
                store.delete(Family, ids[n % len(ids)])
            else:
                check_wire(store)
                before = records(store)
                pending = store.pending_changes()
                acked = [p for i, p in enumerate(pending) if (n >> (i % 6)) & 1 or i >= 6]
                assert store.acknowledge([p.mutation_id for p in acked]) == len(acked)
                after = records(store)
                assert after.keys() == before.keys()
                for rid, (base, _view, _dirty) in before.items():
                    mine = [p.to_state() for p in acked if p.record_id == rid]
                    rest = [p.to_state() for p in pending if p.record_id == rid
                            and p not in acked]
                    new_base = merge_all([s for s in (base, *mine) if s]) if mine else base
                    view = merge_all([s for s in (new_base, *rest) if s]).values()
                    assert after[rid] == (new_base, view, bool(rest))
        assert store.verify() == []
        store.close()
