"""Working days in Ukraine: weekends, public holidays as data, and martial law.

A needs assessment is due within 5 *working* days of the request (Law 2671-VIII art. 20), so
the device and the server must count working days alike. The rules are data, dated and
replaceable (``WorkCalendar.from_json``), because they change: the holiday list was revised
in 2023 (8 May, 15 July, 1 October, 25 December), and under martial law (since 24.02.2022,
Law 2136-IX) public holidays are **not** days off — only Saturdays and Sundays are. A period
of martial law that ends, or a new list, is a change of data, not of code.

The term is counted as Ukrainian law counts it (Civil Code art. 253–255): it starts the day
after the request, and the last day is the fifth working day after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

#: Fixed-date public holidays (month, day) since 2024 (Labour Code art. 73 as amended).
FIXED_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1),    # Новий рік
    (3, 8),    # Міжнародний жіночий день
    (5, 1),    # День праці
    (5, 8),    # День пам'яті та перемоги над нацизмом
    (6, 28),   # День Конституції України
    (7, 15),   # День Української Державності
    (8, 24),   # День Незалежності України
    (10, 1),   # День захисників і захисниць України
    (12, 25),  # Різдво Христове
)
#: Martial law began on this day; while it lasts, holidays are working days.
MARTIAL_LAW_SINCE = date(2022, 2, 24)


def orthodox_easter(year: int) -> date:
    """Easter (Великдень) by the Julian computus, as a Gregorian date (1900–2099)."""
    a, b, c = year % 4, year % 7, year % 19
    d = (19 * c + 15) % 30
    e = (2 * a + 4 * b - d + 34) % 7
    month, day = divmod(d + e + 114, 31)
    return date(year, month, day + 1) + timedelta(days=13)


def public_holidays(year: int) -> frozenset[date]:
    """The public holidays of a year: the fixed ones, Easter and Trinity (Easter + 49 days)."""
    easter = orthodox_easter(year)
    return frozenset({date(year, m, d) for m, d in FIXED_HOLIDAYS}
                     | {easter, easter + timedelta(days=49)})


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which days are working days.

    ``holidays_off`` lists the periods (first day, last day or ``None`` for open) in which
    public holidays are days off; outside them (under martial law) only weekends are off.
    ``extra_days_off`` and ``extra_working_days`` are single dates a Cabinet decision moved.
    """

    holidays_off: tuple[tuple[date, date | None], ...] = (
        (date(1900, 1, 1), MARTIAL_LAW_SINCE - timedelta(days=1)),)
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off or day.weekday() >= 5:
            return False
        if not self._holidays_are_off(day):
            return True
        if day in public_holidays(day.year):
            return False
        # A holiday on a Saturday or Sunday moves its day off to the Monday (Labour Code
        # art. 67): Easter and Trinity, always Sundays, gave a day off on Monday.
        return not (day.weekday() == 0 and bool(
            {day - timedelta(days=1), day - timedelta(days=2)} & public_holidays(day.year)))

    def _holidays_are_off(self, day: date) -> bool:
        return any(first <= day and (last is None or day <= last)
                   for first, last in self.holidays_off)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, left = start, days
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if ``end`` is
        before ``start``): how many working days are left from today to a due date."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=n)))

    def to_json(self) -> str:
        """This calendar as JSON (ISO dates), readable by ``from_json``."""
        return json.dumps({
            "holidays_off": [[a.isoformat(), b.isoformat() if b else None]
                             for a, b in self.holidays_off],
            "extra_days_off": sorted(d.isoformat() for d in self.extra_days_off),
            "extra_working_days": sorted(d.isoformat() for d in self.extra_working_days),
        })

    @property
    def version(self) -> str:
        """A short fingerprint of the rules (the same calendar always has the same one): the
        server's ETag for it, and how a device tells a changed calendar from its own."""
        canonical = self.to_json().encode()
        return hashlib.sha256(canonical).hexdigest()[:16]

    @classmethod
    def from_json(cls, text: str) -> WorkCalendar:
        """A calendar from ``to_json``'s form; ``ValueError`` naming what is wrong."""
        try:
            data = json.loads(text)
            unknown = set(data) - {"holidays_off", "extra_days_off", "extra_working_days"}
            if unknown:  # a misspelt key would otherwise be a rule silently not applied
                raise ValueError(f"unknown keys {sorted(unknown)}")
            periods = tuple((date.fromisoformat(a), date.fromisoformat(b) if b else None)
                            for a, b in data.get("holidays_off", []))
            for first, last in periods:
                if last is not None and last < first:
                    raise ValueError(f"holidays_off period ends before it starts: {first}..{last}")
            return cls(periods, _dates(data.get("extra_days_off", [])),
                       _dates(data.get("extra_working_days", [])))
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a work calendar: {exc}") from None


def _dates(values: Iterable[str]) -> frozenset[date]:
    return frozenset(date.fromisoformat(v) for v in values)


#: The calendar in force by default (martial law since 24.02.2022, not ended).
DEFAULT_CALENDAR = WorkCalendar()
