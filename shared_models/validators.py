"""Reusable field types for the domain models: bounded text, past dates, phone numbers.

Each type carries its own check and raises a coded error from ``messages`` so the same rule
gives the same readable message on the phone and in the server's answer.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, Field

from shared_models.messages import custom_error

#: How far ahead of this machine's clock a "now" timestamp may be (devices disagree a little).
FUTURE_TOLERANCE = timedelta(minutes=15)
#: Oldest date accepted for dates of birth and events, and for an export's period.
EARLIEST_DATE = date(1900, 1, 1)
#: Latest date accepted anywhere (a next visit, a planned end, an export's period): far
#: enough for any plan, and far from ``date.max``, where a day's bounds overflow.
LATEST_DATE = date(2099, 12, 31)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


def _one_line(text: str) -> str:
    if _CONTROL_ONE_LINE.search(text):
        raise custom_error("control_chars")
    return text


def _multi_line(text: str) -> str:
    if _CONTROL.search(text):
        raise custom_error("control_chars")
    return text


def _phone(text: str) -> str:
    if not _PHONE.match(text):
        raise custom_error("bad_phone")
    return text


def today_utc() -> date:
    """Today's date in UTC (a date-only check allows one day for time zones)."""
    return datetime.now(UTC).date()


def _past_date(value: date) -> date:
    # One day of slack: Kyiv is ahead of UTC, so its "today" may be UTC's tomorrow.
    if value > today_utc() + timedelta(days=1):
        raise custom_error("date_in_future")
    if value < EARLIEST_DATE:
        raise custom_error("date_too_old")
    return value


def _sane_date(value: date) -> date:
    if value < EARLIEST_DATE:
        raise custom_error("date_too_old")
    if value > LATEST_DATE:
        raise custom_error("date_too_far")
    return value


def _past_instant(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise custom_error("timezone_required")
    if value > datetime.now(UTC) + FUTURE_TOLERANCE:
        raise custom_error("time_in_future")
    if value.date() < EARLIEST_DATE:
        raise custom_error("date_too_old")
    return value


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_one_line)]
"""A person's or family's name, a settlement, a short label: 1-100 characters, one line."""

OptionalLine = Annotated[str, Field(max_length=200), AfterValidator(_one_line)]
"""Optional one-line text (an address, a place detail): up to 200 characters, may be empty."""

Paragraph = Annotated[str, Field(max_length=4000), AfterValidator(_multi_line)]
"""Free text of an observation or plan: up to 4,000 characters, newlines allowed, may be empty."""

NoteText = Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(_multi_line)]
"""Text of a note: 1-4,000 characters, newlines allowed."""

TaskText = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_multi_line)]
"""What a task of a support plan asks: 1-1,000 characters, newlines allowed."""

Comment = Annotated[str, Field(max_length=2000), AfterValidator(_multi_line)]
"""A reviewer's comment: up to 2,000 characters."""


PastDate = Annotated[date, AfterValidator(_past_date)]
"""A date that has happened (birth, consent): not in the future, not before 1900."""

AnyDate = Annotated[date, AfterValidator(_sane_date)]
"""A date that may be in the future (next visit, planned end, an export's period): 1900 to
2099."""

PastInstant = Annotated[datetime, AfterValidator(_past_instant)]
"""A time-zone-aware moment that has happened (a visit, a note): at most minutes ahead."""

Phone = Annotated[str, Field(max_length=20), AfterValidator(_phone)]
"""A phone number: digits, optional leading +, spaces, brackets and dashes."""

USERNAME_MAX = 64
Username = Annotated[str, Field(min_length=1, max_length=USERNAME_MAX),
                     AfterValidator(_one_line)]
"""A user name (an author, a reviewer, an assigned worker, a login): 1-64 characters, one line."""

Secret = Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_one_line)]
"""A password as typed: 1-256 characters, no control characters (no NUL in any store)."""
