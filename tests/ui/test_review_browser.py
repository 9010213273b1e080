"""The supervisor's review in Debian's Chromium, at a phone and a laptop size, on a real server.

A social worker of malynska (a real store and the sync client, standing in for their phone)
records a visit and syncs; the supervisor's app — served by ``python -m field_app --web`` over
a data folder signed in to the same server — pulls it on unlock. In the browser the supervisor
opens the queue from "Більше", reads the visit, tries to return it without a comment (refused
next to the field), returns it with one and syncs; the worker's phone then has the comment.
Screenshots of every step go to ``tests/artifacts/``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from field_app.services import reviews
from field_app.services.reviews import ReviewState
from field_app.services.store_device import StoreDevice, sync_client_sign_in
from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Account, SyncClient
from shared_models.records import Family, Person, Visit
from tests.ui.conftest import PASSWORD, PIN, SUPERVISOR, WORKER2, AppPage, _serve_app

pytestmark = pytest.mark.browser


class Phone:
    """A phone of ``user``: a real encrypted store synced with the real server."""

    def __init__(self, folder: Path, server: str, user: str = WORKER2) -> None:
        self.store = LocalStore.create(folder / f"{user}.db", PIN, kdf=TEST_KDF)
        self.client = SyncClient(self.store, server)
        self.client.login(user, PASSWORD)

    def record_visit(self, surname: str, risk: str) -> Visit:
        fam = Family(community="malynska", family_name=surname, settlement="Малин")
        child = Person(community="malynska", family_id=fam.id, last_name=surname,
                       first_name="Софія")
        visit = Visit(community="malynska", family_id=fam.id, risk_level=risk,
                      author=WORKER2, visited_at=datetime.now(UTC) - timedelta(hours=2),
                      present=[child.id], services=["002.0", "010.2"],
                      child_needs="Дитина відвідує школу, потребує логопеда",
                      next_steps="Зустріч із класним керівником")
        for record in (fam, child, visit):
            self.store.save(record)
        assert self.client.sync().pushed == 3
        return visit

    def close(self) -> None:
        self.client.close()
        self.store.close()


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory, sync_server: str) -> Iterator[Phone]:
    """Petro's phone."""
    phone = Phone(tmp_path_factory.mktemp("petro"), sync_server)
    yield phone
    phone.close()


def _app_of(folder: Path, server: str, user: str) -> contextlib.AbstractContextManager[str]:
    """The app over a data folder where ``user`` has signed in (it starts locked)."""
    device = StoreDevice(folder, sign_in=sync_client_sign_in)
    device.set_up(server_url=server, username=user, password=PASSWORD, pin=PIN)
    assert device.store is not None
    device.store.close()
    return _serve_app(folder)


@pytest.fixture(scope="module")
def supervisor_app(tmp_path_factory: pytest.TempPathFactory, sync_server: str) -> Iterator[str]:
    """The supervisor's app (served over its own signed-in data folder)."""
    with _app_of(tmp_path_factory.mktemp("supervisor"), sync_server, SUPERVISOR) as url:
        yield url


def _unlock_and_sync(app: AppPage) -> None:
    app.wait_text("Розблокування")
    app.type_into("PIN-код", PIN)
    app.button("Розблокувати").click()
    app.wait_text("Сім'ї громади")
    app.place("Синхронізація").click()            # the unlock sync pulls what is new
    app.page.get_by_text(re.compile(r"^Надіслано змін: \d+, отримано: \d+\.$")).wait_for(
        state="attached", timeout=30_000)


def _open_queue(app: AppPage) -> None:
    _unlock_and_sync(app)
    app.more("Черга перевірки", app.page.get_by_text(re.compile(r"^Чекають рішення: \d+$")))


def _return_visit(app: AppPage, worker: Phone, visit: Visit, surname: str) -> None:
    row = app.page.get_by_role("button", name=re.compile(surname))
    row.wait_for(state="attached", timeout=15_000)
    # The row reads out the family, kind, date, author and the risk in words.
    name = row.get_attribute("aria-label") or row.inner_text()
    assert re.search(r"Візит від \d\d\.\d\d\.\d{4} \d\d:\d\d · petro", name), name
    assert "Ризик: високий" in name, name
    app.shot("1-queue")
    row.click()
    app.wait_text("Перевірка візиту")
    app.wait_text("Дитина відвідує школу, потребує логопеда")
    app.wait_text(f"{surname} Софія")
    assert app.button("Затвердити").count() == 1
    app.shot("2-visit")
    app.button("Повернути з коментарем").click()
    app.wait_text("Напишіть коментар: що саме треба виправити.")
    app.shot("3-comment-required")
    app.type_into("Коментар для автора", "Уточніть, хто доглядає дитину вдень")
    app.button("Повернути з коментарем").click()
    app.wait_text("Повернуто автору. Коментар надійде після синхронізації.")
    app.page.get_by_role("button", name=re.compile(surname)).wait_for(state="detached")
    app.shot("4-returned")
    assert app.small_targets() == [], app.small_targets()
    # The app sends the decision on its own soon after it (no button); the sync place says so.
    app.page.get_by_role("button", name=re.compile(
        r"^Стан синхронізації\. Сервер доступний\. Усі зміни надіслано на сервер$")).wait_for(
        timeout=30_000)
    app.page.get_by_role("button", name=re.compile("^Стан синхронізації")).first.click()
    app.page.get_by_text(re.compile(r"^Надіслано змін: 1, отримано: \d+\.$")).wait_for(
        state="attached", timeout=30_000)
    # The worker's phone gets the decision at its next sync.
    worker.client.sync()
    account = Account(username=WORKER2, role="social_worker", communities=["malynska"],
                      device_id="-")
    [mine] = [r for r in reviews.returned_to_me(worker.store, account) if r.id == str(visit.id)]
    assert mine.status.state is ReviewState.RETURNED
    assert mine.status.latest is not None
    assert mine.status.latest.comment == "Уточніть, хто доглядає дитину вдень"


def test_the_supervisor_returns_a_visit_on_a_phone(supervisor_app: str, worker: Phone,
                                                   phone: AppPage) -> None:
    visit = worker.record_visit("Ковальчук", "high")
    app = phone.open(supervisor_app)
    _open_queue(app)
    _return_visit(app, worker, visit, "Ковальчук")


def test_the_supervisor_returns_a_visit_on_a_laptop(supervisor_app: str, worker: Phone,
                                                    laptop: AppPage) -> None:
    visit = worker.record_visit("Дорошенко", "high")
    app = laptop.open(supervisor_app)
    _open_queue(app)
    app.wait_text("Оберіть запис зі списку, щоб переглянути його й ухвалити рішення.")
    _return_visit(app, worker, visit, "Дорошенко")


def test_the_worker_sees_the_comment_on_a_phone(tmp_path: Path, sync_server: str,
                                                worker: Phone, phone: AppPage) -> None:
    visit = worker.record_visit("Гуменюк", "medium")
    boss = Phone(tmp_path, sync_server, SUPERVISOR)     # the supervisor's own phone
    try:
        boss.client.sync()
        account = Account(username=SUPERVISOR, role="supervisor", communities=["malynska"],
                          device_id="-")
        reviews.return_for_changes(boss.store, account, "visit", str(visit.id),
                                   "Додайте, які послуги отримала мати")
        assert boss.client.sync().pushed == 1
    finally:
        boss.close()
    with _app_of(tmp_path / "petro-app", sync_server, WORKER2) as url:
        app = phone.open(url)
        _unlock_and_sync(app)
        row = app.page.get_by_role("button", name=re.compile("Гуменюк"))
        app.more("Повернуті на доопрацювання", row)
        name = row.get_attribute("aria-label") or row.inner_text()
        assert "«Додайте, які послуги отримала мати»" in name, name
        assert "Ризик: середній" in name and "Повернуто на доопрацювання" in name, name
        app.shot("1-returned-list")
        row.click()
        app.wait_text("Додайте, які послуги отримала мати")
        app.page.get_by_text(re.compile(r"^Коментар супервізора \(iryna, ")).wait_for(
            state="attached")
        assert app.button("Затвердити").count() == 0
        assert app.button("Повернути з коментарем").count() == 0
        assert app.small_targets() == [], app.small_targets()
        app.shot("2-comment")
        app.button("Виправити").click()
        app.page.wait_for_url(re.compile(
            rf"/families/{visit.family_id}/visits/{visit.id}/edit$"))
