"""What the sync screen shows from the store, and its actions on refused changes (no Flet).

* ``sync_overview`` — changes waiting, the last successful sync, the changes the server
  refused (each with the record it concerns and the reason in plain words), and how many
  conflicts wait for this reader;
* ``retry_refused`` — send a refused change again, folded with the corrections made since;
* ``ago`` — "3 дні тому" for the last sync.

The refused changes stay in the outbox until the server accepts them: nothing here drops one.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from field_app.services.conflicts import open_count
from field_app.services.problem import Problem
from field_app.services.record_names import RecordName, record_name
from field_app.services.values import field_label_key
from field_app.store.interface import RecordStore
from field_app.sync.outcome import forget_settled, last_success_ms, release
from shared_models.protocol import ErrorCode

#: "<field>: <message>" as the server words a validation refusal.
_FIELD_REASON = re.compile(r"^(?P<field>[a-z_]+): (?P<message>.+)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class RefusedChange:
    """A change the server refused, kept on the phone until it is sent again."""

    mutation_id: str
    record: RecordName
    code: str
    #: The reason in plain words: an i18n key and its parameters.
    reason: Problem


@dataclass(frozen=True, slots=True)
class SyncOverview:
    """What the store holds for the sync screen."""

    pending: int
    last_success: datetime | None
    refused: list[RefusedChange]
    open_conflicts: int


#: Refusals whose words need nothing from the server's message.
_PLAIN = {ErrorCode.FORBIDDEN: "sync.refused.forbidden",
          ErrorCode.CONFLICT: "sync.refused.immutable",
          ErrorCode.TOO_LARGE: "sync.refused.too_large",
          ErrorCode.CASE_ALREADY_OPEN: "sync.refused.case_open"}


def reason_problem(kind: str, code: str, reason: str) -> Problem:
    """The server's refusal in plain words with what to do (``sync.refused.*``)."""
    plain = _PLAIN.get(code)  # type: ignore[call-overload]
    if plain is not None:
        return Problem(plain)
    m = _FIELD_REASON.match(reason.strip())
    if code == ErrorCode.REFERENCE_MISSING:
        # The field naming the record the server lacks (``family_id`` when not said).
        field = m.group("field") if m else "family_id"
        return Problem("sync.refused.reference", {"field_key": field_label_key(kind, field)})
    if code == ErrorCode.VALIDATION:
        if m:
            return Problem("sync.refused.invalid_field", {
                "field_key": field_label_key(kind, m.group("field")),
                "message": m.group("message")})
        return Problem("sync.refused.invalid", {"message": reason.strip()})
    return Problem("sync.refused.other", {"code": code, "message": reason.strip()})


def sync_overview(store: RecordStore, *, username: str, role: str) -> SyncOverview:
    """Read the sync screen's figures from the unlocked store (blocking)."""
    pending = store.pending_changes()
    items = forget_settled(store, {str(p.mutation_id) for p in pending})
    refused = [RefusedChange(a.mutation_id, record_name(store, a.kind, a.record_id), a.code,
                             reason_problem(a.kind, a.code, a.reason)) for a in items]
    last = last_success_ms(store)
    return SyncOverview(
        pending=len(pending),
        last_success=datetime.fromtimestamp(last / 1000, UTC) if last else None,
        refused=refused,
        open_conflicts=open_count(store, username=username, role=role),
    )


def retry_refused(store: RecordStore, record_id: str) -> uuid.UUID | None:
    """Send a refused record's changes again at the next sync, as one change.

    The refused entry and every correction made since are folded into one outbox entry
    (the server sees the whole record again), then the refusal is forgotten. Returns the
    new entry's mutation id (``None`` if nothing of the record was waiting).
    """
    mutation_id = store.merge_pending(record_id)
    release(store, record_id)
    return mutation_id


def ago(then: datetime, now: datetime) -> tuple[str, int]:
    """How long ago, as an i18n key (``sync.ago.*``, plural for days) and its number."""
    seconds = max(0.0, (now - then).total_seconds())
    if seconds < 60:
        return "sync.ago.now", 0
    if seconds < 3600:
        return "sync.ago.minutes", int(seconds // 60)
    if seconds < 86400:
        return "sync.ago.hours", int(seconds // 3600)
    return "sync.ago.days", int(seconds // 86400)
