"""Unlocking a store made before the case cycle (data version 1) with data in it: every
family closed with the old flag gets its closed legacy case, once, and syncs it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from field_app.services import cases as cs
from field_app.store import TEST_KDF, LocalStore
from field_app.store.migrations import stored_version
from field_app.store.schema import SCHEMA_VERSION
from shared_models.cases import CaseStage, legacy_case_id
from shared_models.clock import HLC
from shared_models.enums import ClosureReason, RecordKind
from shared_models.records import Case, Family, Visit
from tests.store.conftest import COMMUNITY, PIN, family, sql, visit
from tests.store.test_sync_hooks import wire_change

#: The day the pulled family was closed on the server (the clock of its ``closed`` write).
PULLED_CLOSED = date(2025, 3, 14)


def old_store(path: Path) -> dict[str, Family]:
    """A store as the app before the case cycle left it: families typed here (one closed),
    a family pulled from the server closed there, a visit; data version 1."""
    store = LocalStore.create(path, PIN, kdf=TEST_KDF)
    store.set_user("olena")
    open_ = family(family_name="Відкрита")
    closed_here = family(family_name="Закрита тут", closed=True)
    for f in (open_, closed_here):
        store.save(f)
    store.save(visit(open_.id))
    pulled = family(family_name="Закрита на сервері", closed=True)
    ms = int(datetime(2025, 3, 14, 10, tzinfo=UTC).timestamp() * 1000)
    clock = HLC(ms, 0, "server").encode()
    values = pulled.model_dump(mode="json", exclude={"id", "community"})
    store.apply_pull([wire_change(str(pulled.id), "family", COMMUNITY, 1,
                                  {k: (v, clock, "petro") for k, v in values.items()})],
                     {COMMUNITY: 1})
    store.close()
    # What version 1 did not have: the index of unsynced records, the data version 2.
    sql(path, "DROP INDEX ix_local_record_dirty")
    sql(path, "UPDATE local_meta SET value = '1' WHERE name = 'schema_version'")
    return {"open": open_, "here": closed_here, "pulled": pulled}


def test_unlocking_an_old_store_gives_closed_families_a_legacy_case(tmp_path: Path) -> None:
    path = tmp_path / "poruch.db"
    fams = old_store(path)
    store = LocalStore.open(path, PIN)
    try:
        assert stored_version(store) == SCHEMA_VERSION == 2
        assert sql(path, "SELECT name FROM sqlite_master WHERE name = 'ix_local_record_dirty'")
        made = {str(c.family_id): c for c in store.all(Case)}
        assert set(made) == {str(fams["here"].id), str(fams["pulled"].id)}
        for key in ("here", "pulled"):
            case = made[str(fams[key].id)]
            assert case.id == legacy_case_id(fams[key].id)
            assert case.closure_reason is ClosureReason.LEGACY
            assert case.community.value == COMMUNITY
        assert made[str(fams["pulled"].id)].closed_on == PULLED_CLOSED
        assert made[str(fams["pulled"].id)].opened_on == PULLED_CLOSED
        # The old data is all there, and the cases go to the server like any edit.
        assert len(store.all(Family)) == 3 and len(store.all(Visit)) == 1
        pending = {(p.kind, p.record_id) for p in store.pending_changes()}
        assert (RecordKind.CASE.value, str(legacy_case_id(fams["pulled"].id))) in pending
        # What the app reads: closed families are the families with a closed case.
        assert cs.closed_family_ids(store) == {str(fams["here"].id), str(fams["pulled"].id)}
        view = cs.load_cases(store, fams["pulled"].id, today=date.today())
        assert view.closed and view.earlier[0].stage is CaseStage.CLOSED
        assert view.earlier[0].closure is not None and view.earlier[0].closure.legacy
    finally:
        store.close()


def test_the_migration_runs_once(tmp_path: Path) -> None:
    path = tmp_path / "poruch.db"
    old_store(path)
    store = LocalStore.open(path, PIN)
    pending = store.pending_count()
    store.lock()
    store.unlock(PIN)
    assert store.pending_count() == pending
    store.close()
    # Killed after the cases were made but before the version was written: no second copy.
    sql(path, "DROP INDEX ix_local_record_dirty")
    sql(path, "UPDATE local_meta SET value = '1' WHERE name = 'schema_version'")
    store = LocalStore.open(path, PIN)
    assert store.pending_count() == pending and len(store.all(Case)) == 2
    store.close()


def test_a_new_store_starts_at_the_current_version(tmp_path: Path) -> None:
    store = LocalStore.create(tmp_path / "poruch.db", PIN, kdf=TEST_KDF)
    assert stored_version(store) == SCHEMA_VERSION
    store.close()
