"""Record a visit and add a note in Debian's Chromium, at a phone and a laptop size.

The app runs as ``python -m field_app --web`` over a data folder signed in to a real sync
server (``conftest.py``), with two families and their members already in the encrypted
store. The test drives what a worker does — open the family, record a visit (services as
chips, risk, next visit), add a note — asserts what the screen says at each step, and saves
screenshots in ``tests/artifacts/``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from field_app.services.store_device import StoreDevice, sync_client_sign_in
from shared_models.records import Family, Person
from tests.ui.conftest import (
    PASSWORD,
    PIN,
    ROOT,
    USER,
    AppPage,
    _env,
    _serve_app,
    free_port,
    serve,
)

pytestmark = pytest.mark.browser

FAMILIES = {"phone": ("Коваленко", "Марія"), "laptop": ("Шевчук", "Богдан"),
            "drafts": ("Бондар", "Оксана")}


@pytest.fixture(scope="module")
def visit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A sync server of this module's own: the families and visits recorded here must not
    reach the devices of other test modules (their lists would change under them)."""
    folder = tmp_path_factory.mktemp("visit-server")
    port = free_port()
    env = _env(PORUCH_DATABASE_URL=f"sqlite:///{folder / 'server.db'}", PORUCH_PORT=str(port))
    python = [sys.executable, "-m", "sync_server"]
    subprocess.run([*python, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*python, "create-user", USER, "--role", "social_worker", "--community",
                    "zhytomyrska", "--password-stdin"], cwd=ROOT, env=env, check=True,
                   input=f"{PASSWORD}\n".encode(), capture_output=True)
    url = f"http://127.0.0.1:{port}"
    with serve([*python, "serve", "--port", str(port)], env, f"{url}/health",
               folder / "server.log"):
        yield url


@pytest.fixture(scope="module")
def visit_app(tmp_path_factory: pytest.TempPathFactory, visit_server: str) -> Iterator[str]:
    """The app over a signed-in data folder holding families with a child each."""
    data_dir = tmp_path_factory.mktemp("visit-device")
    device = StoreDevice(data_dir, sign_in=sync_client_sign_in)
    device.set_up(server_url=visit_server, username=USER, password=PASSWORD, pin=PIN)
    store = device.store
    assert store is not None
    overdue = date.today() - timedelta(days=3)
    for surname, child in FAMILIES.values():
        fam = Family(community="zhytomyrska", family_name=surname, settlement="Житомир",
                     assigned_worker=USER,
                     next_visit_date=overdue if surname == "Бондар" else None)
        store.save(fam)
        store.save(Person(community="zhytomyrska", family_id=fam.id, last_name=surname,
                          first_name=child, birth_date=date(date.today().year - 6, 5, 1)))
    store.close()
    with _serve_app(data_dir) as url:
        yield url


def contains(app: AppPage, text: str) -> None:
    """Wait until a node on screen contains ``text``: as its text, or in a button's name
    (list rows join their lines, and a row with a spoken label carries it as its name)."""
    shown = app.page.get_by_text(text).or_(
        app.page.get_by_role("button", name=re.compile(re.escape(text))))
    shown.first.wait_for(state="attached", timeout=15_000)


def unlock(app: AppPage) -> None:
    """Type the PIN and wait for the sync that unlocking starts to finish: a list that
    reloads when it ends would swallow a tap made at that moment."""
    app.type_into("PIN-код", PIN)
    app.button("Розблокувати").click()
    app.page.get_by_role("button", name=re.compile(
        r"^Стан синхронізації\. Сервер доступний")).first.wait_for(timeout=30_000)
    app.page.wait_for_timeout(500)


def small_targets(app: AppPage) -> list[str]:
    """``AppPage.small_targets`` judged below the app bar only: Flutter clips the semantics
    rectangle of a field scrolled half under the bar, which is not a small target."""
    found = app.page.evaluate("""() => {
        const out = [];
        for (const e of document.querySelectorAll(
                'flt-semantics[role=button], flt-semantics[role=radio], input, textarea,'
                + ' flt-semantics[role=checkbox], flt-semantics[role=tab]')) {
            const r = e.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            if (r.top < 57 || r.bottom > innerHeight - 1) continue;
            if (r.height < 47.5 || r.width < 47.5)
                out.push(`${e.getAttribute('aria-label') || e.innerText || e.tagName}`
                         + ` ${Math.round(r.width)}x${Math.round(r.height)}`);
        }
        return out;
    }""")
    return list(found)


def value_of(app: AppPage, label: str) -> str:
    """What a text field holds (Flutter puts it in the DOM only while the field has focus)."""
    app.field(label).focus()
    app.page.wait_for_timeout(300)
    return str(app.page.evaluate("() => document.activeElement?.value ?? ''"))


def tap(app: AppPage, target: Any, *, click: bool = True) -> None:
    """Scroll the Flutter view until ``target`` is wholly on screen, then tap its middle.

    Playwright's own scrolling moves the semantics DOM, not always Flutter's canvas: the
    wheel scrolls what the worker sees, and the tap lands where the control is drawn.
    """
    viewport = app.page.viewport_size
    assert viewport is not None
    for _ in range(30):
        box = target.bounding_box()
        if box is None:
            app.page.wait_for_timeout(200)
            continue
        top, bottom = box["y"], box["y"] + box["height"]
        if top >= 60 and bottom <= viewport["height"] - 8:
            if click:
                app.page.mouse.click(box["x"] + box["width"] / 2,
                                     box["y"] + box["height"] / 2)
            app.page.wait_for_timeout(300)
            return
        app.page.mouse.move(viewport["width"] / 2, viewport["height"] / 2)
        app.page.mouse.wheel(0, max(-400, min(400, top - viewport["height"] / 3)))
        app.page.wait_for_timeout(250)
    raise AssertionError(f"could not bring {target} on screen")


def _record_visit_and_note(app: AppPage, size: str) -> list[Path]:
    surname, child = FAMILIES[size]
    shots: list[Path] = []
    app.wait_text("Розблокування")
    unlock(app)
    app.page.get_by_role("button", name=re.compile(f"^{surname}\\s")).first.click()
    app.wait_text(surname)                           # the family card
    app.button("Записати візит").click()
    app.wait_text("Коли відбувся візит")
    assert app.small_targets() == [], app.small_targets()
    shots.append(app.shot("1-visit-form"))
    # Who was present.
    tap(app, app.page.get_by_role("checkbox", name=re.compile(f"^{surname} {child}")))
    app.page.get_by_role("checkbox", name=re.compile(f"^{surname} {child}"),
                         checked=True).wait_for()
    # Services: type to filter, tap a chip to add it.
    app.type_into("Пошук послуги", "конс")
    tap(app, app.page.get_by_role("checkbox", name="002.0 Консультування"))
    app.page.get_by_role("checkbox", name="002.0 Консультування", checked=True).wait_for()
    app.type_into("Пошук послуги", "012")
    tap(app, app.page.get_by_role("checkbox", name="012.0 Кризове та екстрене втручання"))
    app.page.get_by_role("checkbox", name="012.0 Кризове та екстрене втручання",
                         checked=True).wait_for()
    app.type_into("Потреби дитини", "Ходить до школи, потрібна консультація логопеда.")
    assert small_targets(app) == [], small_targets(app)      # chips, member rows: 48 px
    shots.append(app.shot("2-services-chosen"))
    tap(app, app.button("Високий"))
    shots.append(app.shot("3-risk"))
    tap(app, app.button("Через 2 тижні"))
    assert small_targets(app) == [], small_targets(app)      # risk rows, date buttons
    shots.append(app.shot("4-next-visit"))
    tap(app, app.button("Зберегти візит"))
    app.wait_text("Візит збережено на телефоні.")
    contains(app, "Ризик: високий")
    shots.append(app.shot("5-card-with-visit"))
    # A note on the same family.
    app.button("Додати нотатку").click()
    app.wait_text("Нова нотатка")
    app.type_into("Текст нотатки", "Мама принесла довідку з місця роботи.")
    shots.append(app.shot("6-note-form"))
    app.button("Зберегти нотатку").click()
    contains(app, "Мама принесла довідку з місця роботи.")
    contains(app, "Ризик: високий")                  # both on the family card
    assert app.small_targets() == [], app.small_targets()
    tap(app, app.page.get_by_role("button", name=re.compile("Ризик: високий")).first,
        click=False)                                 # the timeline in view
    shots.append(app.shot("7-card-with-visit-and-note"))
    # The visit itself, read-only, with the services by code and name.
    tap(app, app.page.get_by_role("button", name=re.compile("Ризик: високий")).first)
    app.wait_text("Рішення супервізора")
    contains(app, "002.0 Консультування")
    contains(app, "012.0 Кризове та екстрене втручання")
    contains(app, "Ходить до школи, потрібна консультація логопеда.")
    shots.append(app.shot("8-visit-view"))
    # Correct the note: a new note that points at the old one, which shows "виправлено".
    app.page.go_back()
    tap(app, app.page.get_by_role("button", name=re.compile(
        r"^Нотатка .*Мама принесла довідку з місця роботи\.", re.S)).first)
    app.button("Виправити").click()
    app.wait_text("Виправлення нотатки")
    app.type_into("Текст нотатки", "Мама принесла довідку з місця роботи та з лікарні.")
    shots.append(app.shot("9-correction"))
    app.button("Зберегти нотатку").click()
    contains(app, "Мама принесла довідку з місця роботи та з лікарні.")
    # On the card the old note says it was corrected (a link to the correction).
    corrected = app.page.get_by_role("button", name=re.compile(r"^Виправлено: нотатка ")).first
    corrected.wait_for()
    tap(app, corrected, click=False)
    shots.append(app.shot("10-card-corrected"))
    tap(app, app.page.get_by_role("button", name=re.compile(
        r"^Нотатка .*Мама принесла довідку з місця роботи\.", re.S)).first)
    app.wait_text("Мама принесла довідку з місця роботи.")
    app.page.get_by_role("button", name=re.compile("^Виправлено .*: відкрити виправлення$")
                         ).wait_for()
    assert app.small_targets() == [], app.small_targets()
    shots.append(app.shot("11-corrected-note"))
    return shots


def test_record_a_visit_and_a_note_on_a_phone(visit_app: str, phone: AppPage) -> None:
    _record_visit_and_note(phone.open(visit_app), "phone")


def test_record_a_visit_and_a_note_on_a_laptop(visit_app: str, laptop: AppPage) -> None:
    _record_visit_and_note(laptop.open(visit_app), "laptop")


def test_problems_a_draft_kept_through_lock_and_due_visits_on_a_phone(
        visit_app: str, phone: AppPage) -> None:
    app = phone.open(visit_app)
    app.wait_text("Розблокування")
    unlock(app)
    # The due-visits place: the overdue family, in words.
    app.place("Візити").click()
    app.wait_text("Заплановані візити")
    app.page.get_by_role("button", name=re.compile(
        "^Бондар\\sПрострочено на 3 дні · \\d\\d\\.\\d\\d\\.\\d{4} · Житомир\\. "
        "Закріплена за вами$")).wait_for()
    assert app.small_targets() == [], app.small_targets()
    app.shot("1-due-visits")
    app.page.get_by_role("button", name=re.compile("^Бондар\\s")).first.click()
    app.wait_text("Бондар")
    app.button("Записати візит").click()
    app.wait_text("Коли відбувся візит")
    # A wrong time and no risk: the problems are said next to the fields.
    app.type_into("Час", "25:00")
    app.type_into("Інші присутні (необов'язково)", "Бабуся Ганна")
    tap(app, app.button("Зберегти візит"))
    app.wait_text("Неправильний час (ГГ:ХХ)")          # scrolled back up to the first problem
    app.shot("2-problems-top")
    contains(app, "Оберіть рівень ризику")
    app.type_into("Час", "09:30")
    app.page.wait_for_timeout(1500)                # the draft is written after a pause
    # Lock (as the auto-lock or the app going to the background does), unlock, reopen.
    app.page.go_back()
    app.wait_text("Бондар")
    app.page.go_back()
    app.more("Заблокувати зараз", "Розблокування")
    unlock(app)
    # Unlocking returns to where the worker was (the "More" place here); open the form.
    app.wait_text("Заблокувати зараз")
    app.place("Сім'ї").click()
    app.page.get_by_role("button", name=re.compile("^Бондар\\s")).first.click()
    app.button("Записати візит").click()
    contains(app, "Відновлено чернетку від ")
    assert value_of(app, "Час") == "09:30"
    assert value_of(app, "Інші присутні (необов'язково)") == "Бабуся Ганна"
    app.shot("3-draft-restored")
    app.button("Видалити чернетку").click()
    app.wait_text("Видалити чернетку?")
    app.shot("4-discard-asks")
    app.button("Видалити").click()
    # The form is drawn again once the dialog has gone: wait for the banner to leave (the
    # form's own texts were on screen all along, so they say nothing about the redraw).
    app.page.get_by_text("Відновлено чернетку від ").wait_for(state="detached", timeout=15_000)
    app.wait_text("Коли відбувся візит")
    assert value_of(app, "Інші присутні (необов'язково)") == ""
