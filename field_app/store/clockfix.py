"""Correcting a device whose wall clock is wrong: an offset, and re-stamping unsynced writes.

A phone whose date is days ahead stamps its edits days ahead; the server refuses such clocks
(``clock_ahead``) so that one phone cannot drag every clock in the region into the future. The
sync client then learns the offset between this phone's wall time and the server's and calls:

* ``set_clock_offset(ms)``: the device clock reads wall time plus the offset from now on;
* ``restamp_pending()``: every unsynced write gets a new clock from the corrected clock, in
  outbox order, each ``supersedes`` that named an earlier unsynced write renamed to match. The
  clock restarts from the highest clock ever received from the server (never below: an edit must
  order after everything this device has seen), so re-stamped writes are no longer ahead.

Values do not change, so what the worker sees does not change either.

Precision: the offset comes from the server's clock in an answer or, where an answer has none,
its ``Date`` header (whole seconds), and it is only changed when it is more than a minute off
(less would let a slow link's latency move a correct phone's clock). So two edits made on
different phones within a second or so of each other may order either way; the order is still
the same everywhere, and the losing text is kept in a conflict.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from field_app.store.codec import writes_to_json
from field_app.store.core import META, OUTBOX, StoreCore, now_ms
from shared_models.clock import HLC, HybridClock
from shared_models.merge import FieldWrite

log = logging.getLogger(__name__)
OFFSET = "clock_offset_ms"
SEEN = "seen_clock"


class ClockFix(StoreCore):
    """Clock offset and re-stamping (mixed into ``LocalStore``)."""

    _offset_ms: int = 0
    _seen: str = ""

    def _wall_ms(self) -> int:
        return now_ms(self._now) + self._offset_ms

    def _load_clock(self, meta: dict[str, str]) -> HybridClock:
        """The device clock after unlock, reading the stored offset and highest seen clock."""
        self._offset_ms = int(meta.get(OFFSET, "0"))
        self._seen = meta.get(SEEN, "")
        return HybridClock(self._device_id, wall=self._wall_ms, max_drift_ms=None,
                           last=meta["clock"])

    def _note_seen(self, clock: str) -> None:
        # Called inside a write transaction; persisted by ``_save_seen`` in the same one.
        self._seen = max(self._seen, clock)

    def _save_seen(self, conn: Connection) -> None:
        _put_meta(conn, SEEN, self._seen)

    @property
    def clock_offset_ms(self) -> int:
        """Milliseconds added to this phone's wall time for the device clock."""
        self._need_cipher()
        return self._offset_ms

    def set_clock_offset(self, offset_ms: int) -> None:
        """Use ``offset_ms`` from now on (learned from the server's time)."""
        with self._write() as (_cipher, conn):
            _put_meta(conn, OFFSET, str(int(offset_ms)))
            self._offset_ms = int(offset_ms)
        log.info("device clock offset set to %d ms", offset_ms)

    def observe_server_time(self, server_ms: int, *, tolerance_ms: int = 60_000) -> bool:
        """Adopt the offset to the server's wall time when it is further off than tolerated.

        Returns True when the offset changed. Small differences are left alone: they are
        within what the server accepts, and changing the offset on every answer would churn.
        """
        offset = int(server_ms) - now_ms(self._now)
        if abs(offset - self.clock_offset_ms) <= tolerance_ms:
            return False
        self.set_clock_offset(offset if abs(offset) > tolerance_ms else 0)
        return True

    def restamp_pending(self) -> int:
        """Give every unsynced write a new clock from the corrected clock; returns how many."""
        with self._write() as (cipher, conn):
            rows = conn.execute(select(OUTBOX).order_by(OUTBOX.c.seq)).all()
            seen = HLC.decode(self._seen) if self._seen else HLC(0, 0, self._device_id)
            start = max((seen.wall_ms, seen.counter), (self._wall_ms(), 0))
            clock = HybridClock(self._device_id, wall=self._wall_ms, max_drift_ms=None,
                                last=HLC(start[0], start[1], self._device_id))
            renamed: dict[str, str] = {}
            for row in rows:
                entry = self._open_pending(cipher, row)
                stamp = clock.now().encode()
                writes = {}
                for name, w in entry.writes.items():
                    renamed[w.clock] = stamp
                    writes[name] = FieldWrite(w.value, stamp,
                                              tuple(renamed.get(s, s) for s in w.supersedes),
                                              w.author)
                sealed = cipher.seal_json(writes_to_json(writes), self._aad(
                    cipher, f"outbox:{row.mutation_id}", row.record_id, row.kind, row.community))
                conn.execute(update(OUTBOX).where(OUTBOX.c.seq == row.seq)
                             .values(payload_ct=sealed))
            self._clock = clock
        log.info("re-stamped %d unsynced changes", len(rows))
        return len(rows)


def _put_meta(conn: Connection, name: str, value: str) -> None:
    conn.execute(delete(META).where(META.c.name == name))
    conn.execute(insert(META).values(name=name, value=value))
