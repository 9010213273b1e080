"""Edits against what the editor saw: ``state()`` and ``save(model, seen=...)``.

A form loaded minutes ago must not overwrite what arrived meanwhile: only the fields the
editor changed are written, and each write supersedes the clock the editor saw.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from field_app.store import LocalStore
from shared_models.enums import RiskLevel
from shared_models.records import Family, Visit
from tests.store.conftest import family, visit


def test_state_is_the_merged_local_state_with_clocks(store: LocalStore) -> None:
    f = family()
    store.save(f)
    state = store.state(Family, f.id)
    assert state is not None
    assert state.values()["family_name"] == "Коваленко"
    first = state.clocks()["family_name"]
    f.family_name = "Коваленки"
    store.save(f)
    later = store.state(Family, f.id)
    assert later is not None and later.clocks()["family_name"] > first
    assert store.state(Visit, f.id) is None            # another kind: not that record
    assert store.state(Family, "nowhere") is None


def test_a_save_against_what_was_seen_keeps_a_change_made_meanwhile(
        store: LocalStore) -> None:
    f = family()
    store.save(f)
    v = visit(f.id, child_needs="перший опис", next_steps="крок 1")
    store.save(v)
    seen = store.state(Visit, v.id)                    # the form opens
    assert seen is not None
    other = store.get(Visit, v.id)                     # meanwhile, another edit
    assert other is not None
    other.next_steps = "крок 2 (з іншого вікна)"
    store.save(other)
    mine = v.model_copy(update={"risk_level": RiskLevel.HIGH})  # loaded values + one edit
    store.save(mine, seen=seen)
    now = store.get(Visit, v.id)
    assert now is not None
    assert now.risk_level.value == "high"
    assert now.next_steps == "крок 2 (з іншого вікна)"  # not put back to what the form had
    assert store.all(Visit)[0] == now                   # the listing cache shows the same
    last = store.pending_changes()[-1]
    assert set(last.writes) == {"risk_level"}
    assert last.writes["risk_level"].supersedes == (seen.clocks()["risk_level"],)
    assert store.verify() == []


def test_the_same_field_changed_by_both_stays_as_a_conflict(store: LocalStore) -> None:
    f = family()
    store.save(f)
    v = visit(f.id, child_needs="перший опис")
    store.save(v)
    seen = store.state(Visit, v.id)
    assert seen is not None
    other = v.model_copy(update={"child_needs": "опис з іншого вікна"})
    store.save(other)                                   # saw the current value: supersedes it
    store.save(v.model_copy(update={"child_needs": "мій опис"}), seen=seen)
    state = store.state(Visit, v.id)
    assert state is not None
    assert state.values()["child_needs"] == "мій опис"
    assert [w.value for w in state.conflicts()["child_needs"]] == ["опис з іншого вікна"]


def test_without_seen_the_same_save_would_overwrite_silently(store: LocalStore) -> None:
    """What ``seen`` is for: the plain save diffs against the record as it is now."""
    f = family()
    store.save(f)
    v = visit(f.id, child_needs="перший опис")
    store.save(v)
    store.save(v.model_copy(update={"child_needs": "опис з іншого вікна"}))
    store.save(v.model_copy(update={"child_needs": "мій опис"}))
    state = store.state(Visit, v.id)
    assert state is not None
    assert state.values()["child_needs"] == "мій опис"
    assert state.conflicts() == {}


def test_nothing_changed_against_what_was_seen_writes_nothing(store: LocalStore) -> None:
    f = family()
    store.save(f)
    v = visit(f.id, visited_at=datetime.now(UTC) - timedelta(hours=2))
    store.save(v)
    seen = store.state(Visit, v.id)
    count = store.pending_count()
    assert store.save(v, seen=seen) is None
    assert store.pending_count() == count
