"""A social worker's whole day in Debian's Chromium, then the supervisor's approval.

One flow per screen size (a 360x640 phone, a 1280x800 laptop), against a real sync server on
loopback (this module's own, so its families reach no other module's devices):

1. the worker's app over an empty data folder: first start with a real account and a PIN;
   the families of another community never reach the phone; add a family with its consent,
   a child, a home visit (who was present, services as chips, observations, risk, next visit)
   and a note; everything says "saved on this phone" and the app bar counts it; sync: the
   records say "sent to the server", nothing waits, and the server's database holds them;
   lock, a wrong PIN (the tries left in words), the right one, and the day's work is there;
2. the supervisor of that community, in a second browser context with an app of their own:
   first start, the visit in the review queue, approve (the app sends it on its own); the
   worker syncs and the visit says "Затверджено" (at the top, and in the history at its end).

Every step asserts what the screen says and leaves a screenshot in ``tests/artifacts/``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from field_app.store import TEST_KDF, LocalStore
from field_app.sync import SyncClient
from shared_models.enums import Role
from shared_models.records import Family
from sync_server.statejson import state_from_json
from tests.ui.conftest import LAPTOP, PHONE, AppPage, _serve_app
from tests.ui.test_visit_browser import contains, small_targets, tap
from tools.live_server import LiveServer

pytestmark = pytest.mark.browser

PASSWORD = "Житомир-2026-тест"
PIN, WRONG_PIN = "246810", "135790"
COMMUNITY = "zhytomyrska"
SUPERVISOR = "halyna"
#: The stranger's family, of another community: it must never reach these phones.
STRANGER_FAMILY = "Чужинець"


@dataclass(frozen=True)
class Day:
    """What one worker records: their login and the family of the day."""

    worker: str
    surname: str
    settlement: str
    child: str
    consent_by: str
    note: str


DAYS = {
    "phone": Day("olena", "Коваленко", "Новогуйвинське", "Марія", "Коваленко Ганна Петрівна",
                 "Мама домовилася з лікарем про огляд дитини в четвер."),
    "laptop": Day("oksana", "Шевчук", "Тетерівка", "Богдан", "Шевчук Ірина Іванівна",
                  "Батько знайшов роботу; попросив довідку для школи."),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with two workers and a supervisor of zhytomyrska, and a worker of malynska
    who has already sent a family of their own community."""
    folder = tmp_path_factory.mktemp("journey-server")
    live = LiveServer(f"sqlite:///{folder / 'server.db'}", log_path=folder / "server.log")
    live.migrate()
    for day in DAYS.values():
        live.add_user(day.worker, PASSWORD, Role.SOCIAL_WORKER, [COMMUNITY])
    live.add_user(SUPERVISOR, PASSWORD, Role.SUPERVISOR, [COMMUNITY])
    live.add_user("petro", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.start()
    try:
        stranger = LocalStore.create(folder / "petro.db", "482915", kdf=TEST_KDF)
        with SyncClient(stranger, live.base_url) as sync:
            sync.login("petro", PASSWORD)
            stranger.save(Family(community="malynska", family_name=STRANGER_FAMILY,
                                 settlement="Малин"))
            assert sync.sync().pushed == 1
        stranger.close()
        yield live
    finally:
        live.stop()


def server_records(live: LiveServer, kind: str) -> list[dict[str, Any]]:
    """The current field values (and id) of the server's records of ``kind`` in the community,
    read from the server's own database."""
    with live.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, state FROM record WHERE kind = :k "
                                    "AND community = :c"), {"k": kind, "c": COMMUNITY}).all()
    out = []
    for record_id, raw in rows:
        state = state_from_json(str(record_id), kind, COMMUNITY,
                                json.loads(raw) if isinstance(raw, str) else raw)
        values = {name: fs.current.value for name, fs in state.fields.items()}
        out.append({"id": str(uuid.UUID(str(record_id))), **values})
    return out


def folder(path: Path) -> Path:
    """An empty app data folder (first start)."""
    path.mkdir()
    return path


# ---- steps -------------------------------------------------------------------------------
def indicator(app: AppPage, pattern: str) -> Any:
    """The app bar's sync indicator whose spoken label matches ``pattern``."""
    return app.page.get_by_role("button", name=re.compile(r"^Стан синхронізації\. " + pattern))


def first_start(app: AppPage, url: str, username: str) -> None:
    """First start: server, login, PIN; wait until the first sync has answered."""
    app.wait_text("Перший запуск")
    app.type_into("Адреса сервера", url)
    app.type_into("Логін", username)
    app.type_into("Пароль", PASSWORD)
    app.type_into("Новий PIN-код", PIN)
    app.type_into("Повторіть PIN-код", PIN)
    app.shot("01-first-start")
    app.button("Підключити").click()
    app.wait_text("Сім'ї громади", timeout=60_000)
    indicator(app, r"Сервер доступний\. Усі зміни надіслано на сервер$").wait_for(
        timeout=30_000)
    app.page.wait_for_timeout(500)          # the list is drawn again when that sync ends


def add_family(app: AppPage, day: Day) -> None:
    app.button("Нова сім'я").click()
    app.field("Прізвище сім'ї").wait_for()
    app.type_into("Прізвище сім'ї", day.surname)
    app.type_into("Населений пункт", day.settlement)
    app.type_into("Телефон", "+380 67 123 45 67")
    app.type_into("Дата згоди на обробку даних", date.today().strftime("%d.%m.%Y"))
    app.type_into("Хто надав згоду", day.consent_by)
    assert small_targets(app) == [], small_targets(app)
    app.shot("03-family-form")
    tap(app, app.button("Зберегти"))
    app.wait_text("Члени сім'ї", timeout=15_000)            # the new family's card
    app.wait_text(day.surname)
    contains(app, f"Надано {date.today():%d.%m.%Y}, надав(ла): {day.consent_by}")
    contains(app, "Збережено на цьому телефоні")
    app.shot("04-family-card")


def add_child(app: AppPage, day: Day) -> None:
    app.button("Додати члена сім'ї").click()
    app.wait_text("Роль у сім'ї")
    app.type_into("Прізвище", day.surname)
    app.type_into("Ім'я", day.child)
    born = date.today().replace(year=date.today().year - 6, day=min(date.today().day, 28))
    app.type_into("Дата народження", born.strftime("%d.%m.%Y"))
    app.shot("05-child-form")
    tap(app, app.button("Зберегти"))
    app.page.get_by_role("button", name=re.compile(
        rf"^{day.surname} {day.child}\s+дитина · 6 років, нар\. {born:%d\.%m\.%Y}\s+"
        r"Збережено на цьому телефоні")).wait_for(timeout=15_000)
    app.shot("06-card-with-child")


def record_visit(app: AppPage, day: Day) -> None:
    app.button("Записати візит").click()
    app.wait_text("Коли відбувся візит")
    member = app.page.get_by_role("checkbox", name=re.compile(f"^{day.surname} {day.child}"))
    tap(app, member)
    app.page.get_by_role("checkbox", name=re.compile(f"^{day.surname} {day.child}"),
                         checked=True).wait_for()
    # A long service name is shown whole, on more lines (Material's chip cut it to one line,
    # and "010.1"/"010.2" both read "Соціальний супровід сімей…").
    app.type_into("Пошук послуги", "010")
    long = app.page.get_by_role("checkbox", name=re.compile(r"^010\.2 .*піклування$"))
    tap(app, long, click=False)
    box = long.bounding_box()
    assert box is not None and box["height"] > 60, box
    app.type_into("Пошук послуги", "конс")
    tap(app, app.page.get_by_role("checkbox", name="002.0 Консультування"))
    app.page.get_by_role("checkbox", name="002.0 Консультування", checked=True).wait_for()
    app.type_into("Потреби дитини", "Потрібен огляд педіатра; до школи ходить.")
    app.type_into("Домовлені наступні кроки", "Записати дитину до лікаря.")
    tap(app, app.button("Середній"))
    tap(app, app.button("Через 2 тижні"))
    assert small_targets(app) == [], small_targets(app)
    app.shot("07-visit-form")
    tap(app, app.button("Зберегти візит"))
    app.wait_text("Візит збережено на телефоні.")
    contains(app, "Ризик: середній")
    app.shot("08-card-with-visit")


def add_note(app: AppPage, day: Day) -> None:
    app.button("Додати нотатку").click()
    app.wait_text("Нова нотатка")
    app.type_into("Текст нотатки", day.note)
    app.shot("09-note-form")
    app.button("Зберегти нотатку").click()
    contains(app, day.note)
    contains(app, "Ризик: середній")


def open_family(app: AppPage, day: Day) -> None:
    to_places(app)
    app.place("Сім'ї").click()
    app.wait_text("Сім'ї громади")
    app.page.get_by_role("button", name=re.compile(f"^{day.surname}\\s")).first.click()
    app.wait_text("Члени сім'ї")


def open_visit(app: AppPage) -> None:
    visit = app.page.get_by_role("button", name=re.compile("Ризик: середній")).first
    tap(app, visit)
    app.wait_text("Рішення супервізора")


def sync_now(app: AppPage, pushed: str, pulled: str) -> None:
    """Tap the indicator, then "sync now"; wait for the report of what went and came."""
    indicator(app, ".*").first.click()
    app.wait_text("Синхронізація")
    app.button("Синхронізувати зараз").click()
    app.page.get_by_text(re.compile(rf"^Надіслано змін: {pushed}, отримано: {pulled}\.$")
                         ).wait_for(state="attached", timeout=30_000)


def to_places(app: AppPage) -> None:
    """Back (the app bar's arrow) until the navigation bar or rail shows: a phone's detail
    screens cover it."""
    for _ in range(4):
        if app.place("Більше").count():
            return
        app.page.get_by_label("Назад", exact=True).first.click()
        app.page.wait_for_timeout(500)
    raise AssertionError("the navigation never came back")


def lock_and_unlock(app: AppPage) -> None:
    to_places(app)
    app.more("Заблокувати зараз", "Розблокування")
    app.shot("13-locked")
    app.type_into("PIN-код", WRONG_PIN)
    app.button("Розблокувати").click()
    app.wait_text("Неправильний PIN-код.\nЗалишилось спроб: 9.", timeout=30_000)
    app.shot("14-wrong-pin")
    app.type_into("PIN-код", PIN)
    app.button("Розблокувати").click()
    app.wait_text("Заблокувати зараз", timeout=30_000)     # back where the worker locked


def supervisor_approves(browser: Any, worker: AppPage, url: str, server_url: str,
                        day: Day) -> None:
    """The supervisor's own app (at ``url``) in a browser context of their own, at the size
    of the worker's page."""
    context = browser.new_context(viewport=worker.page.viewport_size, locale="uk-UA")
    boss = AppPage(context.new_page(), f"{worker.name}-supervisor")
    try:
        boss.open(url)
        first_start(boss, server_url, SUPERVISOR)
        contains(boss, day.surname)                # the worker's family reached the supervisor
        boss.more("Черга перевірки", boss.page.get_by_text(re.compile(r"^Чекають рішення: \d+$")))
        row = boss.page.get_by_role("button", name=re.compile(
            rf"^{day.surname}.*Візит від \d\d\.\d\d\.\d{{4}} \d\d:\d\d · {day.worker}", re.S))
        row.wait_for(timeout=15_000)
        assert "Ризик: середній" in (row.get_attribute("aria-label") or row.inner_text())
        boss.shot("s1-queue")
        row.click()
        boss.wait_text("Перевірка візиту")
        boss.wait_text("Потрібен огляд педіатра; до школи ходить.")
        boss.wait_text(f"{day.surname} {day.child}")
        assert boss.small_targets() == [], boss.small_targets()
        boss.shot("s2-visit")
        tap(boss, boss.button("Затвердити"))
        boss.wait_text("Затверджено. Автор побачить рішення після синхронізації.")
        boss.shot("s3-approved")
        # The decision goes to the server on its own, soon after it was made (no button).
        indicator(boss, r"Сервер доступний\. Усі зміни надіслано на сервер$").wait_for(
            timeout=30_000)
        indicator(boss, ".*").first.click()
        boss.page.get_by_text(re.compile(r"^Надіслано змін: 1, отримано: \d+\.$")).wait_for(
            state="attached", timeout=30_000)
        boss.shot("s4-synced")
    except BaseException:
        boss.shot("FAILED").with_suffix(".txt").write_text(boss.dump(), encoding="utf-8")
        raise
    finally:
        context.close()


def record_the_day(app: AppPage, day: Day, server: LiveServer) -> None:
    """First start, a family with consent, a child, a visit and a note, all on the phone."""
    first_start(app, server.base_url, day.worker)
    assert app.text(STRANGER_FAMILY).count() == 0          # malynska stays on the server
    assert app.small_targets() == [], app.small_targets()
    app.shot("02-families")
    add_family(app, day)
    add_child(app, day)
    record_visit(app, day)
    add_note(app, day)
    # Five changes wait (the family, its child, the visit, the note, and the family's next
    # visit date the visit moved): the app bar counts them.
    indicator(app, r"Сервер доступний\. 5 змін чекають надсилання$").wait_for()
    assert app.page.get_by_text("Збережено на цьому телефоні").count() >= 1
    app.shot("10-card-before-sync")


def sync_the_day(app: AppPage, day: Day, server: LiveServer) -> None:
    """Sync; the server's database holds the day; the records say they were sent."""
    sync_now(app, "5", "0")                 # its own records coming back are not "received"
    app.wait_text("Усі зміни надіслано на сервер")
    indicator(app, r"Сервер доступний\. Усі зміни надіслано на сервер$").wait_for()
    assert app.small_targets() == [], app.small_targets()
    app.shot("11-synced")
    [fam] = [f for f in server_records(server, "family") if f["family_name"] == day.surname]
    assert fam["consent_by"] == day.consent_by
    assert fam["consent_date"] == date.today().isoformat()
    assert fam["next_visit_date"] == (date.today() + timedelta(days=14)).isoformat()
    assert [p["first_name"] for p in server_records(server, "person")
            if p["family_id"] == fam["id"]] == [day.child]
    [visit] = [v for v in server_records(server, "visit") if v["author"] == day.worker]
    assert visit["family_id"] == fam["id"]
    assert visit["services"] == ["002.0"] and visit["risk_level"] == "medium"
    assert [n["text"] for n in server_records(server, "note")
            if n["author"] == day.worker] == [day.note]
    open_family(app, day)
    contains(app, "Надіслано на сервер")
    assert app.page.get_by_text("Збережено на цьому телефоні").count() == 0
    open_visit(app)
    app.wait_text("Надіслано на сервер")
    app.wait_text("Супервізор ще не переглянув цей запис.")
    app.shot("12-visit-sent")


def lock_and_find_the_day(app: AppPage, day: Day) -> None:
    """Lock, a wrong PIN, the right one: the family, the child, the visit and the note."""
    lock_and_unlock(app)
    open_family(app, day)
    contains(app, day.note)
    contains(app, f"{day.surname} {day.child}")
    open_visit(app)
    app.wait_text("002.0 Консультування")
    app.shot("15-after-unlock")


def approval_reaches_the_worker(app: AppPage, day: Day, server: LiveServer, browser: Any,
                                tmp_path: Path) -> None:
    """The supervisor approves on their own app; the worker's next sync brings it."""
    with _serve_app(folder(tmp_path / "supervisor")) as boss_url:
        supervisor_approves(browser, app, boss_url, server.base_url, day)
    sync_now(app, "0", "1")
    open_family(app, day)
    open_visit(app)
    app.wait_text("Затверджено")
    # The decision at the top of the visit (who and when), and in the history at its end.
    assert app.text("Затверджено").count() == 2
    app.page.get_by_text(re.compile(
        rf"^Супервізор: {SUPERVISOR}, \d\d\.\d\d\.\d{{4}} \d\d:\d\d$")).wait_for(
        state="attached")
    tap(app, app.text("Затверджено").last, click=False)
    app.page.get_by_text(re.compile(rf"^{SUPERVISOR} · \d\d\.\d\d\.\d{{4}} \d\d:\d\d$")
                         ).wait_for(state="attached")
    app.shot("16-approved")


def workers_day(app: AppPage, size: str, server: LiveServer, browser: Any,
                tmp_path: Path) -> None:
    day = DAYS[size]
    with _serve_app(folder(tmp_path / "worker")) as url:
        app.open(url)
        try:
            record_the_day(app, day, server)
            sync_the_day(app, day, server)
            lock_and_find_the_day(app, day)
            approval_reaches_the_worker(app, day, server, browser, tmp_path)
        except BaseException:
            # Shot while the app still runs (the page fixture's shot comes after it stopped).
            app.shot("FAILED-live")
            raise


def test_a_workers_day_on_a_phone(server: LiveServer, browser: Any, phone: AppPage,
                                  tmp_path: Path) -> None:
    assert phone.page.viewport_size == PHONE
    workers_day(phone, "phone", server, browser, tmp_path)


def test_a_workers_day_on_a_laptop(server: LiveServer, browser: Any, laptop: AppPage,
                                   tmp_path: Path) -> None:
    assert laptop.page.viewport_size == LAPTOP
    workers_day(laptop, "laptop", server, browser, tmp_path)
