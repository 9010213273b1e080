"""The families list service: search, filters, order, paging."""

from __future__ import annotations

from datetime import date, timedelta

from field_app.services.families import FamilyFilter, list_families
from shared_models.records import Family

TODAY = date(2026, 11, 23)


def fam(name: str, settlement: str = "Малин", **kw: object) -> Family:
    return Family(community="malynska", family_name=name, settlement=settlement, **kw)


FAMILIES = [
    fam("Коваленко", next_visit_date=TODAY + timedelta(days=3), assigned_worker="olena"),
    fam("Шевченко", "Ворсівка", next_visit_date=TODAY - timedelta(days=2)),
    fam("Бондар", next_visit_date=TODAY + timedelta(days=30)),
    fam("Ткаченко", "Ворсівка"),
    fam("Мельник", next_visit_date=TODAY - timedelta(days=9)),
]
#: Мельник's case is closed (``cases.closed_family_ids``): the retired flag is not read.
CLOSED = frozenset({str(FAMILIES[-1].id)})


def names(**kw: object) -> list[str]:
    page = list_families(FAMILIES, me="olena", today=TODAY, closed_ids=CLOSED,
                         **kw)  # type: ignore[arg-type]
    return [r.family_name for r in page.rows]


def test_order_mine_then_overdue_then_soonest_and_closed_hidden() -> None:
    assert names() == ["Коваленко", "Шевченко", "Бондар", "Ткаченко"]


def test_search_by_surname_or_settlement_ignoring_case() -> None:
    assert names(text="ЕНКО") == ["Коваленко", "Шевченко", "Ткаченко"]
    assert names(text="ворсівка") == ["Шевченко", "Ткаченко"]
    assert names(text="немає") == []


def test_filters() -> None:
    assert names(chosen=FamilyFilter.MINE) == ["Коваленко"]
    assert names(chosen=FamilyFilter.DUE) == ["Коваленко"]
    assert names(chosen=FamilyFilter.OVERDUE) == ["Шевченко"]
    assert names(chosen=FamilyFilter.CLOSED) == ["Мельник"]


def test_rows_flag_unsynced_and_paging_counts_all() -> None:
    unsynced = {str(FAMILIES[2].id)}
    page = list_families(FAMILIES, me="olena", today=TODAY, unsynced=unsynced, limit=2,
                         offset=2, closed_ids=CLOSED)
    assert page.total == 4
    assert [(r.family_name, r.unsynced) for r in page.rows] == [("Бондар", True),
                                                               ("Ткаченко", False)]


def test_five_thousand_families_page_and_count() -> None:
    many = [fam(f"Родина {i}", "Малин" if i % 2 else "Ворсівка",
                next_visit_date=TODAY + timedelta(days=i % 40 - 10)) for i in range(5000)]
    page = list_families(many, me="olena", today=TODAY, text="ворс", chosen=FamilyFilter.DUE)
    assert page.total == sum(1 for f in many if f.settlement == "Ворсівка" and f.next_visit_date
                             and TODAY <= f.next_visit_date <= TODAY + timedelta(days=7))
    assert len(page.rows) == 50
