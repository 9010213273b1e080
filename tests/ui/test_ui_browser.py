"""The app in Debian's Chromium at a phone and a laptop size (``conftest.py``).

What the worker sees is asserted through Flutter's semantics tree (roles and names), and
every step leaves a screenshot in ``tests/artifacts/``.
"""

from __future__ import annotations

import re

import pytest

from tests.ui.conftest import PASSWORD, PIN, USER, AppPage

pytestmark = pytest.mark.browser

PLACES = [("Сім'ї", "Сім'ї громади"), ("Візити", "Заплановані візити"),
          ("Синхронізація", "Синхронізація"), ("Більше", "Більше")]


def _unlock(app: AppPage, pin: str = PIN) -> None:
    app.wait_text("Розблокування")
    app.type_into("PIN-код", pin)
    app.button("Розблокувати").click()


def test_first_start_shows_ukrainian_errors_and_switches_language(
        fresh_app: str, phone: AppPage) -> None:
    app = phone.open(fresh_app)
    app.wait_text("Перший запуск")
    assert app.small_targets() == [], app.small_targets()
    app.shot("1-first-start")
    app.button("Підключити").click()
    app.wait_text("Обов'язкове поле")
    assert app.text("Обов'язкове поле").count() == 5
    app.shot("2-errors")
    app.type_into("Адреса сервера", "poruch.zt.gov.ua")
    app.type_into("Новий PIN-код", "123456")
    app.type_into("Повторіть PIN-код", "123465")
    app.button("Підключити").click()
    app.wait_text("Адреса має починатися з https:// (http:// — лише в локальній мережі)")
    app.wait_text("Занадто простий PIN-код: уникайте повторів і послідовностей")
    app.shot("3-wrong-values")
    app.button("English").click()
    app.wait_text("First start")
    assert app.button("Connect").count() == 1
    assert app.text("Too easy").count() == 0
    app.wait_text("This PIN is too easy to guess: avoid repeats and sequences")
    app.shot("4-english")


def test_first_start_against_the_real_server(fresh_app: str, sync_server: str,
                                              phone: AppPage) -> None:
    app = phone.open(fresh_app)
    app.wait_text("Перший запуск")
    app.type_into("Адреса сервера", sync_server)
    app.type_into("Логін", USER)
    app.type_into("Пароль", "не той пароль")
    app.type_into("Новий PIN-код", PIN)
    app.type_into("Повторіть PIN-код", PIN)
    app.button("Підключити").click()
    app.page.get_by_text(re.compile("увійти|логін|пароль", re.IGNORECASE)).first.wait_for(
        state="attached", timeout=30_000)
    app.shot("1-refused")
    app.type_into("Пароль", PASSWORD)
    app.button("Підключити").click()
    app.wait_text("Сім'ї громади", timeout=30_000)
    app.shot("2-families")


def test_shell_and_places_on_a_phone(ready_app: str, phone: AppPage) -> None:
    app = phone.open(ready_app)
    _unlock(app)
    app.wait_text("Сім'ї громади")
    for label, title in PLACES:
        app.place(label).click()
        app.wait_text(title)
        assert app.small_targets() == [], label
        app.shot(f"place-{label}")
    assert "/more" in app.page.url


def test_sync_against_the_real_server(ready_app: str, phone: AppPage) -> None:
    app = phone.open(ready_app)
    _unlock(app)
    app.wait_text("Сім'ї громади")          # unlocking starts a sync on its own
    app.place("Синхронізація").click()
    app.page.get_by_text(re.compile(r"^Сервер доступний\s+Остання спроба: ")).first.wait_for(
        state="attached")
    app.page.get_by_text(re.compile(r"^Остання успішна синхронізація\s+\d\d\.\d\d\.\d{4} "
                                    r"\d\d:\d\d · щойно$")).wait_for(state="attached")
    app.button("Синхронізувати зараз").click()
    app.wait_text("Надіслано змін: 0, отримано: 0.")
    app.shot("synced")


def test_shell_on_a_laptop(ready_app: str, laptop: AppPage) -> None:
    app = laptop.open(ready_app)
    _unlock(app)
    app.wait_text("Оберіть сім'ю зі списку, щоб побачити її картку.")
    app.shot("families")
    for label, title in PLACES[1:]:
        app.place(label).click()
        app.wait_text(title)
        app.shot(f"place-{label}")
    assert app.small_targets() == [], app.small_targets()


def test_settings_language_switch(ready_app: str, phone: AppPage) -> None:
    app = phone.open(ready_app)
    _unlock(app)
    app.more("Налаштування", "Автоблокування після бездіяльності")
    assert app.small_targets() == [], app.small_targets()
    app.shot("1-settings")
    app.button("English").click()
    app.wait_text("Lock after inactivity")
    app.shot("2-english")
    app.button("Українська").click()
    app.wait_text("Автоблокування після бездіяльності")


def test_lock_and_wrong_pin(ready_app: str, phone: AppPage) -> None:
    app = phone.open(ready_app)
    _unlock(app, "135790")
    app.wait_text("Неправильний PIN-код.\nЗалишилось спроб: 9.")
    app.shot("1-wrong-pin")
    _unlock(app)
    app.wait_text("Сім'ї громади")
    app.more("Заблокувати зараз", "Розблокування")
    app.shot("2-locked")
