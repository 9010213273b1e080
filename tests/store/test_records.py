"""Saving, reading, listing, deleting records through the real store on a real file."""

from __future__ import annotations

import uuid

import pytest

from field_app.store import LocalStore, Locked, RecordRefused, StoreExists, StoreNotFound
from shared_models.records import Family, Note, Person, Visit
from tests.store.conftest import PIN, family, note, person, sql, visit


def test_save_get_roundtrip_survives_reopen(store: LocalStore, path) -> None:
    f = family(phone="+380 67 123 45 67", address="вул. Миру, 11")
    assert store.save(f) is not None
    assert store.get(Family, f.id) == f
    store.close()
    again = LocalStore.open(path, PIN)
    assert again.get(Family, f.id) == f
    assert again.get(Family, str(f.id)) == f
    assert again.user == "olena"
    again.close()


def test_saving_identical_model_writes_nothing(store: LocalStore, path) -> None:
    f = family()
    store.save(f)
    before = store.pending_count()
    wal = path.with_name(path.name + "-wal")
    size = wal.stat().st_size
    assert store.save(f) is None
    assert store.save(store.get(Family, f.id)) is None  # type: ignore[arg-type]
    assert store.pending_count() == before
    assert wal.stat().st_size == size  # not one byte written


def test_edit_writes_only_changed_fields_superseding_what_was_seen(store: LocalStore) -> None:
    f = family()
    store.save(f)
    first = store.pending_changes()[0]
    f.address = "вул. Шевченка, 2"
    store.save(f)
    second = store.pending_changes()[1]
    assert set(second.writes) == {"address"}
    assert second.writes["address"].supersedes == (first.writes["address"].clock,)
    assert second.writes["address"].clock > first.writes["address"].clock
    assert second.writes["address"].author == "olena"
    assert store.get(Family, f.id).address == "вул. Шевченка, 2"  # type: ignore[union-attr]


def test_get_of_other_kind_or_unknown_id_is_none(store: LocalStore) -> None:
    f = family()
    store.save(f)
    assert store.get(Person, f.id) is None
    assert store.get(Family, uuid.uuid4()) is None


def test_all_filters_and_order(store: LocalStore) -> None:
    a, b = family(family_name="Андрієнко"), family(family_name="Бойко", community="malynska")
    store.save(a)
    store.save(b)
    kids = [person(a.id, first_name=n) for n in ("Оля", "Петро")]
    for k in kids:
        store.save(k)
    store.save(person(b.id))
    assert [m.id for m in store.all(Family)] == [a.id, b.id]
    assert [m.id for m in store.all(Family, community="malynska")] == [b.id]
    assert [m.first_name for m in store.all(Person, family_id=a.id)] == ["Оля", "Петро"]
    assert [m.first_name for m in store.all(Person, family_id=str(a.id))] == ["Оля", "Петро"]
    with pytest.raises(ValueError, match="unknown filter"):
        store.all(Family, nonsense=1)


def test_all_returns_copies_not_the_cache(store: LocalStore) -> None:
    f = family()
    store.save(f)
    listed = store.all(Family)[0]
    listed.family_name = "Змінено"
    assert store.all(Family)[0].family_name == "Коваленко"
    v = visit(f.id, services=["001.0"])
    store.save(v)
    store.all(Visit)[0].services.append("002.0")
    assert store.all(Visit)[0].services == ["001.0"]


def test_search_by_name_is_case_insensitive(store: LocalStore) -> None:
    for name in ("Коваленко", "Шевченко", "Коваль"):
        store.save(family(family_name=name))
    found = store.search(Family, "КОВАЛ")
    assert sorted(f.family_name for f in found) == ["Коваленко", "Коваль"]
    f = found[0]
    f.family_name = "Мельник"
    store.save(f)  # the cache follows our own writes
    assert len(store.search(Family, "коваль")) == 1
    assert [m.family_name for m in store.search(Family, "мельн")] == ["Мельник"]


def test_preload_fills_the_cache_used_by_search(store: LocalStore, path) -> None:
    store.save(family(family_name="Левченко"))
    store.close()
    s = LocalStore.open(path, PIN)
    s.preload(Family, Person)
    assert set(s._models) == {"family", "person"}
    assert [f.family_name for f in s.search(Family, "левч")] == ["Левченко"]
    s.lock()
    assert s._models == {}  # decrypted models leave memory with the key
    s.close()


def test_delete_is_a_tombstone_hidden_by_default(store: LocalStore) -> None:
    f = family()
    store.save(f)
    mid = store.delete(Family, f.id)
    assert mid is not None
    assert store.get(Family, f.id) is None
    assert store.all(Family) == []
    assert store.get(Family, f.id, include_deleted=True).deleted  # type: ignore[union-attr]
    assert store.all(Family, include_deleted=True)[0].deleted
    assert store.pending_changes()[-1].writes.keys() == {"deleted"}
    assert store.delete(Family, f.id) is None  # already deleted: nothing written


def test_notes_are_immutable(store: LocalStore) -> None:
    f = family()
    store.save(f)
    n = note(f.id)
    store.save(n)
    assert store.save(n) is None  # the same note again is fine
    n.text = "Виправлений текст"
    with pytest.raises(RecordRefused) as err:
        store.save(n)
    assert "cannot be edited" in err.value.reason
    with pytest.raises(RecordRefused):
        store.delete(Note, n.id)
    assert store.get(Note, n.id).text == "Родина отримала консультацію"  # type: ignore[union-attr]


def test_moving_a_record_to_another_community_is_refused(store: LocalStore) -> None:
    f = family()
    store.save(f)
    moved = Family.model_validate({**f.model_dump(), "community": "malynska"})
    with pytest.raises(RecordRefused):
        store.save(moved)


def test_lock_drops_key_and_every_operation_raises_locked(store: LocalStore) -> None:
    f = family()
    store.save(f)
    store.lock()
    assert store.locked
    calls = [lambda: store.get(Family, f.id), lambda: store.all(Family),
             lambda: store.save(family()), lambda: store.delete(Family, f.id),
             store.pending_changes, store.cursors, lambda: store.get_secret("token"),
             lambda: store.search(Family, "к"), lambda: store.acknowledge(["x"]),
             lambda: store.apply_pull([], {}), lambda: store.set_user("x"),
             lambda: store.change_pin(PIN, "730194"), store.pending_count]
    for call in calls:
        with pytest.raises(Locked):
            call()
    store.unlock(PIN)
    assert store.get(Family, f.id) == f


def test_open_missing_and_create_existing(path) -> None:
    with pytest.raises(StoreNotFound):
        LocalStore.open(path, PIN)
    path.write_bytes(b"not a database at all, just some bytes" * 100)
    with pytest.raises(StoreExists):
        LocalStore.create(path, PIN)
    with pytest.raises(StoreNotFound):
        LocalStore.open(path, PIN)


def test_pragmas_are_set(store: LocalStore, path) -> None:
    store.save(family())
    with store._engine.connect() as conn:  # the store's own connection settings
        got = {p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
               for p in ("journal_mode", "synchronous", "secure_delete", "temp_store")}
    assert got == {"journal_mode": "wal", "synchronous": 2, "secure_delete": 1, "temp_store": 2}
    assert sql(path, "PRAGMA journal_mode") == [("wal",)]


def test_write_transactions_begin_immediate(store: LocalStore, path) -> None:
    statements: list[str] = []
    from sqlalchemy import event

    @event.listens_for(store._engine, "before_cursor_execute")
    def _record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    store.save(family())
    assert "BEGIN IMMEDIATE" in statements
    store.all(Family)
    assert statements.count("BEGIN IMMEDIATE") == 1  # reads do not take the write lock


def test_person_and_visit_roundtrip(store: LocalStore) -> None:
    f = family()
    store.save(f)
    p = person(f.id, birth_date="2015-03-01", sex="female")
    v = visit(f.id, services=["001.0", "002.0"], present=[p.id], child_needs="Потребує\nуваги")
    store.save(p)
    store.save(v)
    assert store.get(Person, p.id) == p
    assert store.get(Visit, v.id) == v


def test_concurrent_saves_from_threads(store: LocalStore) -> None:
    """Flet runs event handlers on worker threads: saves from several at once all land."""
    import threading

    fams = [[family(family_name=f"Т{t}-{i}") for i in range(15)] for t in range(4)]
    errors: list[BaseException] = []

    def work(batch: list[Family]) -> None:
        try:
            for f in batch:
                store.save(f)
                f.address = "оновлено"
                store.save(f)
                store.all(Family)
        except BaseException as exc:  # reported below, with the thread's traceback
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(b,)) for b in fams]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.all(Family, address="оновлено")) == 60
    assert store.pending_count() == 120
    assert store.verify() == []
