"""The review screens in a headless session over real encrypted stores.

A supervisor opens the queue from "More", reads a visit and returns it (an empty comment is
refused next to the field); the worker sees the comment and "Виправити"; on a laptop the
review place is two panes. Records travel between the stores through ``Relay``.
"""

from __future__ import annotations

from pathlib import Path

import flet as ft

from field_app.i18n import format_datetime
from field_app.services import reviews
from field_app.services.reviews import ReviewState
from field_app.services.state import Phase
from shared_models.enums import ReviewDecision
from shared_models.records import Person, Review, Visit
from tests.ui.harness import FakeDevice, Harness, run, start_unlocked
from tests.ui.review_data import Relay, account, family, note, visit
from tests.ui.stores import real_store


def stores(tmp_path: Path) -> tuple[FakeDevice, FakeDevice, Relay, dict[str, str]]:
    """A worker's and a supervisor's device, each over a real store, with olena's records
    already synced to both: a medium-risk visit to Коваленко (with a child present), a
    high-risk visit to Ткачук and a note on Ткачук."""
    for name in ("olena", "iryna"):
        (tmp_path / name).mkdir()
    olena = real_store(tmp_path / "olena", username="olena")
    iryna = real_store(tmp_path / "iryna", username="iryna", role="supervisor")
    relay = Relay()
    kovalenko, tkachuk = family(olena, "Коваленко"), family(olena, "Ткачук")
    child = Person(community="zhytomyrska", family_id=kovalenko.id, last_name="Коваленко",
                   first_name="Марійка")
    olena.save(child)
    medium = visit(olena, kovalenko, "medium", 2, present=[child.id], services=["002.0"],
                   child_needs="Потребує консультації логопеда")
    high = visit(olena, tkachuk, "high", 5)
    n = note(olena, tkachuk, 1)
    relay.sync(olena)
    relay.sync(iryna)
    worker, supervisor = FakeDevice(Phase.LOCKED), FakeDevice(Phase.LOCKED, username="iryna")
    worker.store, supervisor.store = olena, iryna
    supervisor.role = "supervisor"
    ids = {"medium": str(medium.id), "high": str(high.id), "note": str(n.id),
           "family": str(kovalenko.id)}
    return worker, supervisor, relay, ids


async def _open_queue(h: Harness) -> None:
    await h.tap_place(3)
    await h.click(h.find(key="more-review"))
    await h.settle()


def test_the_supervisor_returns_a_visit_with_a_comment(tmp_path: Path) -> None:
    async def flow() -> None:
        worker, supervisor, relay, ids = stores(tmp_path)
        h = await start_unlocked(tmp_path / "iryna", supervisor)
        await h.tap_place(3)
        assert h.find(key="more-review").title.value == "Черга перевірки"
        await _open_queue(h)
        assert h.page.route == "/more/review"
        assert h.view.appbar.title.value == "Черга перевірки"
        text = h.text()
        assert "Чекають рішення: 3" in text
        # Highest risk first (the note has Ткачук's risk, from its latest visit), then newest.
        rows = [c.key for c in h.find(key="review-list").controls[1].controls]
        assert rows == [f"review-row-{ids[k]}" for k in ("note", "high", "medium")]
        assert "Ризик сім'ї: високий" in text and "Ризик: середній" in text
        assert f"Візит від {_when(supervisor, ids['medium'])} · olena" in text
        await h.click(h.find(key=f"review-row-{ids['medium']}"))
        assert h.page.route == f"/more/review/visit/{ids['medium']}"
        text = h.text()
        for words in ("Коваленко", "Перевірка візиту", "Коваленко Марійка", "Консультування",
                      "Потребує консультації логопеда", "Чекає рішення супервізора",
                      "Рішень ще не було.", "Затвердити", "Повернути з коментарем"):
            assert words in text, words
        # Returning without a comment: refused next to the field, nothing saved.
        await h.click(h.find(key="review-return"))
        assert h.find(key="review-comment").error == "Напишіть коментар: що саме треба виправити."
        assert supervisor.store is not None and supervisor.store.all(Review) == []
        await h.type(h.find(key="review-comment"), "Уточніть, хто ще був присутній")
        assert h.find(key="review-comment").error is None
        await h.click(h.find(key="review-return"))
        assert h.page.route == "/more/review"
        assert "Повернуто автору. Коментар надійде після синхронізації." in h.text()
        assert h.page.data.services.sync.pending == 1
        assert "Чекають рішення: 2" in h.text()
        [review] = supervisor.store.all(Review)
        assert (review.decision, review.comment, review.reviewer) == (
            ReviewDecision.RETURNED, "Уточніть, хто ще був присутній", "iryna")
        # The decision reaches the worker with the next syncs.
        relay.sync(supervisor.store)
        assert worker.store is not None
        relay.sync(worker.store)
        mine = reviews.returned_to_me(worker.store, account(worker.store, "social_worker"))
        assert [r.id for r in mine] == [ids["medium"]]
        await h.close()
    run(flow)


def _when(device: FakeDevice, visit_id: str) -> str:
    assert device.store is not None
    v = device.store.get(Visit, visit_id)
    assert v is not None
    return format_datetime(v.visited_at)


def test_the_worker_sees_the_comment_and_fixes_the_visit(tmp_path: Path) -> None:
    async def flow() -> None:
        worker, supervisor, relay, ids = stores(tmp_path)
        assert supervisor.store is not None and worker.store is not None
        reviews.return_for_changes(supervisor.store, account(supervisor.store, "supervisor"),
                                   "visit", ids["medium"], "Додайте план на наступний візит")
        relay.sync(supervisor.store)
        relay.sync(worker.store)
        h = await start_unlocked(tmp_path / "olena", worker)
        await h.tap_place(3)
        assert h.find(key="more-review").title.value == "Повернуті на доопрацювання"
        await _open_queue(h)
        assert h.view.appbar.title.value == "На доопрацювання"
        text = h.text()
        assert "Повернуто вам: 1" in text and "«Додайте план на наступний візит»" in text
        assert "Повернуто на доопрацювання" in text
        await h.click(h.find(key=f"review-row-{ids['medium']}"))
        text = h.text()
        assert "Коментар супервізора (iryna, " in text
        assert h.find(key="review-returned-comment").value == "Додайте план на наступний візит"
        assert not h.find_all(key="review-approve") and not h.find_all(key="review-return")
        assert not h.find_all(key="review-comment")
        await h.click(h.find(key="review-fix"))
        assert h.page.route == f"/families/{ids['family']}/visits/{ids['medium']}/edit"
        # Amended (as the visit form will save it): waiting again, no "fix" any more.
        v = worker.store.get(Visit, ids["medium"])
        assert v is not None
        v.next_steps = "Повторний візит за тиждень"
        worker.store.save(v)
        await h.follow(f"/more/review/visit/{ids['medium']}")
        assert "Виправлено після повернення — чекає повторної перевірки" in h.text()
        assert not h.find_all(key="review-fix")
        assert reviews.status(worker.store, "visit", ids["medium"]).state is \
            ReviewState.AMENDED
        await h.close()
    run(flow)


def test_two_panes_on_a_laptop_and_english(tmp_path: Path) -> None:
    async def flow() -> None:
        _worker, supervisor, _relay, ids = stores(tmp_path)
        h = await start_unlocked(tmp_path / "iryna", supervisor, width=1280, height=800)
        await h.follow("/more/review")
        assert "Оберіть запис зі списку, щоб переглянути його й ухвалити рішення." in h.text()
        await h.click(h.find(key=f"review-row-{ids['note']}"))
        assert h.page.route == f"/more/review/note/{ids['note']}"
        assert len(h.page.views) == 1                       # list and detail side by side
        assert h.find(key=f"review-row-{ids['note']}").selected
        assert h.find(key="review-list") and h.find(key="review-detail")
        assert "Мати погодилась на консультацію" in h.text()
        await h.page.data.set_language("en")
        await h.settle()
        text = h.text()
        for words in ("Note review", "Waiting for a decision: 3", "Family risk: high", "Approve",
                      "Return with a comment", "Waiting for the supervisor's decision"):
            assert words in text, words
        await h.click(h.find(key="review-approve"))
        assert h.page.route == "/more/review"
        assert "Approved. The author sees the decision after a sync." in h.text()
        assert f"review-row-{ids['note']}" not in {getattr(c, "key", None)
                                                   for c in h.controls()}
        await h.close()
    run(flow)


def test_an_unknown_record_says_so(tmp_path: Path) -> None:
    async def flow() -> None:
        _worker, supervisor, _relay, _ids = stores(tmp_path)
        h = await start_unlocked(tmp_path / "iryna", supervisor)
        await h.follow("/more/review/visit/00000000-0000-4000-8000-000000000000")
        assert "Цього запису немає на телефоні. Синхронізуйте дані й спробуйте ще раз." in \
            h.text()
        assert not h.find_all(type_=ft.FilledButton, text="Затвердити")
        await h.close()
    run(flow)


def test_the_returned_list_fills_in_when_a_sync_brings_the_decision(tmp_path: Path) -> None:
    async def flow() -> None:
        worker, supervisor, relay, ids = stores(tmp_path)
        assert supervisor.store is not None and worker.store is not None
        h = await start_unlocked(tmp_path / "olena", worker, route="/more/review")
        assert "Немає повернутих записів" in h.text()
        reviews.return_for_changes(supervisor.store, account(supervisor.store, "supervisor"),
                                   "note", ids["note"], "Хто саме погодився?")
        relay.sync(supervisor.store)
        store = worker.store

        def sync_through_relay(progress: object) -> object:
            relay.sync(store)
            return worker.sync_result

        worker.sync = sync_through_relay  # type: ignore[method-assign,assignment]
        await h.page.data.sync_now()
        await h.settle()
        assert h.page.route == "/more/review"
        assert "«Хто саме погодився?»" in h.text()
        assert h.find(key=f"review-row-{ids['note']}")
        await h.close()
    run(flow)
