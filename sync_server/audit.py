"""Append-only audit log: who did what, when, to which record ids — never names, notes, tokens.

Actions: ``login`` (ok/failed/rate_limited), ``logout``, ``push`` (one row per batch),
``push_refused`` (one row per rejected mutation), ``pull``, ``review`` (a review record
accepted), ``export``, ``revoke_device``, ``lost_work_report`` (a revoked device's counts of
what its wipe erased), ``create_user``, ``refused`` (a request answered
401/403/429), ``legacy_case`` (the closed case written for a family closed with the retired
flag: by migration ``0007_legacy_cases``, actor ``server``, or on the push of an older app).
The table has triggers that refuse UPDATE and DELETE.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from sync_server.db import write_tx
from sync_server.security import address_key
from sync_server.tables import AuditEntry, table_of
from sync_server.upsert import bulk_insert

if TYPE_CHECKING:
    from fastapi import Request

#: Most record ids kept in one audit row (a push of 500 mutations still fits).
MAX_IDS = 500


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit row before it is written."""

    action: str
    outcome: str
    actor: str | None = None
    device_id: uuid.UUID | None = None
    community: str | None = None
    record_ids: Sequence[str] = field(default_factory=tuple)
    detail: str = ""
    address: str | None = None


def write_events(conn: Connection, events: Iterable[AuditEvent]) -> None:
    """Append ``events`` in the caller's transaction."""
    now = datetime.now(UTC)
    rows = [
        {"at": now, "actor": e.actor, "device_id": e.device_id, "action": e.action,
         "outcome": e.outcome, "community": e.community,
         "record_ids": [str(r) for r in e.record_ids][:MAX_IDS], "detail": e.detail[:300],
         "address": e.address}
        for e in events
    ]
    bulk_insert(conn, table_of(AuditEntry), rows)


def request_address(request: Request) -> str | None:
    """Keyed hash of the client address of ``request`` (``None`` when unknown)."""
    host = request.client.host if request.client else None
    if host is None:
        return None
    return address_key(request.app.state.settings.secret_key.get_secret_value(), host)


def audit_refusal(request: Request, *, status: int, code: str) -> None:
    """Audit a request refused with 401/403/429, in its own transaction."""
    principal = getattr(request.state, "principal", None)
    event = AuditEvent(
        action="refused", outcome="refused",
        actor=principal.username if principal else getattr(request.state, "actor", None),
        device_id=principal.device_id if principal else None,
        detail=f"{request.method} {request.url.path} -> {status} {code}",
        address=request_address(request),
    )
    with write_tx(request.app.state.engine) as conn:
        write_events(conn, [event])
