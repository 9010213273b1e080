"""A closed family's legacy case made on the phone and on the server is one case.

A phone from before the case cycle closed a family with the old flag and has not synced.
Updated, its store migrates at unlock: the closed case with ``legacy_case_id`` and the values
of ``legacy_case_values`` of that ``closed`` write. The server makes the same case when the
flag reaches it (its migration 0007, or on push). Both copies meet on the server: one record,
no conflict, and every phone ends with that one case, closed; a second phone that pulled the
family before it was migrated does the same.
"""

from __future__ import annotations

from collections.abc import Callable

from field_app.services import cases as cs
from field_app.store import LocalStore
from shared_models.cases import CaseStage, legacy_case_id
from shared_models.enums import ClosureReason
from shared_models.records import Case, Conflict, Family
from tests.store.conftest import sql
from tests.sync.conftest import PIN, Device


def as_old_store(store: LocalStore) -> None:
    """Make the store one from before the case cycle (data version 1) and unlock it again."""
    store.lock()
    sql(store.path, "DROP INDEX ix_local_record_dirty")
    sql(store.path, "UPDATE local_meta SET value = '1' WHERE name = 'schema_version'")
    store.unlock(PIN)


def test_the_phones_case_and_the_servers_are_one(make_device: Callable[..., Device]) -> None:
    a_store, a = make_device("olena")
    b_store, b = make_device("petro")
    family = Family(community="malynska", family_name="Коваленко", settlement="Малин")
    a_store.save(family)
    a.sync()
    b.sync()
    a_store.save(family.model_copy(update={"closed": True}))   # the old app closes it
    as_old_store(a_store)            # the update: the migration runs at this unlock
    [made] = a_store.all(Case)
    assert made.id == legacy_case_id(family.id)
    assert made.closure_reason is ClosureReason.LEGACY
    for client in (a, b, a, b):
        report = client.sync()
        assert report.rejected == 0
    as_old_store(b_store)            # B had pulled the case already: nothing new to make
    for store in (a_store, b_store):
        assert store.pending_count() == 0
        assert store.all(Case) == [made]
        assert store.all(Conflict) == []
        view = cs.load_cases(store, family.id, today=made.opened_on)
        assert view.closed and view.earlier[0].stage is CaseStage.CLOSED
