"""Notes (append-only, corrections) and the due-visits place in a headless session."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from field_app.services.state import Phase
from shared_models.records import Family, Note
from tests.ui.harness import FakeDevice, run, start_unlocked
from tests.ui.layout_check import flex_in_wrap
from tests.ui.stores import real_store

TODAY = date.today()


def test_add_a_note_correct_it_and_both_show_on_the_card(tmp_path: Path) -> None:
    async def flow() -> None:
        d = FakeDevice(Phase.LOCKED)
        d.store = real_store(tmp_path)
        fam = Family(community="zhytomyrska", family_name="Мельник", settlement="Пулини")
        d.store.save(fam)
        h = await start_unlocked(tmp_path, d, route=f"/families/{fam.id}")
        await h.settle()
        assert h.find(key="family-timeline")
        await h.click(h.find(key="family-add-note"))
        await h.settle()
        assert h.view.appbar.title.value == "Нова нотатка"
        await h.click(h.find(key="note-save"))
        assert h.find(key="note-text").error == "Заповніть це поле"
        await h.type(h.find(key="note-text"), "Мама отримала довідку 12.11.")
        assert h.find(key="note-text").error is None
        await h.click(h.find(key="note-save-bar"))
        assert h.page.route == f"/families/{fam.id}"
        await h.settle()
        (old,) = d.store.all(Note)
        await h.click(h.find(key=f"timeline-note-{old.id}"))     # the card's timeline
        await h.settle()
        assert h.page.route == f"/families/{fam.id}/notes/{old.id}"
        assert "Мама отримала довідку 12.11." in h.texts()
        await h.click(h.find(key="note-fix"))
        await h.settle()
        assert h.page.route == f"/families/{fam.id}/notes/new?corrects={old.id}"
        assert h.view.appbar.title.value == "Виправлення нотатки"
        assert h.find(key="note-corrected")                   # the old text above the field
        assert h.find(key="note-text").value == "Мама отримала довідку 12.11."
        await h.click(h.find(key="note-save"))                # unchanged: refused
        assert h.find(key="note-text").error == (
            "Текст не змінився: виправте його або поверніться назад.")
        await h.type(h.find(key="note-text"), "Мама отримала довідку 14.11.")
        await h.click(h.find(key="note-save"))
        await h.settle()
        assert h.page.route == f"/families/{fam.id}"
        new = next(n for n in d.store.all(Note) if n.id != old.id)
        assert new.corrects == old.id
        assert d.store.get(Note, old.id) == old               # the old note is untouched
        assert h.find(key=f"timeline-note-{new.id}") and h.find(key=f"timeline-note-{old.id}")
        assert h.find(key=f"note-corrected-{old.id}-{new.id}")   # the old one says so
        await h.click(h.find(key=f"timeline-note-{old.id}"))
        await h.settle()
        assert h.find(key="note-corrected-mark")
        assert flex_in_wrap(list(h.page.views)) == []         # (a grey box in the browser)
        assert h.find_all(key="note-fix") == []               # correct the newest, not this
        await h.click(h.find(key="note-open-correction"))
        await h.settle()
        assert h.page.route == f"/families/{fam.id}/notes/{new.id}"
        assert "Мама отримала довідку 14.11." in h.texts()
        assert h.find(key="note-open-corrected")
        await h.close()

    run(flow)


def test_note_drafts_come_back_after_lock(tmp_path: Path) -> None:
    async def flow() -> None:
        d = FakeDevice(Phase.LOCKED)
        d.store = real_store(tmp_path)
        fam = Family(community="zhytomyrska", family_name="Мельник", settlement="Пулини")
        d.store.save(fam)
        h = await start_unlocked(tmp_path, d, route=f"/families/{fam.id}/notes/new")
        await h.settle()
        await h.type(h.find(key="note-text"), "Почала писати")
        await h.fire(h.page, "app_lifecycle_state_change", {"state": "hide"})
        assert h.page.route == "/unlock"
        await h.type(h.find(key="unlock-pin"), d.pin)
        await h.click(h.find(key="unlock-submit"))
        assert h.page.route == f"/families/{fam.id}/notes/new"    # back where the worker was
        await h.settle()
        assert h.find(key="draft-restored")
        assert h.find(key="note-text").value == "Почала писати"
        await h.close()

    run(flow)


def test_due_visits_overdue_first_mine_first_in_words(tmp_path: Path) -> None:
    async def flow() -> None:
        d = FakeDevice(Phase.LOCKED)
        d.today = TODAY

        def fam(name: str, days: int, mine: bool = False) -> Family:
            return Family(community="zhytomyrska", family_name=name, settlement="Житомир",
                          next_visit_date=TODAY + timedelta(days=days),
                          assigned_worker="olena" if mine else None)

        d.family_records = [fam("Бондар", 5), fam("Гнатюк", -1), fam("Дмитренко", 0, True),
                            fam("Коваль", -3, True), fam("Мороз", 9), fam("Шевчук", 1)]
        h = await start_unlocked(tmp_path, d, route="/visits")
        await h.settle()
        assert h.view.appbar.title.value == "Заплановані візити"
        rows = [t for t in h.texts() if t.endswith(" · Житомир")]
        day = lambda n: (TODAY + timedelta(days=n)).strftime("%d.%m.%Y")  # noqa: E731
        assert rows == [f"Прострочено на 3 дні · {day(-3)} · Житомир",
                        f"Прострочено на 1 день · {day(-1)} · Житомир",
                        f"Сьогодні · {day(0)} · Житомир",
                        f"Завтра · {day(1)} · Житомир",
                        f"Через 5 днів · {day(5)} · Житомир"]
        assert "Прострочено: 2 · Цього тижня: 3" in h.texts()
        assert flex_in_wrap(list(h.page.views)) == []
        spoken = [t for t in h.texts() if t.endswith(". Закріплена за вами")]
        assert spoken == [f"Прострочено на 3 дні · {day(-3)} · Житомир. Закріплена за вами",
                          f"Сьогодні · {day(0)} · Житомир. Закріплена за вами"]
        assert len(h.find_all(key="due-mine")) == 2
        await h.click(h.find(key=f"due-{d.family_records[3].id}"))
        assert h.page.route == f"/families/{d.family_records[3].id}"
        await h.close()

    run(flow)


def test_no_due_visits_says_so(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await start_unlocked(tmp_path, route="/visits")
        await h.settle()
        assert "Немає візитів, які треба провести найближчим часом." in h.texts()
        await h.close()

    run(flow)


def test_a_correction_draft_comes_back_as_a_correction_after_lock(tmp_path: Path) -> None:
    async def flow() -> None:
        d = FakeDevice(Phase.LOCKED)
        d.store = real_store(tmp_path)
        fam = Family(community="zhytomyrska", family_name="Мельник", settlement="Пулини")
        d.store.save(fam)
        old = Note(community="zhytomyrska", family_id=fam.id, text="Стара нотатка",
                   written_at=datetime.now(UTC) - timedelta(hours=1), author="olena")
        d.store.save(old)
        path = f"/families/{fam.id}/notes/new?corrects={old.id}"
        h = await start_unlocked(tmp_path, d, route=path)
        await h.settle()
        await h.type(h.find(key="note-text"), "Стара нотатка, виправлена")
        await h.page.data.lock_now()                 # as the auto-lock does
        await h.type(h.find(key="unlock-pin"), d.pin)
        await h.click(h.find(key="unlock-submit"))
        assert h.page.route == path                  # the query too: still a correction
        await h.settle()
        assert h.view.appbar.title.value == "Виправлення нотатки"
        assert h.find(key="draft-restored")
        assert h.find(key="note-text").value == "Стара нотатка, виправлена"
        await h.close()

    run(flow)


def test_the_due_list_shows_what_a_sync_brought_without_a_re_render(tmp_path: Path) -> None:
    class SyncBringsADueFamily(FakeDevice):
        def sync(self, progress):  # type: ignore[no-untyped-def]
            self.family_records.append(arrived)
            return super().sync(progress)

    async def flow() -> None:
        h = await start_unlocked(tmp_path, d, route="/visits")
        await h.settle()
        assert "Немає візитів, які треба провести найближчим часом." in h.texts()
        view = h.view
        await h.page.data.sync_now()
        await h.settle()
        assert h.view is view                          # the same view: reloaded in place
        assert "Новенькі" in h.texts()
        assert f"Завтра · {(TODAY + timedelta(days=1)).strftime('%d.%m.%Y')} · Малин" in h.texts()
        await h.close()

    d = SyncBringsADueFamily(Phase.LOCKED)
    d.today = TODAY
    arrived = Family(community="zhytomyrska", family_name="Новенькі", settlement="Малин",
                     next_visit_date=TODAY + timedelta(days=1))
    run(flow)
