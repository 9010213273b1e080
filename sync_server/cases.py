"""One open case per family: the push refuses a change that would leave two.

A case is open while its ``closed_on`` is empty and it is not deleted. A family may have any
number of closed cases (a closed case is reopened as a new case naming it in ``reopens``) but
one open case at most: two workers opening a case on the same family offline would otherwise
run two assessments and two plans for one family. The first case to reach the server stands;
the second is refused (``case_already_open``, per mutation) and held on its device, where the
worker closes one or writes into the other.

Checked when a change creates a case or writes a field that can make it open or move it to
another family (``family_id``, ``closed_on``, ``deleted``), against the stored cases (the
typed ``case`` table, indexed by ``family_id``) and the cases written earlier in the same
batch. The push holds its communities' feed locks while it checks, and a case is in its
family's community (``references``), so two pushes cannot both pass for one family.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import Connection, select

from shared_models.enums import RecordKind
from shared_models.messages import MESSAGES
from shared_models.records import Case, Record
from sync_server.tables import KIND_TABLES

#: Fields whose change can open a case, or put an open one on another family.
OPENING_FIELDS = frozenset({"family_id", "closed_on", "deleted"})
_CASES = KIND_TABLES[RecordKind.CASE]


def is_open(case: Case) -> bool:
    """Whether the case counts as the family's open case."""
    return case.closed_on is None and not case.deleted


def open_case_problem(conn: Connection, case: Case, *, created: bool,
                      written: frozenset[str] | set[str],
                      batch: Mapping[str, Record]) -> str | None:
    """Why ``case`` (merged, validated) cannot stand as an open case, or ``None``.

    ``batch``: the records written earlier in this push by id (their models), which the
    typed table does not hold yet.
    """
    if not is_open(case) or not (created or written & OPENING_FIELDS):
        return None
    own = str(case.id)
    stored = conn.execute(select(_CASES.c.id).where(
        _CASES.c.family_id == case.family_id, _CASES.c.closed_on.is_(None),
        _CASES.c.deleted.is_(False))).scalars()
    others = {str(uuid.UUID(str(rid))) for rid in stored} - {own}
    for rid, model in batch.items():
        if rid == own or not isinstance(model, Case):
            continue
        if model.family_id == case.family_id and is_open(model):
            others.add(rid)
        else:  # closed, deleted or moved earlier in this batch: no longer counts
            others.discard(rid)
    if not others:
        return None
    uk, en = MESSAGES["case_already_open"]
    return f"family_id: {uk} ({en})"
