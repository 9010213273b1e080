"""The visit form, the visit view and amend in a headless session over a real store."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import flet as ft

from field_app.i18n import format_date
from field_app.services.draft_store import load_draft, visit_key
from field_app.services.state import Phase
from shared_models.records import Family, Person, Review, Visit
from tests.ui.harness import FakeDevice, Harness, run, start_unlocked, strings_of, walk
from tests.ui.layout_check import flex_in_wrap
from tests.ui.stores import real_store

TODAY = date.today()


def device_with_family(tmp_path: Path) -> tuple[FakeDevice, Family, Person]:
    d = FakeDevice(Phase.LOCKED)
    d.store = real_store(tmp_path)
    d.today = TODAY
    fam = Family(community="zhytomyrska", family_name="Коваленко", settlement="Житомир",
                 next_visit_date=TODAY - timedelta(days=2), assigned_worker="olena")
    d.store.save(fam)
    kid = Person(community="zhytomyrska", family_id=fam.id, last_name="Коваленко",
                 first_name="Марія", birth_date=date(TODAY.year - 7, 1, 1))
    d.store.save(kid)
    d.family_records = [fam]
    return d, fam, kid


async def open_form(tmp_path: Path, **kw: Any) -> tuple[Harness, FakeDevice, Family, Person]:
    d, fam, kid = device_with_family(tmp_path)
    h = await start_unlocked(tmp_path, d, route=f"/families/{fam.id}/visits/new", **kw)
    await h.settle()
    return h, d, fam, kid


async def select_chip(h: Harness, key: str) -> None:
    await h.click(h.find(key=f"{key}-box"))


async def tick(h: Harness, key: str) -> None:
    box = h.find(key=key)
    h.session.apply_patch(box._i, {"value": not box.value})
    await h.fire(box, "change", str(not box.value).lower())


def test_recording_a_visit_end_to_end(tmp_path: Path) -> None:
    async def flow() -> None:
        h, d, fam, kid = await open_form(tmp_path)
        assert h.view.appbar.title.value == "Новий візит"
        assert h.find(key="visit-date").value == format_date(datetime.now().astimezone().date())
        assert h.find(key="visit-save-bar")               # save within reach in the app bar
        assert "Коваленко Марія, 7 років, дитина" in h.texts()
        assert flex_in_wrap(list(h.page.views)) == []
        await tick(h, f"visit-present-{kid.id}")
        await h.type(h.find(key="visit-others"), "бабуся")
        # Services: type to filter by name or code, tap to add, tap again to remove.
        await h.type(h.find(key="visit-service-search"), "криз")
        assert [c.key for c in h.find(key="visit-services-offered").controls] == [
            "visit-service-012.0"]
        await select_chip(h, "visit-service-012.0")
        await h.type(h.find(key="visit-service-search"), "002")
        await select_chip(h, "visit-service-002.0")
        await h.type(h.find(key="visit-service-search"), "немає такої")
        assert "Такої послуги немає в переліку." in h.texts()
        chosen = h.find(key="visit-services-chosen")   # in the catalogue's order, as elsewhere
        assert [c.key for c in chosen.controls] == ["visit-service-002.0", "visit-service-012.0"]
        await select_chip(h, "visit-service-012.0")       # removed again
        await h.type(h.find(key="visit-child-needs"), "Ходить до школи, потрібен логопед.")
        await h.choose(h.find(key="visit-risk"), "high")
        await h.click(h.find(key="visit-next-in-14"))
        nxt = parse(h.find(key="visit-next-visit").value)
        assert nxt == datetime.now().astimezone().date() + timedelta(days=14)
        await h.click(h.find(key="visit-save"))
        assert h.page.route == f"/families/{fam.id}"
        (visit,) = d.store.all(Visit)
        assert visit.services == ["002.0"] and visit.present == [kid.id]
        assert visit.others_present == "бабуся" and visit.risk_level.value == "high"
        assert d.store.get(Family, fam.id).next_visit_date == nxt
        assert load_draft(d.store, visit_key(str(fam.id))) is None
        assert "Візит збережено на телефоні." in h.texts()              # the notice
        assert h.find(key=f"timeline-visit-{visit.id}")                  # the card lists it
        assert flex_in_wrap(list(h.page.views)) == []
        assert "Ризик: високий" in h.texts()
        # Opened from the card: only on this phone, so no supervisor is waiting on it yet.
        await h.follow(f"/families/{fam.id}/visits/{visit.id}")
        await h.settle()
        banner = [s for c in walk(h.find(key="visit-review-status")) for s in strings_of(c)]
        assert "Ще не надіслано: супервізор побачить після синхронізації" in banner
        assert "Чекає рішення супервізора" not in h.texts()
        await h.close()

    run(flow)


def parse(text: str) -> date:
    day, month, year = (int(p) for p in text.split("."))
    return date(year, month, day)


def test_problems_next_to_fields_and_the_first_one_focused(tmp_path: Path) -> None:
    async def flow() -> None:
        h, d, _fam, _kid = await open_form(tmp_path)
        await h.type(h.find(key="visit-date"), "31.02.2026")
        await h.type(h.find(key="visit-time"), "25:00")
        h.conn.method_calls.clear()
        await h.click(h.find(key="visit-save-bar"))
        assert h.find(key="visit-date").error == "Неправильна дата (ДД.ММ.РРРР)"
        assert h.find(key="visit-time").error == "Неправильний час (ГГ:ХХ)"
        assert h.find(key="visit-risk-error").value == "Оберіть рівень ризику"
        assert h.find(key="visit-message").value == "Перевірте позначені поля."
        calls = [name for name, _ in h.conn.method_calls]
        assert "scroll_to" in calls and "focus" in calls
        scroll = next(args for name, args in h.conn.method_calls if name == "scroll_to")
        assert scroll["scroll_key"] == "at-date"
        assert d.store.all(Visit) == []
        # Fixing a field clears its problem at once.
        # Yesterday: a fixed hour of today is in the future before 08:30.
        await h.type(h.find(key="visit-date"), format_date(TODAY - timedelta(days=1)))
        assert h.find(key="visit-date").error is None
        await h.type(h.find(key="visit-time"), "08:30")
        h.conn.method_calls.clear()
        await h.click(h.find(key="visit-save"))
        scroll = next(args for name, args in h.conn.method_calls if name == "scroll_to")
        assert scroll["scroll_key"] == "at-risk_level"          # the first problem left
        await h.close()

    run(flow)


def test_the_draft_is_written_while_typing_and_before_lock(tmp_path: Path) -> None:
    async def flow() -> None:
        h, d, fam, _kid = await open_form(tmp_path)
        key = visit_key(str(fam.id))
        await h.type(h.find(key="visit-child-needs"), "Перші слова")
        assert load_draft(d.store, key) is None               # debounced: not yet
        await asyncio.sleep(1.0)
        await h.settle()
        draft = load_draft(d.store, key)
        assert draft is not None and draft.data["child_needs"] == "Перші слова"
        assert h.find(key="draft-status").value.startswith("Чернетку збережено о ")
        await h.type(h.find(key="visit-next-steps"), "Записати до логопеда")
        await h.page.data.lock_now()                           # no wait: flushed on lock
        assert h.page.route == "/unlock"
        draft = load_draft(d.store, key)
        assert draft is not None and draft.data["next_steps"] == "Записати до логопеда"
        await h.type(h.find(key="unlock-pin"), d.pin)
        await h.click(h.find(key="unlock-submit"))
        assert h.page.route == f"/families/{fam.id}/visits/new"   # back where the worker was
        await h.settle()
        banner = h.find(key="draft-restored")
        assert banner
        restored = [s for s in h.texts() if s.startswith("Відновлено чернетку від ")]
        assert restored == [f"Відновлено чернетку від {draft_when(draft.saved_at)}"]
        assert h.find(key="visit-next-steps").value == "Записати до логопеда"
        assert h.find(key="visit-child-needs").value == "Перші слова"
        # Discarding asks first, then starts over with an empty form.
        await h.click(h.find(key="draft-discard"))
        dialog = h.find(type_=ft.AlertDialog)
        await h.click(h.find(key="confirm-yes"))
        assert dialog.open is False
        assert h.find(key="draft-restored")                   # not yet: the dialog is closing
        await h.fire(dialog, "dismiss")                       # Flutter: the dialog is gone
        await h.settle()
        assert h.find_all(key="draft-restored") == []
        assert h.find(key="visit-child-needs").value == ""
        assert load_draft(d.store, key) is None
        await h.close()

    run(flow)


def draft_when(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{format_date(local.date())} {local.hour:02d}:{local.minute:02d}"


def test_a_language_switch_keeps_what_was_typed(tmp_path: Path) -> None:
    async def flow() -> None:
        h, _d, _fam, _kid = await open_form(tmp_path)
        await h.type(h.find(key="visit-environment"), "Будинок теплий")
        await h.choose(h.find(key="visit-risk"), "low")
        await h.page.data.set_language("en")
        assert h.view.appbar.title.value == "New visit"
        assert h.find(key="visit-environment").value == "Будинок теплий"
        assert h.find(key="visit-risk").value == "low"
        assert "Family and environment" in h.texts()
        await h.close()

    run(flow)


def test_visit_view_reviews_and_amend(tmp_path: Path) -> None:
    async def flow() -> None:
        d, fam, kid = device_with_family(tmp_path)
        visit = Visit(community="zhytomyrska", family_id=fam.id,
                      visited_at=datetime.now().astimezone() - timedelta(days=1),
                      present=[kid.id], services=["002.0"], risk_level="medium",  # type: ignore[arg-type]
                      child_needs="Потрібна довідка", author="olena")
        d.store.save(visit)
        d.store.save(Review(community="zhytomyrska", target_kind="visit",  # type: ignore[arg-type]
                            target_id=visit.id, decision="returned",  # type: ignore[arg-type]
                            comment="Додайте, хто був присутній", reviewer="iryna",
                            reviewed_at=datetime.now().astimezone()))
        d.store.acknowledge([p.mutation_id for p in d.store.pending_changes()])
        h = await start_unlocked(tmp_path, d, route=f"/families/{fam.id}/visits/{visit.id}")
        await h.settle()
        text = h.texts()
        assert "Ризик: середній" in text and "002.0 Консультування" in text
        assert "Повернуто на доопрацювання" in text
        assert "Коментар: Додайте, хто був присутній" in text
        assert "Надіслано на сервер" in text and "Коваленко Марія" in text
        assert flex_in_wrap(list(h.page.views)) == []
        # The decision is at the top, with the comment and the way to fix it; the history
        # stays at the end.
        assert text.index("Повернуто на доопрацювання") < text.index("Ризик: середній")
        assert h.find(key="visit-review-returned-comment").value == "Додайте, хто був присутній"
        assert h.find_all(key="visit-amend") == []          # one "Виправити", in the banner
        await h.click(h.find(key="visit-review-fix"))
        assert h.page.route == f"/families/{fam.id}/visits/{visit.id}/edit"
        await h.settle()
        assert h.view.appbar.title.value == "Виправлення візиту"
        await h.type(h.find(key="visit-others"), "сусідка")
        await h.click(h.find(key="visit-save"))
        assert h.page.route == f"/families/{fam.id}/visits/{visit.id}"
        await h.settle()
        (change,) = [p for p in d.store.pending_changes() if p.record_id == str(visit.id)]
        assert set(change.writes) == {"others_present"}        # only what was changed
        assert "Коваленко Марія, сусідка" in h.texts()
        assert "Збережено на цьому телефоні" in h.texts()
        banner = h.find(key="visit-review-status")
        assert h.find_all(key="visit-review-fix") == []     # fixed: waits for a new decision
        assert "Виправлено після повернення — чекає повторної перевірки" in [
            s for c in walk(banner) for s in strings_of(c)]
        assert h.find(key="visit-amend")                      # amending again stays possible
        await h.close()

    run(flow)


def test_someone_elses_visit_has_no_amend_and_unknown_ids_say_so(tmp_path: Path) -> None:
    async def flow() -> None:
        d, fam, _kid = device_with_family(tmp_path)
        visit = Visit(community="zhytomyrska", family_id=fam.id,
                      visited_at=datetime.now().astimezone(), risk_level="low",  # type: ignore[arg-type]
                      author="petro")
        d.store.save(visit)
        d.store.acknowledge([p.mutation_id for p in d.store.pending_changes()])
        h = await start_unlocked(tmp_path, d, route=f"/families/{fam.id}/visits/{visit.id}")
        await h.settle()
        assert h.find_all(key="visit-amend") == [] and h.find_all(key="visit-review-fix") == []
        assert "Чекає рішення супервізора" in h.texts()        # the status, near the top
        await h.follow(f"/families/{fam.id}/visits/{visit.id}/edit")
        await h.settle()
        assert "Виправити візит може лише той, хто його записав." in h.texts()
        await h.follow("/families/a1/visits/new")
        await h.settle()
        assert "Цієї сім'ї чи запису немає на телефоні." in h.texts()
        await h.close()

    run(flow)


def test_the_form_on_a_laptop_has_a_way_back_and_saves(tmp_path: Path) -> None:
    async def flow() -> None:
        h, d, fam, _kid = await open_form(tmp_path, width=1280, height=800)
        assert h.find_all(type_=ft.NavigationRail)
        assert h.find(key="back")
        await h.choose(h.find(key="visit-risk"), "low")
        await h.click(h.find(key="visit-save-bar"))
        assert h.page.route == f"/families/{fam.id}"
        assert len(d.store.all(Visit)) == 1
        await h.close()

    run(flow)


def test_date_and_time_pickers_fill_the_fields(tmp_path: Path) -> None:
    async def flow() -> None:
        h, _d, _fam, _kid = await open_form(tmp_path)
        await h.click(h.find(key="visit-date-pick"))
        (picker,) = [c for c in h.page._dialogs.controls if isinstance(c, ft.DatePicker)]
        assert picker.last_date.date() == TODAY                   # no visits in the future
        chosen = datetime.combine(TODAY - timedelta(days=3), datetime.min.time())
        h.session.apply_patch(picker._i, {"value": chosen})
        await h.fire(picker, "change", chosen.isoformat())
        assert h.find(key="visit-date").value == format_date(TODAY - timedelta(days=3))
        await h.click(h.find(key="visit-time-pick"))
        (clock,) = [c for c in h.page._dialogs.controls if isinstance(c, ft.TimePicker)]
        assert clock.hour_format == ft.TimePickerHourFormat.H24
        h.session.apply_patch(clock._i, {"value": time(7, 45)})   # msgpack brings a time
        await h.fire(clock, "change", "07:45")
        assert h.find(key="visit-time").value == "07:45"
        await h.close()

    run(flow)
