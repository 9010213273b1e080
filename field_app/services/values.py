"""Field values as a person reads them, and which fields take free text (no Flet).

Values arrive as the JSON of the sync protocol (dates as ISO text, enums as their ASCII
value, ids as text); ``present`` turns them into Ukrainian (or English) words: 22.11.2026,
"так", "середній", names of services and people.
"""

from __future__ import annotations

import types
import typing
import uuid
from datetime import date, datetime
from enum import Enum
from typing import Any

from field_app.i18n import Translator, format_date, format_datetime, format_name
from field_app.store.interface import RecordStore
from shared_models.records import Family, Person, model_class

#: Fields a person may write a merged value into: "line" (one line) or "paragraph".
TEXT_FIELDS: dict[str, dict[str, str]] = {
    "family": {"family_name": "line", "settlement": "line", "address": "line",
               "phone": "line", "consent_by": "line"},
    "person": {"last_name": "line", "first_name": "line", "patronymic": "line"},
    "visit": {"place_details": "line", "others_present": "line", "child_needs": "paragraph",
              "parenting_capacity": "paragraph", "family_environment": "paragraph",
              "next_steps": "paragraph"},
    "placement": {"outcome_details": "line", "order_reference": "line"},
}


def is_text_field(kind: str, field: str) -> bool:
    """Whether a merged text can be written into this field."""
    return field in TEXT_FIELDS.get(kind, {})


def field_label_key(kind: str, field: str) -> str:
    """The i18n key of a field's label (``conflicts.field.<kind>.<field>``)."""
    return f"conflicts.field.{kind}.{field}"


def _types(annotation: Any) -> list[Any]:
    """The plain types inside an annotation (``Annotated``, ``Optional``, ``list[...]``)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(annotation) for t in _types(a)]
    if origin is list:
        return [list, *_types(typing.get_args(annotation)[0])]
    return [annotation]


def _field_types(kind: str, field: str) -> list[Any]:
    try:
        info = model_class(kind).model_fields.get(field)
    except KeyError:
        return []
    return _types(info.annotation) if info is not None else []


def _one(value: Any, kinds: list[Any], tr: Translator, store: RecordStore | None) -> str:
    if isinstance(value, bool):
        return tr.t("conflicts.yes") if value else tr.t("conflicts.no")
    enum = next((k for k in kinds if isinstance(k, type) and issubclass(k, Enum)), None)
    if enum is not None:
        return tr.t(f"enum.{enum.__name__}.{getattr(value, 'value', value)}")
    if datetime in kinds or date in kinds:
        return _when(str(value), with_time=datetime in kinds)
    if uuid.UUID in kinds and store is not None:
        return _person_or_family(store, str(value)) or str(value)
    return str(value)


def _when(text: str, *, with_time: bool) -> str:
    try:
        if with_time:
            return format_datetime(datetime.fromisoformat(text))
        return format_date(date.fromisoformat(text))
    except ValueError:
        return text


def _person_or_family(store: RecordStore, rid: str) -> str | None:
    try:
        person = store.get(Person, rid, include_deleted=True)
        if person is not None:
            return format_name(person.last_name, person.first_name)
        family = store.get(Family, rid, include_deleted=True)
        return f"{family.family_name}, {family.settlement}" if family is not None else None
    except Exception:  # a damaged or malformed id: show it as it is
        return None


def present(kind: str, field: str, value: Any, tr: Translator,
            store: RecordStore | None = None) -> str:
    """``value`` of ``kind.field`` in words (empty values read "(порожньо)")."""
    if value is None or value in ("", []):
        return tr.t("conflicts.empty_value")
    kinds = _field_types(kind, field)
    if field == "services" and isinstance(value, list):
        return ", ".join(_service(tr, str(v)) for v in value)
    if isinstance(value, list):
        return ", ".join(_one(v, kinds, tr, store) for v in value)
    return _one(value, kinds, tr, store)


def _service(tr: Translator, key: str) -> str:
    try:
        return tr.service(key)
    except KeyError:
        return key
