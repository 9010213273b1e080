"""From sealed views to models: validation despite a wrong phone clock, safe copies, filters."""

from __future__ import annotations

import copy
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


def copy_model(model: M) -> M:
    """A copy the caller may change without touching the cache (a deep copy is 20x slower)."""
    dup = model.model_copy()
    for name, value in dup.__dict__.items():
        if isinstance(value, list | dict | set):
            dup.__dict__[name] = copy.deepcopy(value)
    return dup


def comparable(value: Any) -> Any:
    """Filter values compare as text for ids and enums, as themselves otherwise."""
    if isinstance(value, uuid.UUID):
        return str(value)
    return getattr(value, "value", value)
