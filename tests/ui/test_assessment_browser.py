"""The needs-assessment act in Debian's Chromium at 360 px, on a real server.

Petro (a social worker of malynska) has a case opened on a family with a child (made on his
phone, standing in for the intake screen, and synced). In his app in the browser he opens
the family's card and, from its case section, the case's act; marks a threat to the child's
life and health, is told to describe it, does, fills the conclusion and sends the act for
approval; the app sends it on its own. Iryna, the community's supervisor, finds it first in
her queue, marked as a threat with how long it has been open, sees it on her dashboard,
reads its sections and approves it; the server and Petro's phone have the approval.
Screenshots of each step go to ``tests/artifacts/``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from field_app.services import review_place
from field_app.services.store_device import StoreDevice, sync_client_sign_in
from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Account, SyncClient
from field_app.ui.views.assessment_form import assessment_path
from shared_models.enums import PersonRole, ReviewDecision
from shared_models.records import Assessment, Case, Family, Person
from tests.ui.conftest import PASSWORD, PIN, SUPERVISOR, WORKER2, AppPage, _serve_app
from tests.ui.test_visit_browser import small_targets, tap

pytestmark = pytest.mark.browser
SURNAME, CHILD = "Мірошниченко", "Злата"


def _app_of(folder: Path, server: str, user: str) -> contextlib.AbstractContextManager[str]:
    """The app over a data folder where ``user`` has signed in (it starts locked)."""
    device = StoreDevice(folder, sign_in=sync_client_sign_in)
    device.set_up(server_url=server, username=user, password=PASSWORD, pin=PIN)
    assert device.store is not None
    device.store.close()
    return _serve_app(folder)


@pytest.fixture(scope="module")
def opened_case(tmp_path_factory: pytest.TempPathFactory, sync_server: str
                ) -> Iterator[tuple[LocalStore, SyncClient, Family, Case]]:
    """Petro's phone with the family and its case (the request came in three days ago)."""
    folder = tmp_path_factory.mktemp("petro-phone")
    store = LocalStore.create(folder / "petro.db", PIN, kdf=TEST_KDF)
    client = SyncClient(store, sync_server)
    client.login(WORKER2, PASSWORD)
    fam = Family(community="malynska", family_name=SURNAME, settlement="Малин")
    kid = Person(community="malynska", family_id=fam.id, last_name=SURNAME, first_name=CHILD,
                 birth_date=date(2019, 5, 2))
    mum = Person(community="malynska", family_id=fam.id, last_name=SURNAME,
                 first_name="Оксана", role=PersonRole.PARENT)
    case = Case(community="malynska", family_id=fam.id, assigned_worker=WORKER2,
                opened_on=date.today() - timedelta(days=3))
    for r in (fam, kid, mum, case):
        store.save(r)
    report = client.sync()
    assert report.pushed == 4, report.attention
    yield store, client, fam, case
    client.close()
    store.close()


def _unlock_and_sync(app: AppPage) -> None:
    app.wait_text("Розблокування")
    app.type_into("PIN-код", PIN)
    app.button("Розблокувати").click()
    app.wait_text("Сім'ї громади")
    app.place("Синхронізація").click()            # the unlock sync pulls what is new
    app.page.get_by_text(re.compile(r"^Надіслано змін: \d+, отримано: \d+\.$")).wait_for(
        state="attached", timeout=30_000)


def _section(app: AppPage, number: int) -> None:
    tap(app, app.page.get_by_role("button", name=re.compile(rf"^{number}\. ")).first)


def test_a_worker_sends_an_act_with_a_threat_and_the_supervisor_approves_it_first(
        tmp_path: Path, sync_server: str, opened_case: tuple[LocalStore, SyncClient, Family,
                                                             Case], phone: AppPage) -> None:
    store, client, fam, case = opened_case
    with _app_of(tmp_path / "petro-app", sync_server, WORKER2) as url:
        app = phone.open(url)
        _unlock_and_sync(app)
        # From the families list to the card, whose case section leads to the act.
        app.place("Сім'ї").click()
        app.page.get_by_role("button", name=re.compile(f"^{SURNAME}\\s")).first.click()
        tap(app, app.button("Оцінити потреби"))
        app.page.wait_for_url(re.compile(re.escape(assessment_path(str(fam.id), str(case.id)))
                                         + "$"))
        app.wait_text("Акт оцінки потреб сім'ї")
        app.page.get_by_text(re.compile(r"^До \d\d\.\d\d\.\d{4}: лишил")).first.wait_for(
            state="attached", timeout=15_000)
        app.shot("1-act-folded")
        assert small_targets(app) == [], small_targets(app)
        tap(app, app.page.get_by_role("checkbox", name=f"{SURNAME} Оксана"))
        _section(app, 2)
        tap(app, app.page.get_by_role(
            "checkbox", name=f"Загроза життю чи здоров'ю: {SURNAME} {CHILD}"))
        app.page.get_by_role("checkbox", name=f"Загроза життю чи здоров'ю: {SURNAME} {CHILD}",
                             checked=True).wait_for(state="attached")
        app.shot("2-child-threat")
        tap(app, app.button("Завершити й надіслати на затвердження"))
        app.wait_text("Опишіть, що загрожує життю чи здоров'ю дитини")
        app.wait_text("Заповніть висновок, щоб завершити оцінювання")
        app.shot("3-refused")
        tap(app, app.field("Що саме загрожує і що вже зроблено"), click=False)
        app.type_into("Що саме загрожує і що вже зроблено",
                      "Дитина вночі лишається сама; мати на заробітках")
        # Radio rows are buttons named by their choice; the adults' section is folded, so
        # the first "Так" is the conclusion's first question (difficult circumstances).
        tap(app, app.button("Так").first)
        tap(app, app.button("соціальний супровід за планом"))
        app.shot("4-conclusion")
        assert small_targets(app) == [], small_targets(app)
        tap(app, app.button("Завершити й надіслати на затвердження"))
        app.wait_text("Акт надіслано на затвердження.")
        app.shot("5-sent")
        # A threat does not wait for the next sync: the app sends it on its own.
        app.page.get_by_role("button", name=re.compile(
            r"^Стан синхронізації\. Сервер доступний\. Усі зміни надіслано на сервер$")
        ).wait_for(timeout=30_000)
    client.sync()
    [act] = store.all(Assessment, case_id=case.id)
    assert act.threat and act.completed_on == date.today()

    with _app_of(tmp_path / "iryna-app", sync_server, SUPERVISOR) as url:
        app = phone.open(url)
        _unlock_and_sync(app)
        app.more("Черга перевірки", app.page.get_by_text(re.compile(r"^Чекають рішення: \d+$")))
        rows = app.page.get_by_role("button", name=re.compile(r"·"))
        rows.first.wait_for(state="attached", timeout=15_000)
        # First in the queue, with the threat in words (the act was started today).
        top = rows.first.get_attribute("aria-label") or rows.first.inner_text()
        assert SURNAME in top, top
        assert "Загроза життю чи здоров'ю: від сьогодні, без рішення" in top, top
        app.shot("6-queue")
        assert small_targets(app) == [], small_targets(app)
        # The dashboard names the threat still without a decision.
        app.page.locator("flt-semantics[aria-label='Назад']").first.click()
        app.more("Огляд громад", "Загрози життю чи здоров'ю дітей без рішення")
        threat_row = app.page.get_by_role("button", name=re.compile(
            rf"^{SURNAME}\s+акт оцінки потреб: загроза відкрита від сьогодні"))
        threat_row.wait_for(state="attached", timeout=15_000)
        app.wait_text("Випадки за етапами")
        app.shot("7-dashboard")
        assert small_targets(app) == [], small_targets(app)
        app.page.locator("flt-semantics[aria-label='Назад']").first.click()
        app.more("Черга перевірки", app.page.get_by_text(re.compile(r"^Чекають рішення: \d+$")))
        rows.first.click()
        app.wait_text("Перевірка акта оцінки потреб")
        app.wait_text("Дитина вночі лишається сама; мати на заробітках")
        app.shot("8-act")
        tap(app, app.button("Затвердити"))
        app.wait_text("Затверджено. Автор побачить рішення після синхронізації.")
        app.shot("9-approved")
        app.page.get_by_role("button", name=re.compile(
            r"^Стан синхронізації\. Сервер доступний\. Усі зміни надіслано на сервер$")
        ).wait_for(timeout=30_000)
    client.sync()
    account = Account(username=WORKER2, role="social_worker", communities=["malynska"],
                      device_id="-")
    detail = review_place.detail(store, account, "assessment", str(act.id), today=date.today())
    assert detail.review.decision is ReviewDecision.APPROVED
    assert detail.decisions[0].reviewer == SUPERVISOR
