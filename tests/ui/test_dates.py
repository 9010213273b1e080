"""One set of rules for what people type as a date, on every form (``field_app.dates``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from field_app.dates import (
    BadDate,
    date_text,
    format_clock,
    format_datetime,
    format_time,
    parse_date,
    read_date,
)
from field_app.i18n import EN, UK
from field_app.services.family_forms import FamilyForm
from field_app.services.placement_form import PlacementForm, _values
from field_app.services.problem import Problem
from field_app.services.supervision import ExportForm
from field_app.services.visit_form import VisitForm

TODAY = date(2026, 12, 7)

ACCEPTED = [
    ("22.11.2026", date(2026, 11, 22)),
    ("2.3.2026", date(2026, 3, 2)),
    ("02.03.2026", date(2026, 3, 2)),
    (" 22.11.2026 ", date(2026, 11, 22)),
    ("22/11/2026", date(2026, 11, 22)),
    ("22-11-2026", date(2026, 11, 22)),
    ("29.02.2028", date(2028, 2, 29)),
    # two-digit years: the century that puts the year at most 10 years after this one
    ("22.11.26", date(2026, 11, 22)),
    ("1.1.00", date(2000, 1, 1)),
    ("31.12.36", date(2036, 12, 31)),
    ("1.1.37", date(1937, 1, 1)),
    ("5.3.58", date(1958, 3, 5)),
    ("5.3.99", date(1999, 3, 5)),
    # ISO, year first
    ("2026-11-22", date(2026, 11, 22)),
    ("2026-1-2", date(2026, 1, 2)),
]
REFUSED = ["31.02.2026", "29.02.2027", "22.13.2026", "0.1.2026", "22.11", "22.11.226",
           "22.11.20266", "22.11/2026", "2026/11/22", "2026-22-11", "22 11 2026", "завтра",
           "22.11.2026 р.", "2026-11-22T10:00"]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_dates(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected
    assert read_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", REFUSED)
def test_refused_dates_say_so(text: str) -> None:
    with pytest.raises(BadDate) as caught:
        parse_date(text, today=TODAY)
    assert caught.value.text == text
    assert UK[caught.value.code] == "Неправильна дата (ДД.ММ.РРРР)"
    assert EN[caught.value.code] == "Not a valid date (DD.MM.YYYY)"
    assert read_date(text, today=TODAY) is None


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_field_is_no_date(text: str) -> None:
    assert parse_date(text) is None


def test_the_two_digit_century_moves_with_today() -> None:
    assert parse_date("1.1.40", today=date(2026, 1, 1)) == date(1940, 1, 1)
    assert parse_date("1.1.40", today=date(2030, 1, 1)) == date(2040, 1, 1)
    assert parse_date("1.1.95", today=date(2090, 6, 1)) == date(2095, 1, 1)


def test_formats_read_back() -> None:
    assert date_text(date(2026, 3, 2)) == "02.03.2026"
    assert date_text(None) == ""
    assert parse_date(date_text(date(2026, 3, 2))) == date(2026, 3, 2)
    assert format_clock(time(9, 5)) == "09:05"
    kyiv = timezone(timedelta(hours=2))
    at = datetime(2026, 11, 22, 12, 5, tzinfo=UTC)
    assert format_time(at, kyiv) == "14:05"
    assert format_datetime(at, kyiv) == "22.11.2026 14:05"


# Every form reads its dates by these rules: what one form takes, all take.
@pytest.mark.parametrize("text", ["22.11.26", "2026-11-22", "22.11.2026"])
def test_every_form_takes_the_same_dates(text: str) -> None:
    family = FamilyForm.new(me="olena", communities=["ZHYT"])
    family.next_visit_date = text
    _values_read, bad = family._values()
    assert "next_visit_date" not in bad
    visit = VisitForm(family_id="f", community="ZHYT", author="olena", date_text=text)
    _model, problems = visit.build()
    assert "date" not in problems
    placement_errors: dict[str, Problem] = {}
    placement = PlacementForm(community="ZHYT", family_id="f", start_date=text)
    assert _values(placement, placement_errors)["start_date"] == date(2026, 11, 22)
    assert "start_date" not in placement_errors
    export = ExportForm(communities=["ZHYT"], start=text, end=text)
    assert export.period() == (date(2026, 11, 22), date(2026, 11, 22))
