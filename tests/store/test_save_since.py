"""``save(model, since=snapshot)``: an edit form saves only what it changed, against what it
loaded, and the listing cache shows the stored record (not the form's model)."""

from __future__ import annotations

from field_app.store import LocalStore
from shared_models.enums import RiskLevel
from shared_models.records import Visit
from tests.store.conftest import family, visit


def test_a_change_made_meanwhile_is_kept_and_the_listing_shows_it(store: LocalStore) -> None:
    f = family()
    store.save(f)
    v = visit(f.id, child_needs="перший опис", next_steps="крок 1")
    store.save(v)
    assert len(store.all(Visit)) == 1                 # the listing cache is built
    loaded = store.snapshot(Visit, v.id)              # the form opens
    assert loaded is not None
    other = v.model_copy(update={"next_steps": "крок 2 (з іншого вікна)"})
    store.save(other)                                 # meanwhile, another edit
    mine = loaded.model.model_copy(update={"risk_level": RiskLevel.HIGH})
    store.save(mine, since=loaded)
    now = store.get(Visit, v.id)
    assert now is not None
    assert now.risk_level is RiskLevel.HIGH
    assert now.next_steps == "крок 2 (з іншого вікна)"  # not put back to what the form had
    assert store.all(Visit) == [now]                  # the cache holds the stored record
    last = store.pending_changes()[-1]
    assert set(last.writes) == {"risk_level"}
    assert last.writes["risk_level"].supersedes == (loaded.clocks["risk_level"],)
    assert store.verify() == []


def test_nothing_changed_since_loading_writes_nothing(store: LocalStore) -> None:
    f = family()
    store.save(f)
    v = visit(f.id)
    store.save(v)
    loaded = store.snapshot(Visit, v.id)
    assert loaded is not None
    count = store.pending_count()
    assert store.save(loaded.model, since=loaded) is None
    assert store.pending_count() == count
