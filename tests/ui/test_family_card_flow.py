"""The family card and the family/member forms in a headless session over a real store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import flet as ft

from field_app.services.families import PAGE_SIZE, FamiliesPage, FamilyFilter, list_families
from field_app.services.state import Phase
from field_app.store import LocalStore
from shared_models.enums import PersonRole, RiskLevel
from shared_models.records import Conflict, Family, Note, Person, Visit
from tests.ui.harness import FakeDevice, Harness, run, start_unlocked
from tests.ui.stores import real_store

C = "zhytomyrska"


class StoreDevice(FakeDevice):
    """The double, with the families list read from the real store the screens write to."""

    def families(self, *, text: str = "", chosen: FamilyFilter = FamilyFilter.ALL,
                 offset: int = 0, limit: int = PAGE_SIZE) -> FamiliesPage:
        store = self.records()
        return list_families(store.all(Family), me=self.username, today=date.today(),
                             unsynced=store.unsynced_ids(), text=text, chosen=chosen,
                             offset=offset, limit=limit)


def device(tmp_path: Path) -> StoreDevice:
    d = StoreDevice(Phase.LOCKED)
    d.store = real_store(tmp_path / "device")
    return d


def seeded(store: LocalStore) -> tuple[Family, Person, Visit]:
    f = Family(community=C, family_name="Коваленко", settlement="Житомир",
               address="вул. Лесі Українки, 5", phone="+380671234567", displaced=True,
               foster_family=True, assigned_worker="olena",
               next_visit_date=date.today() - timedelta(days=2))
    kid = Person(community=C, family_id=f.id, last_name="Коваленко", first_name="Аня",
                 birth_date=date.today().replace(year=date.today().year - 5) - timedelta(days=1),
                 disability=True)
    mum = Person(community=C, family_id=f.id, last_name="Коваленко", first_name="Марія",
                 role=PersonRole.PARENT)
    v = Visit(community=C, family_id=f.id, visited_at=datetime.now(UTC) - timedelta(days=1),
              risk_level=RiskLevel.HIGH, author="olena", services=["001.0", "002.0"])
    for m in (f, mum, kid, v):
        store.save(m)
    return f, kid, v


def db(d: StoreDevice) -> LocalStore:
    """The device's real store (also while the app is locked)."""
    assert d.store is not None
    return d.store


async def _open(tmp_path: Path, d: StoreDevice, route: str, **kw: Any) -> Harness:
    h = await start_unlocked(tmp_path, d, route=route, **kw)
    await h.settle()
    return h


async def tick(h: Harness, key: str) -> None:
    """Tick a checkbox as the client does: the value changes, then ``change`` fires."""
    box = h.find(key=key)
    h.session.apply_patch(box._i, {"value": True})
    await h.fire(box, "change", "true")


def _app(h: Harness) -> Any:
    return h.page.data


def test_the_card_shows_the_family_and_opens_its_records(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        f, kid, v = seeded(db(d))
        h = await _open(tmp_path, d, f"/families/{f.id}")
        text = h.texts()
        assert "Коваленко" in text and "Житомир, вул. Лесі Українки, 5" in text
        assert "Телефон: +380671234567" in text
        assert {"Сім'я, у якій є ВПО", "Патронатна сім'я"} <= set(text)
        assert "СЖО — складні життєві обставини" not in text
        overdue = (date.today() - timedelta(days=2)).strftime("%d.%m.%Y")
        assert f"Наступний візит: {overdue} — прострочено" in text
        assert "Відповідальний фахівець: ви (olena)" in text
        assert h.find(key="family-consent-missing")       # the law needs a ground
        assert "дитина · 5 років, нар." in h.text()         # children first, with their age
        assert text.index("Коваленко Аня") < text.index("Коваленко Марія")
        assert "Ризик: високий" in text and "2 послуги" in text
        assert "Збережено на цьому телефоні" in text        # nothing was sent yet
        await h.click(h.find(key=f"timeline-visit-{v.id}"))
        assert h.page.route == f"/families/{f.id}/visits/{v.id}"
        await h.pop_view()
        await h.settle()
        await h.click(h.find(key=f"member-{kid.id}"))
        await h.settle()
        assert h.page.route == f"/families/{f.id}/members/{kid.id}"
        assert h.find(key="member-first_name").value == "Аня"
        await h.close()
    run(flow)


def test_add_a_family_from_the_list_with_errors_in_ukrainian(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        h = await _open(tmp_path, d, "/families")
        await h.click(h.find(key="families-add"))
        await h.settle()
        assert h.page.route == "/families/new"
        assert not h.find_all(key="family-community")      # one community: chosen, hidden
        assert h.find(key="family-assigned_worker").value == "olena"
        await h.type(h.find(key="family-phone"), "сусідка")
        await h.type(h.find(key="family-consent_date"), "01.02.2026")
        await h.click(h.find(key="family-save"))
        assert h.find(key="family-family_name").error == "Заповніть це поле"
        assert h.find(key="family-settlement").error == "Заповніть це поле"
        assert h.find(key="family-phone").error.startswith("Номер телефону")
        assert h.find(key="family-consent_by").error == "Вкажіть і дату згоди, і хто її надав"
        assert h.find(key="family-message").value == "Виправте позначені поля."
        assert ("focus", {}) in h.conn.method_calls
        assert db(d).all(Family) == []
        await h.type(h.find(key="family-family_name"), "Шевченко")
        assert h.find(key="family-family_name").error is None   # cleared while typing
        await h.type(h.find(key="family-settlement"), "Коростишів")
        await h.type(h.find(key="family-phone"), "+380 67 765 43 21")
        await h.type(h.find(key="family-consent_by"), "Шевченко Олена")
        await tick(h, "family-difficult_circumstances")
        await h.click(h.find(key="family-save"))
        await h.settle()
        (saved,) = db(d).all(Family)
        assert h.page.route == f"/families/{saved.id}"
        assert (saved.family_name, saved.phone, saved.consent_by, saved.consent_date,
                saved.difficult_circumstances) == (
            "Шевченко", "+380 67 765 43 21", "Шевченко Олена", date(2026, 2, 1), True)
        assert "Шевченко" in h.texts()
        assert "Надано 01.02.2026, надав(ла): Шевченко Олена" in h.texts()
        assert "/families/new" not in _app(h).forms                 # saved: the form is gone
        await h.close()
    run(flow)


def test_edit_the_family_and_add_a_member(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        f, _kid, _v = seeded(db(d))
        h = await _open(tmp_path, d, f"/families/{f.id}")
        await h.click(h.find(key="family-edit"))
        await h.settle()
        assert h.page.route == f"/families/{f.id}/edit"
        assert h.find(key="family-phone").value == "+380671234567"
        await h.type(h.find(key="family-phone"), "+380501112233")
        await h.type(h.find(key="family-next_visit_date"), "31.12.2099")
        await h.click(h.find(key="family-save"))
        await h.settle()
        assert h.page.route == f"/families/{f.id}"
        assert "Телефон: +380501112233" in h.texts()
        assert "Наступний візит: 31.12.2099" in h.texts()
        stored = db(d).get(Family, f.id)
        assert stored is not None and stored.next_visit_date == date(2099, 12, 31)

        await h.click(h.find(key="family-add-member"))
        await h.settle()
        assert h.page.route == f"/families/{f.id}/members/new"
        await h.type(h.find(key="member-last_name"), "Коваленко")
        await h.type(h.find(key="member-first_name"), "Богдан")
        await h.type(h.find(key="member-birth_date"), "31.02.2015")
        await h.click(h.find(key="member-save"))
        assert h.find(key="member-birth_date").error == "Неправильна дата (ДД.ММ.РРРР)"
        # The calendar instead of typing.
        await h.click(h.find(key="member-birth_date-pick"))
        (picker,) = [c for c in h.controls() if isinstance(c, ft.DatePicker)]
        h.session.apply_patch(picker._i, {"value": datetime(2015, 2, 28)})
        await h.fire(picker, "change", "2015-02-28T00:00:00.000")
        assert h.find(key="member-birth_date").value == "28.02.2015"
        await h.choose(h.find(key="member-sex"), "male")
        await tick(h, "member-special_educational_needs")
        await h.click(h.find(key="member-save"))
        await h.settle()
        assert h.page.route == f"/families/{f.id}"
        bohdan = [p for p in db(d).all(Person) if p.first_name == "Богдан"]
        assert len(bohdan) == 1 and bohdan[0].birth_date == date(2015, 2, 28)
        assert bohdan[0].special_educational_needs and bohdan[0].sex is not None
        assert any(s.startswith("дитина · ") and "ООП" in s for s in h.texts())
        await h.close()
    run(flow)


def test_remove_a_member_after_confirming(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        f, kid, _v = seeded(db(d))
        h = await _open(tmp_path, d, f"/families/{f.id}/members/{kid.id}")
        await h.click(h.find(key="member-remove"))
        assert "Видалити члена сім'ї?" in h.texts()
        dialog = h.find(key="member-remove-dialog")
        await h.click(h.find(key="member-remove-cancel"))
        assert dialog.open is False
        await h.fire(dialog, "dismiss")          # what the client says once it has closed it
        assert db(d).get(Person, kid.id) is not None      # nothing removed
        await h.click(h.find(key="member-remove"))
        await h.click(h.find(key="member-remove-confirm"))
        await h.settle()
        assert h.page.route == f"/families/{f.id}"
        assert db(d).get(Person, kid.id) is None
        assert "Коваленко Аня" not in h.texts()
        await h.close()
    run(flow)


def test_typed_text_survives_language_switch_resize_and_lock(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        h = await _open(tmp_path, d, "/families/new")
        await h.type(h.find(key="family-family_name"), "Мельник")
        await h.type(h.find(key="family-phone"), "ой")
        await h.click(h.find(key="family-save"))
        await _app(h).set_language("en")
        await h.settle()
        assert h.find(key="family-family_name").value == "Мельник"
        assert h.find(key="family-family_name").label == "Family name"
        assert h.find(key="family-settlement").error == "Please fill in this field"
        assert h.find(key="family-phone").error.startswith("Phone number")
        await _app(h).set_language("uk")
        await h.settle()
        await h.resize(1280, 800)
        assert h.find(key="family-family_name").value == "Мельник"
        assert h.find_all(key="families-search")              # the list beside the form
        await h.resize(360, 640)
        await _app(h).lock_now()
        await h.settle()
        assert h.page.route == "/unlock"
        await h.type(h.find(key="unlock-pin"), d.pin)
        await h.click(h.find(key="unlock-submit"))
        await h.settle()
        assert h.page.route == "/families/new"                 # back where the worker was
        assert h.find(key="family-family_name").value == "Мельник"
        assert h.find(key="family-settlement").error == "Заповніть це поле"
        await h.click(h.find(key="family-cancel"))
        assert h.page.route == "/families"
        await h.close()
    run(flow)


def test_a_coordinator_chooses_the_community(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        d.communities = ["zhytomyrska", "malynska"]
        h = await _open(tmp_path, d, "/families/new")
        await h.type(h.find(key="family-family_name"), "Бондар")
        await h.type(h.find(key="family-settlement"), "Малин")
        await h.click(h.find(key="family-save"))
        assert h.find(key="family-community-error").value == "Обов'язкове поле"
        await h.choose(h.find(key="family-community"), "malynska")
        assert not h.find_all(key="family-community-error")
        await h.click(h.find(key="family-save"))
        await h.settle()
        (saved,) = db(d).all(Family)
        assert saved.community.value == "malynska"
        await h.close()
    run(flow)


def test_conflict_banner_opens_the_conflict(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        store = db(d)
        f, _kid, _v = seeded(store)
        c = Conflict(community=C, record_kind="family", record_id=f.id, field="phone",  # type: ignore[arg-type]
                     winner_value="+380501112233", winner_clock=store.clock.now().encode(),
                     winner_author="petro", loser_value="+380671234567",
                     loser_clock=store.clock.now().encode(), loser_author="olena")
        store.save(c)
        h = await _open(tmp_path, d, f"/families/{f.id}")
        assert "Конфлікт змін: Телефон (Коваленко)" in h.texts()
        assert "Ваше значення: +380671234567" in h.texts()
        assert "Значення petro: +380501112233" in h.texts()
        await h.click(h.find(key=f"conflict-open-{c.id}"))
        assert h.page.route == f"/more/conflicts/{c.id}"
        await h.close()
    run(flow)


def test_notes_link_to_their_corrections_and_wide_screens_show_two_panes(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        store = db(d)
        f, _kid, _v = seeded(store)
        old = Note(community=C, family_id=f.id, text="Перша", author="olena",
                   written_at=datetime.now(UTC) - timedelta(hours=5))
        fix = Note(community=C, family_id=f.id, text="Виправлена", author="olena",
                   written_at=datetime.now(UTC) - timedelta(hours=1), corrects=old.id)
        store.save(old)
        store.save(fix)
        h = await _open(tmp_path, d, f"/families/{f.id}", width=1280, height=800)
        assert h.find_all(key="families-search")                 # the list pane
        assert h.find_all(key=f"family-{f.id}")                   # with this family's row
        assert "Коваленко Аня" in h.texts()                        # and the card beside it
        await h.click(h.find(key=f"note-corrected-{old.id}-{fix.id}"))
        scrolls = [str(a.get("scroll_key")) for n, a in h.conn.method_calls if n == "scroll_to"]
        assert scrolls == [f"note-{fix.id}"]          # the link brings the correction into view
        await h.close()
    run(flow)
