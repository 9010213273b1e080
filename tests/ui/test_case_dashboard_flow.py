"""The dashboard's case sections in a headless session at 360 px over a real store: a threat
without a decision first (it opens the act's review), an overdue needs assessment in working
days, an overdue plan task, and the cases by stage; nothing cut off at a phone's width."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from field_app.store import LocalStore
from shared_models.enums import AssessmentDecision
from shared_models.records import Assessment, Case, Family, PlanTask
from tests.ui.harness import run
from tests.ui.layout_check import expand_in_unbounded_row, flex_in_wrap, unbounded_text
from tests.ui.stores import real_store
from tests.ui.test_supervision_flows import start

TODAY = date.today()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, username="iryna", role="supervisor",
                   communities=("malynska", "pulynska"))
    yield s
    s.close()


def _family(store: LocalStore, name: str) -> Family:
    f = Family(community="malynska", family_name=name, settlement="Малин",
               assigned_worker="petro")
    store.save(f)
    return f


def test_threats_come_first_then_overdue_acts_tasks_and_stages(tmp_path: Path,
                                                              store: LocalStore) -> None:
    threat_family, late_family, plan_family = (_family(store, n) for n in (
        "Мірошниченко", "Гуменюк", "Лисенко"))
    threat_case = Case(community="malynska", family_id=threat_family.id,
                       opened_on=TODAY - timedelta(days=2), assigned_worker="petro")
    act = Assessment(community="malynska", case_id=threat_case.id,
                     family_id=threat_family.id, assessor="petro",
                     started_on=TODAY - timedelta(days=2), completed_on=TODAY,
                     threat_to_life=True, threat_details="Дитина без нагляду",
                     difficult_circumstances=True, decision=AssessmentDecision.SUPPORT)
    late_case = Case(community="malynska", family_id=late_family.id,
                     opened_on=TODAY - timedelta(days=21), assigned_worker="petro")
    plan_case = Case(community="malynska", family_id=plan_family.id,
                     opened_on=TODAY - timedelta(days=40), assigned_worker="petro")
    task = PlanTask(community="malynska", case_id=plan_case.id, family_id=plan_family.id,
                    goal="Стабільний дохід", task="Стати на облік у центрі зайнятості",
                    due_date=TODAY - timedelta(days=3))
    for r in (threat_case, act, late_case, plan_case, task):
        store.save(r)

    async def flow() -> None:
        h = await start(tmp_path, store, "/more/dashboard")
        text = h.text()
        assert text.index("Загрози життю чи здоров'ю дітей без рішення") < text.index(
            "Прострочене оцінювання потреб") < text.index("Випадки за етапами")
        threat = h.find(key=f"dash-threat-{act.id}")
        assert threat.subtitle.value == (       # two communities: each row names its own
            "Малинська громада · акт оцінки потреб: загроза відкрита 2 дні")
        overdue = h.find(key=f"dash-overdue-act-{late_case.id}")
        assert "прострочено на" in overdue.subtitle.value
        assert "робоч" in overdue.subtitle.value
        plan = h.find(key=f"dash-plan-{task.id}")
        assert "Стати на облік у центрі зайнятості" in plan.subtitle.value
        assert "Відкрито 3 випадки." in text
        views = list(h.page.views)
        assert expand_in_unbounded_row(views) == [] and flex_in_wrap(views) == []
        assert unbounded_text(views) == []
        await h.click(threat)
        await h.settle()
        assert h.page.route == f"/more/review/assessment/{act.id}"
        assert "Дитина без нагляду" in h.text()
        h.assert_no_crash()
        await h.close()

    run(flow)
