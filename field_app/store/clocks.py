"""When each record last changed, as a clock: for "changed after it was reviewed" checks.

Views hold values only; the clocks live in the sealed base state and in the outbox entries.
``last_changed`` opens just those of the records asked for, in one read snapshot, so a
screen can tell whether a visit changed after a decision on it without decrypting every
record's history. The answer covers unsynced local edits too (base merged with the outbox).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from field_app.store.codec import top_clock
from field_app.store.core import OUTBOX, RECORDS, StoreCore
from field_app.store.crypto import Cipher, SealError
from field_app.store.errors import CorruptRecord

log = logging.getLogger(__name__)
#: Ids per ``IN (...)`` query (SQLite's limit on bound parameters is far above this).
_CHUNK = 500


def _top_clock(cipher: Cipher, blob: bytes, associated: bytes, rid: str) -> str:
    """The highest current clock of a sealed base state (``codec.state_to_json``'s form).

    Reads the clocks straight from the JSON: building the whole merge state (and checking
    every clock's form again) took most of the time, and the blob is authenticated.
    """
    try:
        return top_clock(cipher.open_json(blob, associated))
    except (SealError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise CorruptRecord(rid) from exc


class RecordClocks(StoreCore):
    """``last_changed`` of ``LocalStore``."""

    def last_changed(self, record_ids: Iterable[str]) -> dict[str, str]:
        """The highest field clock of each record (base and pending writes), by id.

        Ids not on this device are left out; a record whose sealed state fails
        authentication is left out and reported by ``corrupt_records()``.
        """
        wanted = list(dict.fromkeys(str(i) for i in record_ids))
        out: dict[str, str] = {}
        with self._mutex:
            cipher = self._need_cipher()
            with self._reader.connect() as conn:
                rows: list[Any] = []
                entries: list[Any] = []
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start:start + _CHUNK]
                    rows += conn.execute(select(RECORDS.c.id, RECORDS.c.kind,
                                                RECORDS.c.community, RECORDS.c.base_ct)
                                         .where(RECORDS.c.id.in_(chunk))).all()
                    entries += conn.execute(select(OUTBOX)
                                            .where(OUTBOX.c.record_id.in_(chunk))).all()
            for rid, kind, community, base_ct in rows:
                if base_ct is None:
                    continue
                try:
                    out[rid] = _top_clock(cipher, base_ct, self._aad(cipher, "base", rid, kind,
                                                                     community), rid)
                except CorruptRecord as exc:
                    self._corrupt[rid] = exc
                    log.warning("record %s failed authentication", rid)
            for entry in entries:
                try:
                    pending = self._open_pending(cipher, entry)
                except CorruptRecord as exc:
                    self._corrupt[entry.record_id] = exc
                    log.warning("outbox entry of %s failed authentication", entry.record_id)
                    continue
                top = max(w.clock for w in pending.writes.values())
                if top > out.get(entry.record_id, ""):
                    out[entry.record_id] = top
        return out
