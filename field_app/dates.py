"""Dates and times as people type and read them (no Flet): one set of rules for every form.

A typed date (the visit, note, family, member and placement forms, the export dialog, the
calendar's starting day) is read by ``parse_date``, and only these are dates:

* day, month, year: ``22.11.2026``, ``2.3.2026``; a slash or a hyphen may stand for the dots
  (``22/11/2026``, ``22-11-2026``), the same one both times;
* day, month, two-digit year: ``22.11.26``. The century is the one that puts the year at most
  ``TWO_DIGIT_YEARS_AHEAD`` (10) years after this year: typed in 2026, ``00``-``36`` are
  2000-2036 and ``37``-``99`` are 1937-1999 (a next visit is never a decade away, a
  grandmother's birth year may be 1950);
* ISO, year first: ``2026-11-22`` (what a browser's date field or a copied value gives);
* spaces around are ignored, and an empty field is no date (``None``).

Everything else — impossible days (31.02.2026), three-digit years, words — raises ``BadDate``,
which the forms show as "Невірна дата (ДД.ММ.РРРР)" / "Not a valid date (DD.MM.YYYY)".
``read_date`` is the lenient twin for places that fall back to a default (a calendar opened
over a half-typed date). Times are typed in 24 hours (``parse_time``). Dates read back as
22.11.2026 and times as 14:05 in both languages (``format_date``, ``format_clock``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo

from shared_models.dates import format_date

#: A two-digit year is in the century that puts it at most this many years after today's.
TWO_DIGIT_YEARS_AHEAD = 10
#: The message key of a date that cannot be read (``field_app/texts``).
BAD_DATE = "err.date"

_DAY_FIRST = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^\s*(\d{1,2})[:.\s]?(\d{2})\s*$")


class BadDate(ValueError):
    """Typed text that is not a date by the rules above; ``text`` is what was typed."""

    code = BAD_DATE

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def parse_date(text: str, *, today: date | None = None) -> date | None:
    """A typed date (rules in the module docstring); ``None`` for an empty field.

    ``today`` sets the century of a two-digit year (the device's date when not given).
    Raises ``BadDate`` for anything else.
    """
    typed = text.strip()
    if not typed:
        return None
    if m := _DAY_FIRST.match(typed):
        day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if len(m.group(4)) == 2:
            year = _century(year, today or date.today())
    elif m := _ISO.match(typed):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise BadDate(text)
    try:
        return date(year, month, day)
    except ValueError:
        raise BadDate(text) from None


def read_date(text: str, *, today: date | None = None) -> date | None:
    """``parse_date``, but ``None`` for text that is not a date too (callers with a default)."""
    try:
        return parse_date(text, today=today)
    except BadDate:
        return None


def _century(two_digits: int, today: date) -> int:
    year = today.year - today.year % 100 + two_digits
    return year - 100 if year > today.year + TWO_DIGIT_YEARS_AHEAD else year


def parse_time(text: str) -> time | None:
    """A 24-hour time (14:05, 14.05, 9:30, 1405); ``None`` if not one."""
    m = _TIME.match(text)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def date_text(value: date | None) -> str:
    """A date as a form's field shows it (22.11.2026), empty for none."""
    return format_date(value) if value else ""


def format_clock(value: time | datetime) -> str:
    """24-hour time as it is (no zone conversion): 14:05."""
    return f"{value.hour:02d}:{value.minute:02d}"


def format_time(value: datetime, tz: tzinfo | None = None) -> str:
    """24-hour time, 14:05, in ``tz`` (the device's zone when not given)."""
    return format_clock(value.astimezone(tz))


def format_datetime(value: datetime, tz: tzinfo | None = None) -> str:
    """Date and 24-hour time: 22.11.2026 14:05, in ``tz`` (the device's zone when not given)."""
    local = value.astimezone(tz)
    return f"{format_date(local.date())} {format_clock(local)}"


__all__ = ["BAD_DATE", "TWO_DIGIT_YEARS_AHEAD", "BadDate", "date_text", "format_clock",
           "format_date", "format_datetime", "format_time", "parse_date", "parse_time",
           "read_date"]
