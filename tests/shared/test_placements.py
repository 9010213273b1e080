"""Foster-care placements: the legal limits (3 months, 6 with an extension) and their messages."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared_models.enums import PlacementOutcome, RecordKind
from shared_models.foster_care import (
    WARN_DAYS,
    PlacementLevel,
    add_months,
    extended_limit,
    placement_term,
    stay_limit,
)
from shared_models.messages import field_errors
from shared_models.records import KINDS, Placement, field_names

CHILD, FOSTER, BIRTH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
START = date(2026, 3, 2)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 6, 1))


def placement(**kw: Any) -> Placement:
    base: dict[str, Any] = {"community": "malynska", "child_id": CHILD,
                            "foster_family_id": FOSTER, "start_date": START,
                            "planned_end": add_months(START, 3)}
    return Placement(**{**base, **kw})


def problems(lang: str = "uk", **kw: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        placement(**kw)
    return field_errors(info.value, lang)


def test_placement_is_a_synced_kind() -> None:
    assert KINDS[RecordKind.PLACEMENT] is Placement
    assert {"child_id", "foster_family_id", "birth_family_id", "start_date", "planned_end",
            "extension_decision_date", "extended_end", "ended_on", "outcome",
            "order_reference", "deleted"} <= field_names("placement")


def test_months_are_calendar_months_clamped_to_short_months() -> None:
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)   # leap year
    assert add_months(date(2026, 1, 31), 6) == date(2026, 7, 31)
    assert add_months(date(2026, 10, 15), 3) == date(2027, 1, 15)


@given(dates, st.integers(min_value=0, max_value=24))
def test_add_months_lands_in_the_right_month_and_never_goes_back(start: date, n: int) -> None:
    later = add_months(start, n)
    assert (later.year * 12 + later.month) - (start.year * 12 + start.month) == n
    assert later >= start
    assert later.day == start.day or later.day < start.day  # clamped, never later in month


@given(dates, st.integers(min_value=1, max_value=200))
def test_planned_end_is_accepted_exactly_up_to_three_months(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    kwargs = {"start_date": start, "planned_end": end}
    if end <= stay_limit(start):
        assert placement(**kwargs).planned_end == end
    else:
        assert set(problems(**kwargs)) == {"planned_end"}


@given(dates, st.integers(min_value=1, max_value=400))
def test_extended_end_is_accepted_exactly_up_to_six_months(start: date, days: int) -> None:
    planned = start + timedelta(days=1)
    end = planned + timedelta(days=days)
    kwargs = {"start_date": start, "planned_end": planned, "extended_end": end,
              "extension_decision_date": start}
    if end <= extended_limit(start):
        assert placement(**kwargs).extended_end == end
    else:
        assert set(problems(**kwargs)) == {"extended_end"}


def test_dates_give_plain_messages_at_the_field_to_fix() -> None:
    assert problems(planned_end=START) == {
        "planned_end": "Запланована дата завершення має бути після дати початку"}
    assert problems(planned_end=date(2026, 6, 3)) == {
        "planned_end": "Не пізніше 02.06.2026: патронат триває до 3 місяців від початку"}
    assert problems("en", planned_end=date(2026, 6, 3)) == {
        "planned_end": "No later than 02.06.2026: foster care lasts up to 3 months from the start"}
    assert problems(extended_end=date(2026, 9, 3), extension_decision_date=date(2026, 5, 20)) == {
        "extended_end": "Не пізніше 02.09.2026: патронат триває до 6 місяців від початку"}
    assert problems(extended_end=date(2026, 8, 1)) == {
        "extension_decision_date": ("Вкажіть і дату рішення органу опіки та піклування, "
                                    "і нову дату завершення")}
    assert problems(extended_end=date(2026, 5, 1), extension_decision_date=date(2026, 3, 1)) == {
        "extension_decision_date": "Рішення не може бути раніше початку патронату",
        "extended_end": "Продовжений строк має бути пізніше запланованого завершення"}
    assert problems(ended_on=date(2026, 3, 1), outcome="returned_home") == {
        "ended_on": "Дата завершення раніше дати початку"}
    assert problems(ended_on=date(2026, 4, 1)) == {
        "outcome": "Вкажіть і дату завершення, і результат"}
    assert problems(birth_family_id=FOSTER) == {
        "birth_family_id": "Патронатна сім'я не може бути рідною сім'єю дитини"}


def test_a_complete_extended_and_ended_placement() -> None:
    p = placement(birth_family_id=BIRTH, extension_decision_date=date(2026, 5, 25),
                  extended_end=date(2026, 9, 2), ended_on=date(2026, 8, 20),
                  outcome=PlacementOutcome.RETURNED_HOME, order_reference="Наказ ССД № 17")
    assert p.outcome is PlacementOutcome.RETURNED_HOME
    assert p.order_reference == "Наказ ССД № 17"


def test_start_cannot_be_in_the_future() -> None:
    later = date.today() + timedelta(days=10)
    assert problems(start_date=later, planned_end=later + timedelta(days=5)) == {
        "start_date": "Дата не може бути в майбутньому"}


def term(today: date, **kw: Any) -> Any:
    p = placement(**kw)
    return placement_term(start=p.start_date, planned_end=p.planned_end,
                          extended_end=p.extended_end, ended_on=p.ended_on, today=today)


def test_term_warns_two_weeks_before_the_end_that_applies() -> None:
    end = add_months(START, 3)                      # 02.06.2026
    assert term(end - timedelta(days=WARN_DAYS + 1)).level is PlacementLevel.OK
    near = term(end - timedelta(days=WARN_DAYS))
    assert near.level is PlacementLevel.NEAR and near.days_left == WARN_DAYS
    assert near.can_extend and near.legal_limit == end
    over = term(end + timedelta(days=3))
    assert over.level is PlacementLevel.OVERDUE and over.days_left == -3
    extended = term(end - timedelta(days=2), extended_end=date(2026, 9, 2),
                    extension_decision_date=date(2026, 5, 20))
    assert extended.level is PlacementLevel.OK and extended.end == date(2026, 9, 2)
    assert extended.legal_limit == date(2026, 9, 2) and not extended.can_extend
    assert term(date(2026, 8, 25), extended_end=date(2026, 9, 2),
                extension_decision_date=date(2026, 5, 20)).level is PlacementLevel.NEAR
    ended = term(end + timedelta(days=30), ended_on=date(2026, 5, 1),
                 outcome=PlacementOutcome.NEXT_PLACEMENT)
    assert ended.level is PlacementLevel.ENDED and not ended.can_extend
