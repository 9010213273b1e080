"""Reading communities again after a role change (the pull's ``rescan`` notice).

Only ``conflict`` records depend on the role (a social worker receives those they wrote a side
of, reviewers every one of their communities), so a rescan drops exactly those of the named
communities, with their cursors; the pull that follows from position 0 brings back the ones
the current role sees. Every other record comes again too and merges idempotently into what
the device holds. The outbox is never touched, and a record with a pending write is never
dropped (devices do not write conflict records, so none has one; the guard keeps it true).

The role the held feed was served as is kept sealed (``SERVED_ROLE``), written in the same
transaction as the page that brought it, and sent back with every pull.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from field_app.store.core import CURSORS, OUTBOX, RECORDS, StoreCore
from field_app.store.crypto import Cipher
from shared_models.enums import RecordKind

#: Name of the sealed entry holding the role the device's feed was last served as.
SERVED_ROLE = "sync.served_role"
_UPSERT_CURSOR = (f"INSERT INTO {CURSORS.name} (community, position) VALUES (?, ?) "  # noqa: S608
                  "ON CONFLICT (community) DO UPDATE SET position = excluded.position")


def forget_for_rescan(conn: Connection, communities: Collection[str]) -> int:
    """Delete the conflict records and the cursors of ``communities`` (the caller's write
    transaction); returns how many records went."""
    codes = sorted(communities)
    if not codes:
        return 0
    dropped = conn.execute(delete(RECORDS).where(
        RECORDS.c.kind == RecordKind.CONFLICT.value, RECORDS.c.community.in_(codes),
        RECORDS.c.dirty.is_(False),
        RECORDS.c.id.notin_(select(OUTBOX.c.record_id)))).rowcount
    conn.execute(delete(CURSORS).where(CURSORS.c.community.in_(codes)))
    return int(dropped)


def store_cursors(conn: Connection, cursors: Mapping[Any, int], skip: Collection[str]) -> None:
    """Store a page's cursors, except those of ``skip`` (read again from the start)."""
    rows = [(code, int(position)) for code, position in (
        (str(getattr(key, "value", key)), position) for key, position in cursors.items())
        if code not in skip]
    if rows:  # one statement for every community (a coordinator's page carries 11)
        conn.exec_driver_sql(_UPSERT_CURSOR, rows)


class RescanHooks(StoreCore):
    """The store's side of the notice: the served role, and forgetting before a rescan."""

    def served_role(self) -> str | None:
        """The role this device's held feed was served as (``None``: not told yet)."""
        raw = self.get_secret(SERVED_ROLE)
        return raw.decode() if raw else None

    def _scope_notices(self, cipher: Cipher, conn: Connection, again: Collection[str],
                       served_role: str | None) -> int:
        """Forget what ``again`` must bring anew and keep ``served_role`` (in the caller's
        transaction); returns how many conflict records were dropped."""
        if served_role is not None and (
                self._read_secret(cipher, conn, SERVED_ROLE) != served_role.encode()):
            self._put_secret(cipher, conn, SERVED_ROLE, served_role.encode())
        dropped = forget_for_rescan(conn, again)
        if dropped:
            self._models.pop(RecordKind.CONFLICT.value, None)
            self._corrupt.clear()
        return dropped
