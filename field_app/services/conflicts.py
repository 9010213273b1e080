"""Edit conflicts: which a person may see, the two values, and resolving one (no Flet).

A conflict record (``shared_models.records.Conflict``, written by the server) keeps the value
that lost a concurrent edit beside the one that won. Who sees it: its authors, and the
supervisors and coordinators of its community (the server sends a device only its
communities; a social worker is shown only conflicts they took part in). Resolving is an
ordinary edit of the record's field that supersedes both sides
(``LocalStore.resolve_conflict``): it syncs like any edit and closes the conflict on every
device. Until the server has marked the conflict resolved, a conflict resolved on this phone
is "settled here" — its record's field already supersedes the losing write.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from field_app.services.problem import Problem
from field_app.services.record_names import RecordName, record_name
from field_app.services.values import TEXT_FIELDS, is_text_field
from field_app.store.interface import RecordStore
from field_app.texts.validation import FALLBACK
from shared_models.clock import HLC, ClockError
from shared_models.enums import ConflictStatus, Role
from shared_models.messages import MESSAGES
from shared_models.records import Conflict, model_class

log = logging.getLogger(__name__)

__all__ = ["TEXT_FIELDS", "ConflictGone", "ConflictRow", "ConflictSide", "ResolveInvalid",
           "conflicts_for_record", "get_conflict", "is_text_field", "list_conflicts",
           "merged_prefill", "open_count", "resolve", "visible_to"]


@dataclass(frozen=True, slots=True)
class ConflictSide:
    """One of the two values: what, who, when, and whether it is the reader's own."""

    value: Any
    author: str
    at: datetime | None
    mine: bool
    #: The record shows this value now (the later edit, or the one chosen since).
    current: bool


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """One conflict as the screens show it."""

    id: str
    record: RecordName
    field: str
    #: The reader's own value first when they wrote one, else the later edit first.
    sides: tuple[ConflictSide, ConflictSide]
    #: The record's value now (another value when someone edited the field since).
    current_value: Any
    #: Resolved on this phone, waiting to be sent (the server has not closed it yet).
    settled_here: bool
    changed_at: datetime | None

    @property
    def text(self) -> bool:
        """Whether a merged value can be written (a text field)."""
        return is_text_field(self.record.kind, self.field)


class ConflictGone(LookupError):
    """The conflict (or its record) is not on this phone, or not for this reader."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class ResolveInvalid(ValueError):
    """The chosen or merged value is not valid for the field: the validation error's code
    (``shared_models.messages``) and its data; the words are ``valid.<code>`` in the tables."""

    def __init__(self, code: str, params: dict[str, object]) -> None:
        super().__init__(code)
        self.code, self.params = code, params

    @property
    def problem(self) -> Problem:
        """What the view words: ``valid.<code>`` with the error's data."""
        return Problem(f"valid.{self.code}", dict(self.params))


def _invalid(exc: ValidationError, field: str) -> ResolveInvalid:
    """The field's first error (else the first one) as a code and its data."""
    errors = exc.errors()
    err = next((e for e in errors if tuple(e.get("loc", ())) == (field,)),
               errors[0] if errors else None)
    if err is None or err["type"] not in MESSAGES:
        return ResolveInvalid(FALLBACK, {})
    ctx: dict[str, object] = dict(err.get("ctx") or {})
    if "expected" in ctx:  # pydantic quotes the choices; people read them bare
        ctx["expected"] = str(ctx["expected"]).replace("'", "")
    return ResolveInvalid(err["type"], ctx)


def visible_to(conflict: Conflict, username: str, role: str) -> bool:
    """Whether this reader sees the conflict: a social worker only their own."""
    if role == Role.SOCIAL_WORKER.value:
        return username in (conflict.winner_author, conflict.loser_author)
    return True


def _at(clock: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(HLC.decode(clock).wall_ms / 1000, UTC)
    except (ClockError, ValueError, OverflowError):
        return None


def _settled(state: Any, conflict: Conflict) -> bool:
    """The record's field on this phone supersedes the losing write (resolved here)."""
    if state is None:
        return False
    fs = state.fields.get(conflict.field)
    return fs is not None and conflict.loser_clock in fs.superseded


def _row(store: RecordStore, conflict: Conflict, username: str,
         states: dict[str, Any]) -> ConflictRow:
    rid = str(conflict.record_id)
    if rid not in states:
        try:
            states[rid] = store.local_state(rid)
        except Exception as exc:  # a damaged record: the conflict still shows
            log.warning("record %s unreadable: %s", rid, type(exc).__name__)
            states[rid] = None
        state = states[rid]
    state = states[rid]
    current = state.fields[conflict.field].value if state is not None and \
        conflict.field in state.fields else conflict.winner_value
    winner = ConflictSide(conflict.winner_value, conflict.winner_author,
                          _at(conflict.winner_clock), conflict.winner_author == username,
                          conflict.winner_value == current)
    loser = ConflictSide(conflict.loser_value, conflict.loser_author,
                         _at(conflict.loser_clock), conflict.loser_author == username,
                         conflict.loser_value == current)
    sides = (loser, winner) if loser.mine and not winner.mine else (winner, loser)
    return ConflictRow(
        id=str(conflict.id), record=record_name(store, conflict.record_kind.value, rid),
        field=conflict.field, sides=sides, current_value=current,
        settled_here=_settled(state, conflict),
        changed_at=_at(max(conflict.winner_clock, conflict.loser_clock)),
    )


def _order(row: ConflictRow) -> tuple[bool, float]:
    return (row.settled_here, -(row.changed_at.timestamp() if row.changed_at else 0.0))


def list_conflicts(store: RecordStore, *, username: str, role: str,
                   record_id: str | None = None) -> list[ConflictRow]:
    """Open conflicts this reader may see: waiting ones first, newest first, then those
    resolved here and not yet sent. ``record_id`` limits them to one record."""
    states: dict[str, Any] = {}
    found = store.all(Conflict, status=ConflictStatus.OPEN.value) if record_id is None \
        else store.all(Conflict, status=ConflictStatus.OPEN.value, record_id=record_id)
    rows = [_row(store, c, username, states) for c in found if visible_to(c, username, role)]
    return sorted(rows, key=_order)


def conflicts_for_record(store: RecordStore, record_id: str, *, username: str,
                         role: str) -> list[ConflictRow]:
    """Open conflicts of one record (for the record's own screen, e.g. the family card)."""
    return list_conflicts(store, username=username, role=role, record_id=record_id)


def open_count(store: RecordStore, *, username: str, role: str) -> int:
    """How many conflicts wait for this reader's decision (not counting settled ones)."""
    return sum(1 for r in list_conflicts(store, username=username, role=role)
               if not r.settled_here)


def get_conflict(store: RecordStore, conflict_id: str, *, username: str, role: str) -> ConflictRow:
    """One conflict; ``ConflictGone`` when it is not here, closed, or not for this reader."""
    conflict = _conflict(store, conflict_id, username, role)
    return _row(store, conflict, username, {})


def _conflict(store: RecordStore, conflict_id: str, username: str, role: str) -> Conflict:
    try:
        conflict = store.get(Conflict, uuid.UUID(conflict_id))
    except ValueError:
        conflict = None
    if conflict is None or conflict.status is not ConflictStatus.OPEN \
            or not visible_to(conflict, username, role):
        raise ConflictGone("conflicts.gone")
    return conflict


def merged_prefill(row: ConflictRow) -> str:
    """The merged text to start from: both texts (mine first) for paragraphs, the current
    value for one-line fields."""
    texts = [str(s.value) for s in row.sides if s.value not in (None, "")]
    if TEXT_FIELDS.get(row.record.kind, {}).get(row.field) == "paragraph":
        unique = list(dict.fromkeys(t.strip() for t in texts))
        return "\n\n".join(unique)
    current = row.current_value
    return "" if current is None else str(current)


def resolve(store: RecordStore, conflict_id: str, value: Any, *, username: str,
            role: str) -> uuid.UUID:
    """Write ``value`` (one side's, or a merged text) to the field, superseding both sides.

    Raises ``ConflictGone`` (no such open conflict for this reader, or its record is not on
    the phone) and ``ResolveInvalid`` (the value is not valid for the field).
    """
    from field_app.store import RecordRefused  # noqa: PLC0415

    conflict = _conflict(store, conflict_id, username, role)
    if isinstance(value, str) and is_text_field(conflict.record_kind.value, conflict.field):
        value = value.strip()
        if value == "" and _optional(conflict):
            value = None
    try:
        return store.resolve_conflict(conflict, value)
    except ValidationError as exc:
        raise _invalid(exc, conflict.field) from None
    except RecordRefused:
        raise ConflictGone("conflicts.record_missing") from None


def _optional(conflict: Conflict) -> bool:
    info = model_class(conflict.record_kind.value).model_fields.get(conflict.field)
    return info is not None and not info.is_required() and info.default is None
