"""Dashboard, placements and exports in a headless Flet session over a real encrypted store.

The server's part (device activity, export files) is a double here; it is tested against a
real server in ``test_supervision_service.py`` and in the browser test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from field_app.i18n import format_date
from field_app.services.app import AppServices
from field_app.services.problem import Problem
from field_app.services.settings import SettingsFile
from field_app.services.state import Phase
from field_app.services.supervision import ExportDownload, ExportForm, SupervisionFailed
from field_app.store import LocalStore
from field_app.ui.app import make_main
from shared_models.communities import CommunityCode
from shared_models.enums import PersonRole, Role
from shared_models.foster_care import add_months, stay_limit
from shared_models.records import Family, Person, Placement, Visit
from shared_models.supervision import DeviceActivity, DeviceActivityList, ExportFormat
from tests.ui.harness import FakeDevice, Harness, run
from tests.ui.stores import real_store

TODAY = date.today()
NOW = datetime.now(UTC)


class FakeSupervision:
    """The server's answers: device activity, and an export file per request."""

    def __init__(self) -> None:
        self.exports: list[ExportForm] = []
        self.fail: SupervisionFailed | None = None

    def device_activity(self) -> DeviceActivityList:
        if self.fail:
            raise self.fail

        def dev(user: str, seen: datetime | None) -> DeviceActivity:
            return DeviceActivity(device_id=uuid.uuid4(), user=user, role=Role.SOCIAL_WORKER,
                                  communities=[CommunityCode.MALYNSKA], name="Samsung A15",
                                  created_at=NOW - timedelta(days=60), last_seen_at=seen)
        return DeviceActivityList(devices=[dev("petro", NOW - timedelta(days=5)),
                                           dev("olena", NOW - timedelta(hours=2))],
                                  server_time=NOW)

    def export(self, form: ExportForm) -> ExportDownload:
        self.exports.append(form)
        if self.fail:
            raise self.fail
        ext = "xlsx" if form.fmt is ExportFormat.XLSX else "csv"
        return ExportDownload(f"poruch-malynska-x.{ext}", b"PK\x03\x04 workbook", 7)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, username="iryna", role="supervisor",
                   communities=("malynska", "pulynska"))
    yield s
    s.close()


def seed(store: LocalStore) -> dict[str, Any]:
    """A birth family with a child, a foster family, an overdue family, visits, a placement
    eleven days from its 3-month limit."""
    birth = Family(community="malynska", family_name="Коваленко", settlement="Малин",
                   assigned_worker="olena")
    foster = Family(community="malynska", family_name="Петренко", settlement="Гранітне",
                    foster_family=True, assigned_worker="olena")
    late = Family(community="malynska", family_name="Шевчук", settlement="Ворсівка",
                  next_visit_date=TODAY - timedelta(days=6), assigned_worker="petro")
    far = Family(community="pulynska", family_name="Бойко", settlement="Пулини")
    child = Person(community="malynska", family_id=birth.id, last_name="Коваленко",
                   first_name="Марко", role=PersonRole.CHILD)
    start = TODAY - timedelta(days=80)
    placement = Placement(community="malynska", child_id=child.id, foster_family_id=foster.id,
                          birth_family_id=birth.id, start_date=start,
                          planned_end=stay_limit(start))
    visits = [Visit(community="malynska", family_id=late.id, risk_level="high", author="petro",
                    visited_at=datetime.combine(TODAY - timedelta(days=3), time(10), UTC)),
              Visit(community="pulynska", family_id=far.id, risk_level="low", author="taras",
                    visited_at=datetime.combine(TODAY - timedelta(days=2), time(10), UTC))]
    for r in (birth, foster, late, far, child, placement, *visits):
        store.save(r)
    return {"birth": birth, "foster": foster, "child": child, "placement": placement,
            "start": start}


async def start(tmp_path: Path, store: LocalStore, route: str, *, role: str = "supervisor",
                supervision: FakeSupervision | None = None, width: int = 360) -> Harness:
    device = FakeDevice(Phase.LOCKED, username="iryna")
    device.store, device.role = store, role
    device.communities = ["malynska", "pulynska"]
    services = AppServices(data_dir=tmp_path, device=device, settings=SettingsFile(tmp_path),
                           sync_on_open=False, supervision=supervision or FakeSupervision())
    h = await Harness.start(make_main(services), route="/", width=width)
    await h.type(h.find(key="unlock-pin"), device.pin)
    await h.click(h.find(key="unlock-submit"))
    await h.follow(route)
    await h.settle()
    return h


def test_more_offers_the_dashboard_to_supervisors_only(tmp_path: Path,
                                                       store: LocalStore) -> None:
    async def flow() -> None:
        h = await start(tmp_path, store, "/more")
        assert {"Огляд громад", "Експорт звітів", "Сімейний патронат"} <= set(h.texts())
        await h.click(h.find(key="more-dashboard"))
        assert h.page.route == "/more/dashboard"
        await h.close()
        w = await start(tmp_path, store, "/more", role="social_worker")
        assert "Сімейний патронат" in w.texts() and "Огляд громад" not in w.texts()
        await w.follow("/more/dashboard")
        assert "Огляд громад доступний супервізорам і координаторам." in w.texts()
        await w.follow("/more/exports")
        assert "Експорт доступний супервізорам і координаторам." in w.texts()
        await w.close()
    run(flow)


def test_dashboard_figures_in_words_and_the_filter(tmp_path: Path, store: LocalStore) -> None:
    async def flow() -> None:
        seeded = seed(store)
        h = await start(tmp_path, store, "/more/dashboard")
        text = h.text()
        assert "Прострочені візити: 1" in text and "Патронат потребує уваги: 1" in text
        assert "Пристрої без зв'язку: 1" in text and "Відкриті конфлікти: 0" in text
        assert "Шевчук" in text and "Ворсівка · прострочено на 6 днів · petro" in text
        left = (stay_limit(seeded["start"]) - TODAY).days
        assert f"Строк спливає: залишилось {left} днів" in text or (
            f"Строк спливає: залишилось {left} дні" in text)
        assert "Коваленко Марко" in text
        assert "Останні 10 тижнів, разом: 2 візити" in text
        assert "Високий: 1 сім'я" in text and "Ще без візитів: 2 сім'ї" in text
        assert "Варто зателефонувати" in text and "востаннє 5 днів тому" in text
        assert "на зв'язку сьогодні" in text
        chart = h.find(key="dash-weeks-chart")
        assert chart.label.startswith("Діаграма візитів за тижнями")
        await h.choose(h.find(key="dash-filter"), "pulynska")
        text = h.text()
        assert "Останні 10 тижнів, разом: 1 візит" in text and "Шевчук" not in text
        assert "Пристрої без зв'язку: 0" in text          # petro works in malynska
        await h.close()
        again = await start(tmp_path, store, "/more/dashboard")   # the filter is per session
        assert "Останні 10 тижнів, разом: 2 візити" in again.text()
        await again.close()
    run(flow)


def test_dashboard_without_the_server_still_shows_local_figures(tmp_path: Path,
                                                                store: LocalStore) -> None:
    async def flow() -> None:
        seed(store)
        fake = FakeSupervision()
        fake.fail = SupervisionFailed(Problem.literal("Немає зв'язку із сервером.", "Offline."))
        h = await start(tmp_path, store, "/more/dashboard", supervision=fake)
        text = h.text()
        assert "Прострочені візити: 1" in text
        assert "Не вдалося запитати сервер: Немає зв'язку із сервером." in text
        fake.fail = None
        await h.click(h.find(key="dash-devices-retry"))
        assert "Варто зателефонувати" in h.text()
        await h.close()
    run(flow)


def test_a_placement_from_the_childs_family_with_the_legal_limit(tmp_path: Path,
                                                                 store: LocalStore) -> None:
    async def flow() -> None:
        seeded = seed(store)
        birth, foster, child = seeded["birth"], seeded["foster"], seeded["child"]
        h = await start(tmp_path, store, f"/families/{birth.id}/placements/new")
        assert "Нове влаштування" in h.texts()
        assert h.find(key="placement-birth").value == "Коваленко (Малин)"
        assert h.find(key="placement-start-date").value == format_date(TODAY)
        limit = format_date(stay_limit(TODAY))
        assert h.find(key="placement-planned-end").helper == (
            f"Не пізніше {limit}: до 3 місяців від початку")
        await h.choose(h.find(key="placement-child-id"), str(child.id))
        await h.choose(h.find(key="placement-foster-family-id"), str(foster.id))
        too_late = format_date(stay_limit(TODAY) + timedelta(days=3))
        await h.type(h.find(key="placement-planned-end"), too_late)
        await h.click(h.find(key="placement-save"))
        assert h.find(key="placement-planned-end").error == (
            f"Не пізніше {limit}: патронат триває до 3 місяців від початку")
        assert h.find(key="placement-message").value == "Виправте позначені поля."
        assert len(store.all(Placement)) == 1                  # nothing saved
        await h.type(h.find(key="placement-planned-end"), format_date(TODAY + timedelta(days=40)))
        assert h.find(key="placement-planned-end").error is None
        await h.type(h.find(key="placement-order-reference"), "Наказ ССД № 9 від 01.11.2026")
        await h.click(h.find(key="placement-save"))
        new = [p for p in store.all(Placement) if p.id != seeded["placement"].id]
        assert len(new) == 1 and new[0].order_reference == "Наказ ССД № 9 від 01.11.2026"
        assert h.page.route == f"/families/{birth.id}/placements/{new[0].id}"
        assert h.find(key="placement-status").controls[1].value == (
            "У межах строку: залишилось 40 днів")
        await h.close()
    run(flow)


def test_extending_a_placement_moves_its_warning(tmp_path: Path, store: LocalStore) -> None:
    async def flow() -> None:
        seeded = seed(store)
        p, foster = seeded["placement"], seeded["foster"]
        h = await start(tmp_path, store, f"/families/{foster.id}/placements/{p.id}")
        status = h.find(key="placement-status").controls[1].value
        assert status.startswith("Строк спливає: залишилось")
        assert h.find(key="placement-foster").value == "Петренко (Гранітне)"
        six = add_months(seeded["start"], 6)
        assert h.find(key="placement-extended-end").helper == (
            f"До 6 місяців від початку: не пізніше {format_date(six)}")
        await h.type(h.find(key="placement-extended-end"),
                     format_date(six + timedelta(days=1)))
        await h.click(h.find(key="placement-save"))
        errors = {k: h.find(key=f"placement-{k}").error
                  for k in ("extended-end", "extension-decision-date")}
        assert errors == {
            "extended-end": f"Не пізніше {format_date(six)}: патронат триває до 6 місяців "
                            "від початку",
            "extension-decision-date": "Вкажіть і дату рішення органу опіки та піклування, і "
                                       "нову дату завершення"}
        await h.type(h.find(key="placement-extended-end"), format_date(six))
        await h.type(h.find(key="placement-extension-decision-date"), format_date(TODAY))
        await h.click(h.find(key="placement-save"))
        stored = store.get(Placement, p.id)
        assert stored is not None and stored.extended_end == six
        assert h.find(key="placement-status").controls[1].value.startswith(
            "У межах строку: залишилось")
        await h.close()
    run(flow)


def test_the_placements_list_and_choosing_a_foster_family(tmp_path: Path,
                                                          store: LocalStore) -> None:
    async def flow() -> None:
        seeded = seed(store)
        h = await start(tmp_path, store, "/more/placements")
        assert "Коваленко Марко" in h.texts()
        await h.click(h.find(key="placement-new"))
        await h.click(h.find(key=f"choose-foster-{seeded['foster'].id}"))
        assert h.page.route == f"/families/{seeded['foster'].id}/placements/new"
        kids = h.find(key="placement-child-id").options
        assert [o.text for o in kids] == ["Коваленко Марко"]
        await h.close()
    run(flow)


def test_export_asks_the_server_and_offers_the_file(tmp_path: Path, store: LocalStore) -> None:
    async def flow() -> None:
        fake = FakeSupervision()
        h = await start(tmp_path, store, "/more/exports", supervision=fake, width=1280)
        assert h.find(key="export-start").value == format_date(TODAY.replace(day=1))
        await h.type(h.find(key="export-end"), "31.02.2026")
        await h.click(h.find(key="export-get"))
        assert h.find(key="export-end").error == "Неправильна дата (ДД.ММ.РРРР)"
        assert fake.exports == []
        await h.type(h.find(key="export-end"), format_date(TODAY))
        await h.choose(h.find(key="export-community"), "pulynska")
        await h.choose(h.find(key="export-format"), "csv-services")
        await h.click(h.find(key="export-get"))
        [form] = fake.exports
        assert form.communities == ["pulynska"] and form.fmt is ExportFormat.CSV
        assert form.table.value == "services"
        assert h.find(key="export-ready").value == (
            "Файл «poruch-malynska-x.csv» готовий, рядків: 7. Оберіть, куди його зберегти.")
        saves = [args for name, args in h.conn.method_calls if name == "save_file"]
        assert saves and saves[-1]["file_name"] == "poruch-malynska-x.csv"
        assert saves[-1]["src_bytes"] == b"PK\x03\x04 workbook"
        fake.fail = SupervisionFailed(Problem.literal("Немає доступу", "Forbidden"))
        await h.click(h.find(key="export-get"))
        assert h.find(key="export-message").value == "Не вдалося отримати файл: Немає доступу"
        await h.close()
    run(flow)


def test_the_family_card_shows_placements_and_adds_one(tmp_path: Path,
                                                       store: LocalStore) -> None:
    async def flow() -> None:
        from field_app.ui.views.placements import placement_section

        seeded = seed(store)
        h = await start(tmp_path, store, f"/families/{seeded['foster'].id}")
        assert "Сімейний патронат" in h.texts() and "Коваленко Марко" in h.texts()
        await h.click(h.find(key=f"placement-{seeded['placement'].id}"))
        assert h.page.route == (f"/families/{seeded['foster'].id}/placements/"
                                f"{seeded['placement'].id}")
        await h.follow(f"/families/{seeded['birth'].id}")       # the child's own family
        assert "Коваленко Марко" in h.texts()
        await h.click(h.find(key="placement-add"))
        assert h.page.route == f"/families/{seeded['birth'].id}/placements/new"
        other = Family(community="malynska", family_name="Бондар", settlement="Малин")
        store.save(other)
        await h.follow(f"/families/{other.id}")                 # no child, no placement
        assert h.find_all(key="placement-add") == []
        # The same block on any other screen loads by itself.
        h.page.views[-1].controls = [placement_section(h.page.data, str(other.id))]
        h.page.update()
        await h.settle()
        assert "Влаштувань у патронатну сім'ю немає." in h.texts()
        await h.close()
    run(flow)
