"""The whole case cycle as one journey, two people on two devices, a real server, 360 px.

Petro, a social worker of malynska, adds a family and its child on his phone, opens a case by
a request from the school, and fills the needs-assessment act with a threat to the child's
life and health; the app sends the threat on its own. Iryna, the community's supervisor,
finds the act first in her queue and approves it. Back on Petro's phone the approval has
arrived: he agrees the support plan, records a visit that ticks its task, extends the
support and records the closure. Iryna approves the closure, and Petro's card shows the case
closed, with a button to reopen it as a new case. Each device is the app in Chromium over its
own encrypted store; screenshots of every step go to ``tests/artifacts/``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from field_app.services.store_device import StoreDevice, sync_client_sign_in
from tests.ui.conftest import PASSWORD, PIN, SUPERVISOR, WORKER2, AppPage, _serve_app
from tests.ui.test_case_browser import (
    _add_child,
    _add_family,
    _close,
    _extend,
    _open_case,
    _plan,
    _visit,
)
from tests.ui.test_visit_browser import small_targets, tap

pytestmark = pytest.mark.browser
SURNAME, CHILD = "Кравчук", "Марко"          # CHILD as test_case_browser names the child
ALL_SENT = r"^Стан синхронізації\. Сервер доступний\. Усі зміни надіслано на сервер$"


def _signed_in(folder: Path, server: str, user: str) -> None:
    """A data folder where ``user`` signed in on first start (the app then starts locked)."""
    device = StoreDevice(folder, sign_in=sync_client_sign_in)
    device.set_up(server_url=server, username=user, password=PASSWORD, pin=PIN)
    assert device.store is not None
    device.store.close()


@contextlib.contextmanager
def _device(app: AppPage, folder: Path) -> Iterator[AppPage]:
    """The app over ``folder`` open in the page, unlocked, after the sync unlocking starts."""
    with _serve_app(folder) as url:
        app.open(url)
        app.wait_text("Розблокування")
        app.type_into("PIN-код", PIN)
        app.button("Розблокувати").click()
        app.page.get_by_role("button", name=re.compile(
            r"^Стан синхронізації\. Сервер доступний")).first.wait_for(timeout=30_000)
        app.page.wait_for_timeout(500)
        yield app


def _all_sent(app: AppPage) -> None:
    app.page.get_by_role("button", name=re.compile(ALL_SENT)).first.wait_for(timeout=30_000)


def _send(app: AppPage) -> None:
    """Tap the sync indicator, then "sync now"; wait until the changes went."""
    app.page.get_by_role("button", name=re.compile(r"^Стан синхронізації")).first.click()
    app.wait_text("Синхронізація")
    app.button("Синхронізувати зараз").click()
    app.page.get_by_text(re.compile(r"^Надіслано змін: [1-9]\d*, отримано: \d+\.$")).wait_for(
        state="attached", timeout=30_000)
    _all_sent(app)


def _sync_now(app: AppPage) -> None:
    """The sync place shows that unlocking pulled what the other person sent; then back to
    the families."""
    app.place("Синхронізація").click()
    app.page.get_by_text(re.compile(r"^Надіслано змін: \d+, отримано: [1-9]\d*\.$")).wait_for(
        state="attached", timeout=30_000)
    app.place("Сім'ї").click()


def _open_card(app: AppPage) -> None:
    app.page.get_by_role("button", name=re.compile(f"^{SURNAME}\\s")).first.click()
    app.wait_text("Ведення випадку", timeout=15_000)


def _assess_with_threat(app: AppPage) -> None:
    tap(app, app.button("Оцінити потреби"))
    app.wait_text("Акт оцінки потреб сім'ї")
    tap(app, app.page.get_by_role("button", name=re.compile(r"^2\. ")).first)
    child = f"Загроза життю чи здоров'ю: {SURNAME} {CHILD}"
    tap(app, app.page.get_by_role("checkbox", name=child))
    app.page.get_by_role("checkbox", name=child, checked=True).wait_for(state="attached")
    tap(app, app.field("Що саме загрожує і що вже зроблено"), click=False)
    app.type_into("Що саме загрожує і що вже зроблено",
                  "Дитина голодує, вночі лишається сама; мати на заробітках")
    tap(app, app.page.get_by_role("button", name=re.compile(r"^5\. ")).first)  # conclusion
    tap(app, app.button("Так").first)                        # difficult life circumstances
    tap(app, app.button("соціальний супровід за планом"))
    assert small_targets(app) == [], small_targets(app)
    app.shot("j03-act")
    tap(app, app.button("Завершити й надіслати на затвердження"))
    app.wait_text("Акт надіслано на затвердження.")
    _all_sent(app)                                           # a threat goes on its own


def _approve_first(app: AppPage, what: str, detail_title: str) -> None:
    """Iryna opens her queue's first row, which must be ``what`` of the family, and approves."""
    app.more("Черга перевірки", app.page.get_by_text(re.compile(r"^Чекають рішення: \d+$")))
    rows = app.page.get_by_role("button", name=re.compile(r"·"))
    rows.first.wait_for(state="attached", timeout=15_000)
    top = rows.first.get_attribute("aria-label") or rows.first.inner_text()
    assert SURNAME in top and re.search(what, top), top
    app.shot(f"j-queue-{detail_title[:12]}")
    rows.first.click()
    app.wait_text(detail_title)
    tap(app, app.button("Затвердити"))
    app.wait_text("Затверджено. Автор побачить рішення після синхронізації.")
    _all_sent(app)


def test_a_case_from_request_to_approved_closure_by_a_worker_and_a_supervisor(
        tmp_path: Path, sync_server: str, phone: AppPage) -> None:
    petro, iryna = tmp_path / "petro", tmp_path / "iryna"
    _signed_in(petro, sync_server, WORKER2)
    _signed_in(iryna, sync_server, SUPERVISOR)

    with _device(phone, petro) as app:                       # request and assessment
        _add_family(app, SURNAME)
        _add_child(app, SURNAME)
        _open_case(app)
        _assess_with_threat(app)
        app.shot("j04-act-sent")

    with _device(phone, iryna) as app:                       # the threat tops the queue
        _sync_now(app)
        _approve_first(app, r"Загроза життю чи здоров'ю: від сьогодні, без рішення",
                       "Перевірка акта оцінки потреб")

    with _device(phone, petro) as app:                       # plan, visit, term, closure
        _sync_now(app)
        _open_card(app)
        app.wait_text("Етап: соціальний супровід")           # the approved act moved it on
        app.shot("j05-card-assessed")
        _plan(app)
        _visit(app)
        _extend(app)
        _close(app)
        _send(app)

    with _device(phone, iryna) as app:                       # the closure is approved
        _sync_now(app)
        app.more("Черга перевірки", app.page.get_by_text(re.compile(r"^Чекають рішення: \d+$")))
        closure = app.page.get_by_role("button", name=re.compile(
            rf"{SURNAME}.*Закриття випадку|Закриття випадку.*{SURNAME}"))
        closure.first.wait_for(state="attached", timeout=15_000)
        app.shot("j06-queue-closure")
        closure.first.click()
        app.wait_text("Перевірка закриття випадку")
        app.wait_text("Дитина ходить до школи, харчування налагоджено.")
        tap(app, app.button("Затвердити"))
        app.wait_text("Затверджено. Автор побачить рішення після синхронізації.")
        _all_sent(app)

    with _device(phone, petro) as app:                       # the case is closed
        _sync_now(app)
        assert not app.page.get_by_role("button", name=re.compile(f"^{SURNAME}\\s")).count()
        tap(app, app.button("Випадок закрито"))              # the list's filter of closed
        _open_card(app)
        app.wait_text("Відкритого випадку немає.", timeout=15_000)
        app.page.get_by_text(re.compile(r"^Випадок \d\d\.\d\d\.\d{4} – \d\d\.\d\d\.\d{4}: "
                                        r"складні життєві обставини подолано")).first.wait_for(
            state="attached")
        tap(app, app.button("Відкрити знову"), click=False)
        app.shot("j07-card-closed")
        assert small_targets(app) == [], small_targets(app)
