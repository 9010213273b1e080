"""The due-visits place: which families, in which order, and the dates in words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from field_app.i18n import Translator
from field_app.services.due import When, due_visits, when
from field_app.services.families import FamilyFilter, list_families
from shared_models.records import Family

TODAY = date(2026, 11, 23)


def fam(name: str, days: int | None, **kw: object) -> Family:
    nxt = None if days is None else TODAY + timedelta(days=days)
    return Family(community="zhytomyrska", family_name=name, settlement="Житомир",
                  next_visit_date=nxt, **kw)


FAMILIES = [
    fam("Бондар", 5),
    fam("Гнатюк", -1),
    fam("Дмитренко", 0, assigned_worker="olena"),
    fam("Коваль", -10),
    fam("Лисенко", -3, assigned_worker="olena"),
    fam("Мороз", 8),                       # beyond the week
    fam("Савчук", None),                   # nothing planned
    fam("Ткач", -30),                      # its case is closed: not visited
    fam("Шевчук", 1, assigned_worker="olena"),
]

#: Families whose latest case is closed (``cases.closed_family_ids``).
CLOSED = frozenset(str(f.id) for f in FAMILIES if f.family_name == "Ткач")


def rows(families: list[Family]) -> list:  # type: ignore[type-arg]
    out = []
    for chosen in (FamilyFilter.OVERDUE, FamilyFilter.DUE):
        out += list_families(families, me="olena", today=TODAY, chosen=chosen,
                             closed_ids=CLOSED, limit=10_000).rows
    return out


def test_overdue_first_then_mine_first_then_soonest() -> None:
    due = due_visits(rows(FAMILIES), today=TODAY)
    assert [r.family_name for r in due.rows] == [
        "Лисенко",                        # overdue, mine
        "Коваль", "Гнатюк",               # overdue, the longest overdue first
        "Дмитренко", "Шевчук",            # due, mine
        "Бондар",                         # due
    ]
    assert (due.overdue, due.due) == (3, 3)
    assert [r.mine for r in due.rows] == [True, False, False, True, True, False]


@pytest.mark.parametrize(("days", "uk", "en"), [
    (-1, "прострочено на 1 день", "overdue by 1 day"),
    (-3, "прострочено на 3 дні", "overdue by 3 days"),
    (-5, "прострочено на 5 днів", "overdue by 5 days"),
    (-11, "прострочено на 11 днів", "overdue by 11 days"),
    (-21, "прострочено на 21 день", "overdue by 21 days"),
    (-22, "прострочено на 22 дні", "overdue by 22 days"),
    (0, "сьогодні", "today"),
    (1, "завтра", "tomorrow"),
    (2, "через 2 дні", "in 2 days"),
    (5, "через 5 днів", "in 5 days"),
    (7, "через 7 днів", "in 7 days"),
])
def test_dates_in_words_with_ukrainian_plurals(days: int, uk: str, en: str) -> None:
    w = when(TODAY + timedelta(days=days), TODAY)
    for lang, expected in (("uk", uk), ("en", en)):
        tr = Translator(lang)
        assert (tr.plural(w.key, w.n) if w.n is not None else tr.t(w.key)) == expected


@given(st.integers(min_value=-400, max_value=400))
def test_every_distance_has_words(days: int) -> None:
    w = when(TODAY + timedelta(days=days), TODAY)
    assert isinstance(w, When)
    text = Translator("uk").plural(w.key, w.n) if w.n is not None else Translator().t(w.key)
    assert text and "{" not in text and text != w.key
    if w.n is not None:
        assert str(abs(days)) in text


def test_a_family_in_both_lists_is_shown_once() -> None:
    twice = rows(FAMILIES) + rows(FAMILIES)
    assert len(due_visits(twice, today=TODAY).rows) == 6
