"""How a record is named to a person: its kind and a human name, and where to open it.

The sync screen (changes the server refused) and the conflicts screens point at records; a
worker recognises a family by its surname and village, not by an id. ``None`` as the name
means the record is not on this phone (purged, or never pulled).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from field_app.i18n import format_date, format_name
from field_app.store.interface import RecordStore
from shared_models.enums import RecordKind
from shared_models.records import Family, Note, Person, Placement, Review, Visit, model_class

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecordName:
    """A record as a person recognises it."""

    kind: str
    id: str
    #: "Коваленко, Малин"; ``None`` when the record is not on this phone
    name: str | None
    #: The family whose card shows this record (the record itself for a family).
    family_id: str | None


def _family_words(store: RecordStore, family_id: Any) -> str | None:
    fam = _get(store, Family, family_id)
    return f"{fam.family_name}, {fam.settlement}" if fam is not None else None


def _get(store: RecordStore, cls: type[Any], record_id: Any) -> Any:
    try:
        return store.get(cls, record_id, include_deleted=True)
    except Exception as exc:  # a damaged record: name it by kind only
        log.warning("record %s unreadable: %s", record_id, type(exc).__name__)
        return None


def _day(value: datetime | date) -> str:
    return format_date(value.astimezone().date() if isinstance(value, datetime) else value)


def record_name(store: RecordStore, kind: str, record_id: str) -> RecordName:
    """The human name of one record of ``kind`` (see the module docstring)."""
    try:
        rec = _get(store, model_class(kind), record_id)
    except KeyError:
        rec = None
    name, family_id = _describe(store, rec, record_id) if rec is not None else (None, None)
    return RecordName(kind, record_id, name, family_id)


def _describe(store: RecordStore, rec: Any, record_id: str) -> tuple[str | None, str | None]:
    """(name, family id) of a record read from the store."""
    if isinstance(rec, Family):
        return f"{rec.family_name}, {rec.settlement}", record_id
    if isinstance(rec, Review):
        target = record_name(store, rec.target_kind.value, str(rec.target_id))
        return target.name, target.family_id
    if isinstance(rec, Placement):
        child = record_name(store, "person", str(rec.child_id)).name or ""
        foster = _family_words(store, rec.foster_family_id) or ""
        return " · ".join(p for p in (child, foster) if p) or _day(rec.start_date), \
            str(rec.foster_family_id)
    if isinstance(rec, Person):
        name = format_name(rec.last_name, rec.first_name)
    elif isinstance(rec, (Visit, Note)):
        name = _day(rec.visited_at if isinstance(rec, Visit) else rec.written_at)
    else:  # a kind without a name of its own: on the phone all the same
        return "", None
    family = _family_words(store, rec.family_id)
    if family:
        name = f"{name} ({family})" if isinstance(rec, Person) else f"{name} · {family}"
    return name, str(rec.family_id)


def kind_key(kind: str) -> str:
    """The i18n key of a record kind's label (``enum.RecordKind.<kind>``)."""
    try:
        return f"enum.RecordKind.{RecordKind(kind).value}"
    except ValueError:
        return "sync.kind_unknown"
