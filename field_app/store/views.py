"""From sealed views to models: validation despite a wrong phone clock, safe copies, filters."""

from __future__ import annotations

import copy
import functools
import typing
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from pydantic import ValidationError

from shared_models.records import Record

M = TypeVar("M", bound=Record)


#: Validation errors that only say "later than this device's clock".
CLOCK_ERRORS = {"time_in_future": datetime.fromisoformat, "date_in_future": date.fromisoformat}


def validate_despite_clock(cls: type[M], data: dict[str, Any],
                            exc: ValidationError) -> M | None:
    """Validate stored values whose only fault is being "in the future" for this device.

    Stored values were valid where they were written (here or on the server); a phone whose
    clock is behind must still show a colleague's visit from "later today". Such fields are
    validated as "now", then get their real value back. ``None`` for any other error.
    """
    errors = exc.errors()
    if not all(e["type"] in CLOCK_ERRORS and len(e["loc"]) == 1 for e in errors):
        return None
    real: dict[str, Any] = {}
    stand_in = dict(data)
    for e in errors:
        name = str(e["loc"][0])
        try:
            real[name] = CLOCK_ERRORS[e["type"]](str(data[name]))
        except (KeyError, ValueError):
            return None
        now = datetime.now(UTC) - timedelta(minutes=1)
        stand_in[name] = now if e["type"] == "time_in_future" else now.date()
    try:
        model = cls.model_validate(stand_in)
    except ValidationError:
        return None
    model.__dict__.update(real)
    return model


@functools.cache
def _container_fields(cls: type[Record]) -> tuple[str, ...]:
    """Fields whose value may be a list or dict (the ones a shallow copy would share)."""
    names = []
    for name, info in cls.model_fields.items():
        origin = typing.get_origin(info.annotation) or info.annotation
        if origin in (list, dict, set, typing.Any) or info.annotation is typing.Any:
            names.append(name)
    return tuple(names)


def copy_model(model: M) -> M:
    """A copy the caller may change without touching the cache.

    Shallow, plus fresh copies of list/dict fields: a deep copy of every model is 20x slower,
    and searches return thousands.
    """
    dup = model.model_copy()
    for name in _container_fields(type(model)):
        value = dup.__dict__.get(name)
        if isinstance(value, list | dict | set):
            dup.__dict__[name] = copy.deepcopy(value)
    return dup


def comparable(value: Any) -> Any:
    """Filter values compare as text for ids and enums, as themselves otherwise."""
    if isinstance(value, uuid.UUID):
        return str(value)
    return getattr(value, "value", value)
