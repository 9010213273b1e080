"""A field's value as the models store it, in JSON form: what a pushed value becomes.

The models validate leniently where pydantic does (``"yes"`` is a true boolean, names lose
surrounding spaces, ``"2026-01-01T10:00:00+00:00"`` is the moment pydantic writes as
``...Z``). Whoever stores a pushed value must store that normal form, never the text as sent:
otherwise the stored record, its pull text and its typed row can disagree (a family pushed
with ``"deleted": "yes"`` was deleted in one and live in the others).

``normal_json(model, values)`` tells whether values that built ``model`` were already in
normal form (the usual case: devices send ``model_dump(mode="json")``) cheaply, and gives the
normal form when not. ``field_json(kind, name, value)`` checks one value alone — by the
field's own type, constraints and field validators, not the rules between fields — for a
write that is merged rather than validated with a whole record.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, TypeAdapter
from pydantic_core import to_jsonable_python

from shared_models.records import Record, model_class


def same_json(a: Any, b: Any) -> bool:
    """``a == b`` as JSON values: ``True`` is not ``1``, nor ``1.0`` ``1``."""
    if type(a) is not type(b):
        return False
    if type(a) is list:
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _text_form(v: Any, value: str) -> bool:
    """Whether the text ``value`` is the JSON form of ``v`` (an id or a moment), cheaply."""
    if type(v) is uuid.UUID:
        # Parsed from ``value``: 36 characters are the 8-4-4-4-12 form, normal when in lower
        # case (``str(v)`` costs more than this).
        return len(value) == 36 and value == value.lower()
    if type(v) is datetime and (value[-1:] == "Z" or value[-6:-5] in ("+", "-")):
        # Pydantic writes a moment in ISO form with "Z" for UTC (offsets in whole minutes;
        # one with seconds is left to pydantic itself).
        text = v.isoformat()
        return (text[:-6] + "Z" if text.endswith("+00:00") else text) == value
    return False


def _list_form(v: list[Any], value: list[Any]) -> bool:
    """Whether the list ``value`` is the JSON form of the list ``v`` (of equal length)."""
    if not v or type(v[0]) is str:  # list[str]: text items equal to text items
        return bool(v == value)
    if type(v[0]) is uuid.UUID and all(type(b) is str for b in value):
        # Ids parsed from these texts, each of the 36-character form, in lower case.
        joined = "".join(value)
        if {*map(len, value)} == {36} and joined == joined.lower():
            return True
    return all(_held_as_sent(a, b) for a, b in zip(v, value, strict=True))


def _held_as_sent(v: Any, value: Any) -> bool:
    """Whether ``value`` is the JSON form of ``v``, the model's value validated from it.

    Cheap checks first: this runs for every field of every record of a bulk push.
    """
    kind = type(v)
    if v is value or (kind is type(value) and kind is not list):
        # Text, booleans: kept as sent unless validation changed them (stripped spaces).
        return v is value or bool(v == value)
    if type(value) is str and isinstance(v, str):
        return bool(v == value)  # an enum of text: its JSON form is its value
    if type(value) is str and _text_form(v, value):
        return True
    if kind is list and type(value) is list and len(v) == len(value) and _list_form(v, value):
        return True
    return same_json(to_jsonable_python(v), value)


def normal_json(model: Record, values: Mapping[str, Any]) -> dict[str, Any] | None:
    """``None`` when every value of ``values`` is the JSON form ``model`` holds for its field;
    otherwise that JSON form of every field named in ``values``."""
    held = model.__dict__
    for name, value in values.items():
        if not _held_as_sent(held[name], value):
            return {n: to_jsonable_python(held[n]) for n in values}
    return None


@cache
def _adapter(kind: str, name: str) -> TypeAdapter[Any]:
    cls = model_class(kind)
    info = cls.model_fields[name]
    # The field's constraints (lengths, ...) but not SQLModel's column settings.
    metadata = [m for m in info.metadata if type(m).__module__.split(".")[0] != "sqlmodel"]
    checks = [AfterValidator(d.func) for d in cls.__pydantic_decorators__.field_validators.values()
              if name in d.info.fields and d.info.mode == "after"]
    config = ConfigDict(str_strip_whitespace=bool(cls.model_config.get("str_strip_whitespace")))
    extra = [*metadata, *checks]
    annotation: Any = Annotated[info.annotation, *extra] if extra else info.annotation
    return TypeAdapter(annotation, config=config)


def field_json(kind: str, name: str, value: Any) -> Any:
    """``value`` of the field ``name`` of a ``kind`` record in its normal JSON form; raises
    pydantic's ``ValidationError`` when the field's own type or checks refuse it."""
    return to_jsonable_python(_adapter(kind, name).validate_python(value))
