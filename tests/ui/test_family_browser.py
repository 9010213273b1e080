"""Add a family, then a member, in Debian's Chromium at a phone and a laptop size.

The app runs over a real encrypted store signed in to a real sync server (``ready_app``);
what the worker sees is asserted through Flutter's semantics tree, and every step leaves a
screenshot in ``tests/artifacts/``.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.ui.conftest import PIN, AppPage

pytestmark = pytest.mark.browser


def _unlock(app: AppPage) -> None:
    app.wait_text("Розблокування")
    app.type_into("PIN-код", PIN)
    app.button("Розблокувати").click()
    app.wait_text("Сім'ї громади", timeout=30_000)
    # Unlocking syncs, and the list is drawn again when that sync ends: wait for it, so the
    # first tap lands on the list that stays.
    app.page.get_by_role("button", name=re.compile(r"^Стан синхронізації\. Сервер доступний")
                         ).wait_for(timeout=30_000)
    app.page.wait_for_timeout(500)


def _years_ago(years: int) -> str:
    today = date.today()
    born = today.replace(year=today.year - years, day=min(today.day, 28))
    return born.strftime("%d.%m.%Y")


def _add_family_and_member(app: AppPage, surname: str, settlement: str, child: str) -> None:
    app.button("Нова сім'я").click()
    app.field("Прізвище сім'ї").wait_for()
    assert app.small_targets() == [], app.small_targets()
    app.shot("1-new-family")
    app.button("Зберегти").click()
    app.wait_text("Виправте позначені поля.")
    assert app.text("Заповніть це поле").count() == 2
    app.shot("2-errors")
    app.type_into("Прізвище сім'ї", surname)
    app.type_into("Населений пункт", settlement)
    app.type_into("Телефон", "+380 67 123 45 67")
    app.button("Зберегти").click()
    app.wait_text(surname, timeout=15_000)
    app.wait_text("Члени сім'ї")
    app.page.get_by_text(re.compile("^Згоди на обробку персональних даних не записано")).wait_for()
    assert app.small_targets() == [], app.small_targets()
    app.shot("3-card")
    app.button("Додати члена сім'ї").click()
    app.wait_text("Роль у сім'ї")
    app.type_into("Прізвище", surname)
    app.type_into("Ім'я", child)
    app.type_into("Дата народження", _years_ago(5))
    app.shot("4-new-member")
    app.button("Зберегти").click()
    # The member's row: name, role, age with the right plural, birth date, where it is saved.
    app.page.get_by_role("button", name=re.compile(
        rf"^{surname} {child}\s+дитина · 5 років, нар\. \d\d\.\d\d\.\d{{4}}\s+"
        r"Збережено на цьому телефоні")).wait_for(timeout=15_000)
    app.shot("5-card-with-member")


def test_add_a_family_and_a_member_on_a_phone(ready_app: str, phone: AppPage) -> None:
    app = phone.open(ready_app)
    _unlock(app)
    _add_family_and_member(app, "Коваленко", "Житомир", "Аня")
    assert app.small_targets() == [], app.small_targets()
    app.page.mouse.wheel(0, 2000)
    app.wait_text("Історія роботи")
    app.shot("6-card-bottom")
    app.page.locator("flt-semantics[aria-label='Назад']").click()
    app.wait_text("Сім'ї громади")
    app.page.get_by_role("button", name=re.compile(r"Коваленко\s+Житомир")).wait_for()
    app.shot("7-list")


def test_add_a_family_and_a_member_on_a_laptop(ready_app: str, laptop: AppPage) -> None:
    app = laptop.open(ready_app)
    _unlock(app)
    _add_family_and_member(app, "Шевчук", "Малин", "Богдан")
    # Two panes: the list beside the card.
    app.field("Пошук").wait_for()
    app.page.get_by_role("button", name=re.compile(r"Шевчук\s+Малин")).wait_for()
    app.shot("6-two-panes")
    assert app.small_targets() == [], app.small_targets()
