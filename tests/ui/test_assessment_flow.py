"""The needs-assessment act's form in a headless session over a real store (phone width).

The worker opens a case's act: the term is shown, the sections fold, one block per child.
A threat without details is refused beside the field with its section opened; the act typed
survives the lock only in the store; submitting completes it for the supervisor.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from field_app.services import assessment_form as af
from field_app.services.draft_store import load_draft
from field_app.ui.views.assessment_form import assessment_path
from shared_models.records import Assessment, Case, Family, Person
from tests.ui.harness import Harness, run
from tests.ui.layout_check import expand_in_unbounded_row, flex_in_wrap, unbounded_text
from tests.ui.test_family_card_flow import _open, db, device, seeded, tick


def _case(d: Any) -> tuple[Family, Person, Case]:
    family, kid, _visit = seeded(db(d))
    case = Case(community=family.community, family_id=family.id,
                opened_on=date.today() - timedelta(days=1))
    db(d).save(case)
    return family, kid, case


def _laid_out(h: Harness) -> None:
    views = list(h.page.views)
    assert expand_in_unbounded_row(views) == [] and flex_in_wrap(views) == []
    assert unbounded_text(views) == []


def test_a_threat_needs_details_and_the_act_goes_for_approval(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        family, kid, case = _case(d)
        h = await _open(tmp_path, d, assessment_path(str(family.id), str(case.id)),
                        width=360)
        text = h.text()
        assert "Акт оцінки потреб сім'ї" in text
        assert "лишилося" in text or "лишився" in text      # the term in working days
        assert "2. Стан і потреби дітей" in text
        # Folded: the children's block is not shown until its section is opened.
        assert not h.find_all(key=f"assessment-child.{kid.id}.health")
        await h.click(h.find(key="assessment-section-children"))
        await h.settle()
        assert h.find(key=f"assessment-child.{kid.id}.health")
        _laid_out(h)
        await tick(h, f"assessment-child.{kid.id}.threat_to_life")
        await h.click(h.find(key="assessment-submit"))
        await h.settle()
        assert h.find(key="assessment-threat_details").error == (
            "Опишіть, що загрожує життю чи здоров'ю дитини")
        # The conclusion's problems open their section too.
        assert h.find(key="assessment-decision-error").value
        await h.type(h.find(key="assessment-threat_details"), "Дитина лишається сама вночі")
        await h.choose(h.find(key="assessment-difficult_circumstances"), "yes")
        await h.choose(h.find(key="assessment-decision"), "support")
        await h.settle()
        await h.click(h.find(key="assessment-submit"))
        await h.settle()
        h.assert_no_crash()
        assert h.page.route == f"/families/{family.id}"
        [act] = db(d).all(Assessment, case_id=case.id)
        assert act.completed_on == date.today() and act.threat
        assert act.threat_details == "Дитина лишається сама вночі"
        assert load_draft(db(d), af.draft_key(str(case.id))) is None
        await h.close()

    run(flow)


def test_the_act_typed_survives_the_lock_only_in_the_store(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        family, _kid, case = _case(d)
        path = assessment_path(str(family.id), str(case.id))
        h = await _open(tmp_path, d, path, width=360)
        await h.click(h.find(key="assessment-section-family"))
        await h.settle()
        await h.type(h.find(key="assessment-income"), "Допомога при народженні дитини")
        app = h.page.data
        await app.lock_now()
        await h.settle()
        draft = load_draft(db(d), af.draft_key(str(case.id)))
        assert draft is not None
        assert draft.data["income"] == "Допомога при народженні дитини"
        assert len(app.forms) == 0
        await h.type(h.find(key="unlock-pin"), d.pin)
        await h.click(h.find(key="unlock-submit"))
        await h.settle()
        assert h.page.route == path
        assert h.find(key="draft-restored")
        await h.click(h.find(key="assessment-section-family"))
        await h.settle()
        assert h.find(key="assessment-income").value == "Допомога при народженні дитини"
        await h.close()

    run(flow)


def test_on_a_laptop_the_act_sits_beside_the_families(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        family, _kid, case = _case(d)
        h = await _open(tmp_path, d, assessment_path(str(family.id), str(case.id)),
                        width=1280, height=800)
        assert h.find(key="assessment-section-conclusion")
        assert "Коваленко" in h.text()              # the families list in the left pane
        _laid_out(h)
        h.assert_no_crash()
        await h.close()

    run(flow)
