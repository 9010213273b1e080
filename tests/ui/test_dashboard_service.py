"""The dashboard's figures, computed over a real encrypted store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from field_app.services.dashboard import build_dashboard, visits_per_week, week_start
from field_app.store import LocalStore
from shared_models.enums import ClosureReason, ConflictStatus, PersonRole, RecordKind, RiskLevel
from shared_models.foster_care import PlacementLevel, stay_limit
from shared_models.records import Case, Conflict, Family, Person, Placement, Visit
from tests.ui.stores import real_store

TODAY = datetime.now(UTC).date()
MAL, PUL, ZV = "malynska", "pulynska", "zviahelska"


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, username="iryna", role="supervisor", communities=(MAL, PUL, ZV))
    yield s
    s.close()


def family(store: LocalStore, name: str, community: str = MAL, *, closed: bool = False,
           **kw: object) -> Family:
    """A family; ``closed``: with a closed case (the retired flag is not read)."""
    f = Family(community=community, family_name=name, settlement="Малин", **kw)
    store.save(f)
    if closed:
        store.save(Case(community=community, family_id=f.id,
                        opened_on=TODAY - timedelta(days=60),
                        closed_on=TODAY - timedelta(days=40),
                        closure_reason=ClosureReason.GOALS_ACHIEVED))
    return f


def visit(store: LocalStore, f: Family, day: date, risk: str = "low",
          author: str = "olena", *, hour: int = 12) -> Visit:
    v = Visit(community=f.community, family_id=f.id, visited_at=at(day, hour),
              risk_level=risk, author=author)
    store.save(v)
    return v


def test_visits_per_week_count_each_community_in_its_monday_to_sunday_week(
        store: LocalStore) -> None:
    a, b = family(store, "Коваленко"), family(store, "Бойко", PUL)
    monday = week_start(TODAY)
    # This week; at midnight, which has passed even when today is that Monday (at noon, a
    # run on a Monday morning recorded a visit in the future and was rightly refused).
    visit(store, a, monday, hour=0)
    visit(store, a, monday - timedelta(days=1))       # last Sunday: the week before
    visit(store, b, monday - timedelta(days=7))
    visit(store, a, monday - timedelta(weeks=10))     # older than the 10 weeks shown
    d = build_dashboard(store, communities=[MAL, PUL], today=TODAY, tz=UTC)
    assert len(d.weeks) == 10 and d.weeks[-1].start == monday
    assert [w.start.weekday() for w in d.weeks] == [0] * 10
    assert d.weeks[-1].by_community == {MAL: 1, PUL: 0}
    assert d.weeks[-2].by_community == {MAL: 1, PUL: 1}
    assert d.visits_in_period == 3 and d.visits_per_community() == {MAL: 2, PUL: 1}
    only_pul = build_dashboard(store, communities=[PUL], today=TODAY, tz=UTC)
    assert only_pul.visits_in_period == 1 and only_pul.weeks[-2].by_community == {PUL: 1}


def test_overdue_follow_ups_most_overdue_first_and_closed_families_left_out(
        store: LocalStore) -> None:
    family(store, "Ткачук", next_visit_date=TODAY - timedelta(days=2), assigned_worker="olena")
    family(store, "Мельник", next_visit_date=TODAY - timedelta(days=9))
    family(store, "Бондар", next_visit_date=TODAY)                      # due today: not yet
    family(store, "Закрита", next_visit_date=TODAY - timedelta(days=30), closed=True)
    family(store, "Інша громада", ZV, next_visit_date=TODAY - timedelta(days=5))
    d = build_dashboard(store, communities=[MAL], today=TODAY)
    assert [(o.family_name, o.days_overdue) for o in d.overdue] == [("Мельник", 9),
                                                                     ("Ткачук", 2)]


def test_risk_is_the_latest_visits_and_families_without_one_are_counted(
        store: LocalStore) -> None:
    a, b, c = family(store, "А"), family(store, "Б"), family(store, "В")
    family(store, "Г")                                     # no visit yet
    visit(store, a, TODAY - timedelta(days=20), "high")
    visit(store, a, TODAY - timedelta(days=2), "low")      # the latest one counts
    visit(store, b, TODAY - timedelta(days=3), "high")
    visit(store, c, TODAY - timedelta(days=1), "medium")
    closed = family(store, "Закрита", closed=True)
    visit(store, closed, TODAY - timedelta(days=1), "high")
    d = build_dashboard(store, communities=[MAL], today=TODAY)
    assert d.risk == {RiskLevel.HIGH: 1, RiskLevel.MEDIUM: 1, RiskLevel.LOW: 1, None: 1}


def test_workload_per_worker(store: LocalStore) -> None:
    for i in range(3):
        family(store, f"О{i}", assigned_worker="olena",
               next_visit_date=TODAY - timedelta(days=1) if i == 0 else None)
    p = family(store, "П", assigned_worker="petro")
    family(store, "З", assigned_worker="petro", closed=True)
    visit(store, p, TODAY - timedelta(days=29), author="petro")
    visit(store, p, TODAY - timedelta(days=30), author="petro")      # outside 30 days
    visit(store, p, TODAY - timedelta(days=3), author="taras")       # no families of his
    d = build_dashboard(store, communities=[MAL], today=TODAY, tz=UTC)
    assert [(w.worker, w.open_families, w.overdue_families, w.recent_visits)
            for w in d.workload] == [("olena", 3, 1, 0), ("petro", 1, 0, 1), ("taras", 0, 0, 1)]


def test_open_conflicts_and_placements_near_their_end(store: LocalStore) -> None:
    f = family(store, "Коваленко")
    for status, community in ((ConflictStatus.OPEN, MAL), (ConflictStatus.OPEN, MAL),
                              (ConflictStatus.RESOLVED, MAL), (ConflictStatus.OPEN, PUL)):
        store.save(Conflict(community=community, record_kind=RecordKind.FAMILY,
                            record_id=f.id, field="settlement", winner_clock="a",
                            loser_clock="b", status=status))
    foster = family(store, "Петренко", foster_family=True)
    child = Person(community=MAL, family_id=f.id, last_name="Коваленко", first_name="Марко",
                   role=PersonRole.CHILD)
    store.save(child)
    near_start = TODAY - timedelta(days=80)
    near = Placement(community=MAL, child_id=child.id, foster_family_id=foster.id,
                     birth_family_id=f.id, start_date=near_start,
                     planned_end=stay_limit(near_start))
    calm = Placement(community=MAL, child_id=child.id, foster_family_id=foster.id,
                     start_date=TODAY - timedelta(days=5),
                     planned_end=TODAY + timedelta(days=60))
    gone = Placement(community=MAL, child_id=child.id, foster_family_id=foster.id,
                     start_date=TODAY - timedelta(days=100),
                     planned_end=stay_limit(TODAY - timedelta(days=100)),
                     ended_on=TODAY - timedelta(days=20), outcome="returned_home")
    for p in (near, calm, gone):
        store.save(p)
    d = build_dashboard(store, communities=[MAL, PUL], today=TODAY)
    assert d.conflicts == {MAL: 2, PUL: 1}
    [row] = d.placements
    assert row.id == str(near.id) and row.term.level is PlacementLevel.NEAR
    assert row.child_name == "Коваленко Марко" and row.foster_family_name == "Петренко"
    assert row.term.days_left == (stay_limit(near_start) - TODAY).days
    assert build_dashboard(store, communities=[PUL], today=TODAY).placements == []


def test_visits_per_week_with_nothing_recorded_gives_empty_weeks() -> None:
    weeks = visits_per_week([], communities=[MAL], today=TODAY, weeks=8)
    assert len(weeks) == 8 and all(w.total == 0 for w in weeks)
    assert weeks[0].end == weeks[1].start - timedelta(days=1)
