"""The sync screen and conflict resolution in Debian's Chromium, against a real server.

Set-up (once per module): a sync server on loopback with two workers of one community; the
app's data folder is Olena's, signed in through the real first start. Olena and Petro (a
headless device) change the address of two families offline and both sync: Olena's phone
holds two conflicts. Olena also saved a family of a community she may not write to (the
server refuses it: "needs attention"). The browser then drives the app at a phone and a
laptop size; screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from field_app.services.store_device import StoreDevice, sync_client_sign_in
from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Backoff, SyncClient
from shared_models.enums import Role
from shared_models.records import Family
from tests.ui.conftest import PIN, AppPage, _serve_app
from tools.live_server import LiveServer

pytestmark = pytest.mark.browser

PASSWORD = "Житомир-2026-тест"
MERGED = "вул. Садова, 3, кв. 5"


class World:
    """The server, the app's URL and the families in conflict."""

    def __init__(self, server: LiveServer, url: str, data_dir: Path) -> None:
        self.server = server
        self.url = url
        self.data_dir = data_dir


def _family(name: str, settlement: str, community: str = "zhytomyrska") -> Family:
    return Family(community=community, family_name=name, settlement=settlement,
                  address="вул. Садова, 1")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("sync-browser")
    server = LiveServer(f"sqlite:///{folder / 'server.db'}", log_path=folder / "server.log")
    server.migrate()
    server.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, ["zhytomyrska"])
    server.add_user("petro", PASSWORD, Role.SOCIAL_WORKER, ["zhytomyrska"])
    server.start()
    try:
        data_dir = folder / "olena"
        device = StoreDevice(data_dir, sign_in=sync_client_sign_in)
        device.set_up(server_url=server.base_url, username="olena", password=PASSWORD, pin=PIN)
        olena = device.store
        assert olena is not None
        petro = LocalStore.create(folder / "petro.db", "482915", kdf=TEST_KDF)
        fast = Backoff(attempts=3, base=0.01, cap=0.05)
        with SyncClient(olena, server.base_url, backoff=fast) as olena_sync, \
                SyncClient(petro, server.base_url, backoff=fast) as petro_sync:
            petro_sync.login("petro", PASSWORD)
            families = [_family("Коваленко", "Малин"), _family("Бондар", "Ворсівка")]
            for fam in families:
                olena.save(fam)
            olena_sync.sync()
            petro_sync.sync()
            for fam, mine, theirs in zip(families, ("вул. Садова, 3", "вул. Лісова, 7"),
                                         ("вул. Садова, 5", "вул. Лісова, 9"), strict=True):
                olena.save(olena.get(Family, fam.id).model_copy(update={"address": mine}))
                petro.save(petro.get(Family, fam.id).model_copy(update={"address": theirs}))
            petro_sync.sync()
            olena.save(_family("Мельник", "Пулини", community="pulynska"))   # refused
            olena_sync.sync()
        petro.close()
        olena.close()
        with _serve_app(data_dir) as url:
            yield World(server, url, data_dir)
    finally:
        server.stop()


def _unlock(app: AppPage) -> None:
    app.wait_text("Розблокування")
    app.type_into("PIN-код", PIN)
    app.button("Розблокувати").click()
    app.wait_text("Сім'ї громади")


def _starts(app: AppPage, text: str, timeout: float = 15_000) -> None:
    """Wait for a node whose text or label starts with ``text`` (a list row with a second
    line, a card Flutter merges into one labelled node)."""
    pattern = re.compile("^" + re.escape(text))
    app.page.get_by_text(pattern).or_(app.page.get_by_label(pattern)).first.wait_for(
        state="attached", timeout=timeout)


def _button(app: AppPage, pattern: str) -> Any:
    return app.page.get_by_role("button", name=re.compile(pattern)).first


def test_sync_screen_and_resolving_a_conflict_on_a_phone(world: World, phone: AppPage) -> None:
    app = phone.open(world.url)
    _unlock(app)                                  # unlocking syncs on its own
    app.place("Синхронізація").click()
    _starts(app, "Сервер доступний", timeout=30_000)
    _starts(app, "Збережено на телефоні: 1 зміна")
    app.wait_text("Потребують уваги: 1")
    _starts(app, "Сім'я · Мельник, Пулини\nСервер не дозволяє вам цю зміну")
    app.page.get_by_text(re.compile(r"^Остання успішна синхронізація\s+\d\d\.\d\d\.\d{4} "
                                    r"\d\d:\d\d · щойно")).first.wait_for(state="attached")
    assert app.small_targets() == [], app.small_targets()
    app.shot("1-sync")
    app.page.mouse.move(180, 400)
    app.page.mouse.wheel(0, 800)
    app.shot("2-sync-attention")

    world.server.stop()                           # the phone loses the server
    try:
        # Back to the top by scrolling, not by tapping the place again: that rebuilds the
        # screen, and a tap landing during the rebuild is lost (seen under load).
        app.page.mouse.wheel(0, -800)
        app.button("Синхронізувати зараз").click()
        app.page.get_by_text(re.compile(r"^Немає зв'язку з сервером\. Зміни збережено на "
                                        r"телефоні; синхронізуйте, коли з'явиться інтернет")
                             ).first.wait_for(state="attached", timeout=60_000)
        app.wait_text("Що сталося і що робити")
        app.shot("3-offline")
    finally:
        world.server.start()
    app.button("Синхронізувати зараз").click()
    _starts(app, "Сервер доступний", timeout=30_000)
    app.wait_text("2 конфлікти змін чекають рішення")

    _button(app, "^2 конфлікти змін чекають рішення").click()
    app.wait_text("Потребують рішення: 2")
    assert app.small_targets() == [], app.small_targets()
    app.shot("4-conflicts")
    _button(app, "Сім'я · Коваленко, Малин").click()
    app.wait_text("Поле: Адреса")
    app.wait_text("Моє")
    app.wait_text("Колеги petro")
    app.wait_text("вул. Садова, 3")
    app.wait_text("вул. Садова, 5")
    assert app.small_targets() == [], app.small_targets()
    app.shot("5-conflict")
    app.type_into("Об'єднане значення", MERGED)
    app.button("Зберегти об'єднане значення").click()
    _starts(app, f"Вирішено на цьому телефоні: тепер у записі «{MERGED}»")
    app.shot("6-resolved")
    app.page.get_by_label("Назад", exact=True).first.click()   # the app bar's back arrow
    app.wait_text("Вирішено, чекає надсилання")
    app.shot("7-list-after")


def test_conflict_side_by_side_and_sync_on_a_laptop(world: World, laptop: AppPage) -> None:
    app = laptop.open(world.url)
    _unlock(app)
    app.more(re.compile("^Конфлікти змін"), "Оберіть конфлікт зі списку.")
    _button(app, "Сім'я · Бондар, Ворсівка").click()
    app.wait_text("Поле: Адреса")
    app.wait_text("вул. Лісова, 7")
    app.wait_text("вул. Лісова, 9")
    mine = app.text("Моє").bounding_box()                  # the two values side by side
    theirs = app.text("Колеги petro").bounding_box()
    assert mine and theirs and abs(mine["y"] - theirs["y"]) < 10 and mine["x"] < theirs["x"]
    assert app.small_targets() == [], app.small_targets()
    app.shot("1-conflict")
    app.button("Залишити «Моє»").click()
    _starts(app, "Вирішено на цьому телефоні: тепер у записі «вул. Лісова, 7»")
    app.shot("2-resolved")
    app.place("Синхронізація").click()
    app.button("Синхронізувати зараз").click()
    _starts(app, "Надіслано змін: 1,", timeout=30_000)      # the resolution went
    _starts(app, "Сервер доступний")
    assert app.small_targets() == [], app.small_targets()
    app.shot("3-sync")
    app.more(re.compile("^Конфлікти змін"),  # until the list has been read
             app.page.get_by_text(re.compile(r"^(Немає конфліктів змін\.|Потребують рішення: )")))
    # Closed by the server: neither waiting nor "resolved, waiting to be sent" any more.
    assert _button(app, "Бондар, Ворсівка").count() == 0
    assert app.text("Вирішено, чекає надсилання").count() == 0



def test_network_back_syncs_by_itself(world: World, phone: AppPage,
                                      tmp_path: Path) -> None:
    app = phone.open(world.url)
    _unlock(app)
    app.place("Синхронізація").click()
    _starts(app, "Сервер доступний", timeout=30_000)
    # A colleague sends a new family meanwhile.
    colleague = LocalStore.create(tmp_path / "petro2.db", "482915", kdf=TEST_KDF)
    with SyncClient(colleague, world.server.base_url) as sync:
        sync.login("petro", PASSWORD)
        colleague.save(_family("Ткаченко", "Малин"))
        sync.sync()
    colleague.close()
    app.page.wait_for_timeout(31_000)     # past the policy's minimum gap after the unlock
    app.page.context.set_offline(True)    # the phone loses its network...
    app.page.wait_for_timeout(3_000)
    app.page.context.set_offline(False)   # ...and gets it back: the app syncs by itself
    app.wait_text("Надіслано змін: 0, отримано: 1.", timeout=30_000)
    log = (world.data_dir / "app.log").read_text(encoding="utf-8")
    assert "network changed: none" in log and "network changed: wifi" in log, log[-2000:]
    app.shot("1-synced-by-itself")


def test_change_pin_then_sign_out_on_a_phone(world: World, phone: AppPage) -> None:
    app = phone.open(world.url)
    _unlock(app)
    app.more("Налаштування", _button(app, "^Змінити PIN-код"))
    _button(app, "^Змінити PIN-код").click()
    app.field("Поточний PIN-код").wait_for(state="attached")
    app.type_into("Поточний PIN-код", "135790")
    app.type_into("Новий PIN-код", "719305")
    app.type_into("Повторіть новий PIN-код", "719305")
    app.button("Змінити PIN-код").click()
    _starts(app, "Неправильний PIN-код.\nЗалишилось спроб: 9.")
    assert app.small_targets() == [], app.small_targets()
    app.shot("1-wrong-old-pin")
    app.type_into("Поточний PIN-код", PIN)
    app.button("Змінити PIN-код").click()
    app.wait_text("PIN-код змінено. Надалі розблоковуйте застосунок новим PIN-кодом.",
                  timeout=30_000)
    app.shot("2-pin-changed")
    app.page.get_by_label("Назад", exact=True).first.click()
    _button(app, "^Вийти з облікового запису").click()
    _starts(app, "На телефоні 1 зміна, яку ще не надіслано на сервер.")
    assert app.button("Вийти й стерти дані з телефону").is_disabled()
    assert app.small_targets() == [], app.small_targets()
    app.shot("3-sign-out")
    app.page.get_by_role("checkbox").first.click()
    app.button("Вийти й стерти дані з телефону").click()
    app.wait_text("Ви вийшли з облікового запису; дані з цього телефону стерто.",
                  timeout=30_000)
    app.wait_text("Перший запуск")
    app.shot("4-signed-out")
