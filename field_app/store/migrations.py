"""Migrations of the device's data, run when an older store is unlocked.

The tables' layout has not changed since version 1; what changes is what the records mean, and
that needs the data key, so these run at unlock (``LocalStore._unlocked``), not at open. The
store's version is the ``schema_version`` row of the meta table; a store made by this code
starts at ``SCHEMA_VERSION`` and never migrates.

Each step is idempotent and the version is written after it, so a kill in the middle only
means the step runs again at the next unlock.

* 1 -> 2, the case cycle: a family closed with the retired ``Family.closed`` flag gets a
  closed case (reason ``legacy``) with the id ``shared_models.cases.legacy_case_id`` and the
  values of ``legacy_case_fields``, dated by the clock of the family's ``closed`` write. It is
  saved as an ordinary edit (it syncs): the server's migration makes the same record from
  the same write, so when the two meet they are one case with equal values, not a conflict.
  The step also adds the partial index of unsynced records (``schema.LocalRecord``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, text

from field_app.store.core import META
from shared_models.cases import legacy_case_id, legacy_case_values
from shared_models.records import Case, Family

if TYPE_CHECKING:
    from field_app.store.store import LocalStore

log = logging.getLogger(__name__)

VERSION_ROW = "schema_version"
#: The version of stores made before the case cycle.
BEFORE_CASES = 1
#: ``schema.LocalRecord``'s index of unsynced records, for stores made without it.
DIRTY_INDEX = ("CREATE INDEX IF NOT EXISTS ix_local_record_dirty ON local_record (id) "
               "WHERE dirty = 1")


def stored_version(store: LocalStore) -> int:
    """The data version the store's meta table records."""
    with store._reader.connect() as conn:
        value = conn.execute(select(META.c.value).where(META.c.name == VERSION_ROW)).scalar()
    return int(value) if value is not None else BEFORE_CASES


def _set_version(store: LocalStore, version: int) -> None:
    with store._write() as (_cipher, conn):
        conn.execute(delete(META).where(META.c.name == VERSION_ROW))
        conn.execute(insert(META).values(name=VERSION_ROW, value=str(version)))


def legacy_cases(store: LocalStore) -> int:
    """Give every family closed with the old flag its closed case; the number made."""
    made = 0
    for family in store.all(Family):
        if not family.closed:
            continue
        if store.get(Case, legacy_case_id(family.id), include_deleted=True) is not None:
            continue   # made before a kill, or pulled from the server's migration
        state = store.local_state(family.id)
        written = state.fields.get("closed") if state is not None else None
        if written is None:
            continue
        values = legacy_case_values(family.id, written.clock)
        store.save(Case.model_validate({**values, "id": legacy_case_id(family.id),
                                        "community": family.community}))
        made += 1
    return made


def dirty_index(store: LocalStore) -> None:
    """Add the partial index of unsynced records that stores made since version 2 have."""
    with store._write() as (_cipher, conn):
        conn.execute(text(DIRTY_INDEX))


def migrate(store: LocalStore, target: int) -> int:
    """Bring an unlocked store's data up to ``target``; the version it was at."""
    version = stored_version(store)
    if version < 2 <= target:
        dirty_index(store)
        made = legacy_cases(store)
        log.info("store migrated to 2: %d closed families given a legacy case", made)
        _set_version(store, 2)
    return version
