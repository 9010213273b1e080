"""A threat to a child's life or health leaves the phone before anything else in the outbox.

Against a real server, through a transport that records each push: a visit or an assessment
that found a threat goes in the first push, with the unsent records it names (its new family,
the people present, its case) and nothing else, even when hundreds of older changes wait;
then the rest follows in outbox order and everything arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from field_app.store import LocalStore
from shared_models.enums import AssessmentDecision, ClosureReason, PersonRole, RiskLevel
from shared_models.records import Assessment, Case, Family, Person, Visit
from tests.sync.conftest import Device
from tests.sync.test_push_pipeline import Watcher

MAL = "malynska"


def families(store: LocalStore, n: int) -> list[Family]:
    made = []
    for i in range(n):
        f = Family(community=MAL, family_name=f"Родина {i}", settlement="Малин")
        store.save(f)
        made.append(f)
    return made


def records_of(store: LocalStore, mutation_ids: list[str]) -> list[str]:
    by_mid = {str(p.mutation_id): p.record_id for p in store.pending_changes()}
    return [by_mid[m] for m in mutation_ids]


def test_a_threat_visit_and_what_it_names_go_in_the_first_push(
        make_device: Callable[..., Device]) -> None:
    watch = Watcher()
    store, client = make_device("olena", transport=watch)
    client.batch_size = 10
    families(store, 30)                                   # older work, 30 changes
    f = Family(community=MAL, family_name="Коваленко", settlement="Малин")
    store.save(f)
    child = Person(community=MAL, family_id=f.id, last_name="Коваленко", first_name="Марко",
                   role=PersonRole.CHILD)
    store.save(child)
    families(store, 12)
    calm = Visit(community=MAL, family_id=f.id, author="olena", risk_level=RiskLevel.LOW,
                 visited_at=datetime.now(UTC) - timedelta(hours=3))
    store.save(calm)
    threat = Visit(community=MAL, family_id=f.id, author="olena", risk_level=RiskLevel.HIGH,
                   visited_at=datetime.now(UTC) - timedelta(hours=1), present=[child.id],
                   threat_to_life=True)
    store.save(threat)
    order = {str(p.mutation_id): p.record_id for p in store.pending_changes()}
    outbox = list(order)
    assert store.urgent_records() == [str(f.id), str(child.id), str(threat.id)]

    report = client.sync()
    assert report.pushed == len(outbox) == 46 and report.rejected == 0
    first = [order[m] for m in watch.pushes[0][1]]
    assert first == [str(f.id), str(child.id), str(threat.id)]
    # The rest in outbox order, nothing twice, nothing lost.
    rest = [m for _, ids in watch.pushes[1:] for m in ids]
    assert rest == [m for m in outbox if m not in watch.pushes[0][1]]
    assert store.pending_changes() == [] and client.attention() == []
    assert watch.most_in_flight == 1


def test_a_threat_assessment_goes_first_with_its_case(
        make_device: Callable[..., Device]) -> None:
    watch = Watcher()
    store, client = make_device("olena", transport=watch)
    client.batch_size = 50
    f = families(store, 1)[0]
    c = Case(community=MAL, family_id=f.id, opened_on=datetime.now(UTC).date())
    store.save(c)
    families(store, 120)
    a = Assessment(community=MAL, case_id=c.id, family_id=f.id, assessor="olena",
                   started_on=c.opened_on, threat_to_life=True,
                   threat_details="Батько погрожує дитині",
                   decision=AssessmentDecision.SUPPORT)
    store.save(a)
    order = {str(p.mutation_id): p.record_id for p in store.pending_changes()}
    report = client.sync()
    assert report.pushed == len(order) and report.rejected == 0
    assert [order[m] for m in watch.pushes[0][1]] == [str(f.id), str(c.id), str(a.id)]
    assert store.pending_changes() == []


def test_no_threat_no_extra_pass(make_device: Callable[..., Device]) -> None:
    watch = Watcher()
    store, client = make_device("olena", transport=watch)
    client.batch_size = 10
    families(store, 15)
    assert store.urgent_records() == []
    order = [str(p.mutation_id) for p in store.pending_changes()]
    client.sync()
    assert [m for _, ids in watch.pushes for m in ids] == order
    assert [len(ids) for _, ids in watch.pushes] == [10, 5]


def test_a_threat_in_a_reopened_case_takes_the_old_closure_along(
        make_device: Callable[..., Device]) -> None:
    """One open case per family: the new case's threat cannot overtake the closure of the
    case before it, or the server would refuse the new case as a second open one."""
    watch = Watcher()
    store, client = make_device("olena", transport=watch)
    today = datetime.now(UTC).date()
    f = families(store, 1)[0]
    old = Case(community=MAL, family_id=f.id, opened_on=today - timedelta(days=30))
    store.save(old)
    client.sync()
    store.save(old.model_copy(update={"closed_on": today,
                                      "closure_reason": ClosureReason.GOALS_ACHIEVED}))
    families(store, 20)
    new = Case(community=MAL, family_id=f.id, opened_on=today, reopens=old.id)
    store.save(new)
    a = Assessment(community=MAL, case_id=new.id, family_id=f.id, assessor="olena",
                   started_on=today, threat_to_life=True, threat_details="Погроза")
    store.save(a)
    assert store.urgent_records() == [str(old.id), str(new.id), str(a.id)]
    pushes_before = len(watch.pushes)
    report = client.sync()
    assert report.rejected == 0 and client.attention() == []
    order = watch.pushes[pushes_before][1]
    assert len(order) == 3 and store.pending_changes() == []
