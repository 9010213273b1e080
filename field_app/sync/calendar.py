"""The work calendar on the device: the operator's, as last fetched, sealed in the store.

Due dates are counted offline, so the calendar the server's operator set
(``GET /api/v1/calendar``) is kept in the encrypted store after a sync and read from there by
the services; a device that never fetched one (or whose server has no such route) counts by
``DEFAULT_CALENDAR``.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from shared_models.protocol import CalendarAnswer
from shared_models.work_calendar import DEFAULT_CALENDAR, WorkCalendar

if TYPE_CHECKING:
    from field_app.store.interface import SecretStore

log = logging.getLogger(__name__)

#: Name of the store's sealed entry holding the last ``CalendarAnswer`` (not a secret).
CALENDAR_SECRET = "sync.calendar"  # noqa: S105


def stored_answer(store: SecretStore) -> CalendarAnswer | None:
    """The calendar answer kept at the last sync, if any and readable."""
    raw = store.get_secret(CALENDAR_SECRET)
    if not raw:
        return None
    try:
        answer = CalendarAnswer.model_validate_json(raw)
        answer.calendar()  # its periods must make a calendar too
    except ValueError:
        # Unreadable (a newer app's form, or damage): the built-in calendar rather than none.
        log.warning("the stored work calendar is unreadable; using the built-in one")
        return None
    return answer


def stored_calendar(store: SecretStore) -> WorkCalendar:
    """The calendar to count working days by on this device."""
    answer = stored_answer(store)
    return answer.calendar() if answer is not None else DEFAULT_CALENDAR


def keep_calendar(store: SecretStore, answer: CalendarAnswer) -> bool:
    """Keep ``answer`` as this device's calendar; True when it differs from the one held."""
    held = stored_answer(store)
    if held is not None and held.version == answer.version:
        return False
    store.set_secret(CALENDAR_SECRET, json.dumps(answer.model_dump(mode="json")).encode())
    return True
