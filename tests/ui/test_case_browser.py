"""A case from request to closure on a laptop, in Debian's Chromium; the steps are shared with
``test_case_journey_browser``, which walks them on a 360 px phone with the supervisor's
decisions in between.

The worker adds a family (with its registered address) and a child (citizenship, IDP status),
opens a case by a request, sees the assessment's countdown on the card, adds a task to the
support plan and agrees the plan's term with the family, records a visit that ticks the task
done with a comment and marks a threat to the child, extends the support, and records the
closure, which then waits for the supervisor. The app runs over a real encrypted store
signed in to a real sync server (``ready_app``); what the worker sees is asserted through
Flutter's semantics tree, and every step leaves a screenshot in ``tests/artifacts/``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from shared_models.cases import extended_support_limit, support_limit
from tests.ui.conftest import AppPage
from tests.ui.test_visit_browser import contains, small_targets, tap, unlock

pytestmark = pytest.mark.browser

CHILD = "Марко"


def _d(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _back(app: AppPage) -> None:
    app.page.locator("flt-semantics[aria-label='Назад']").first.click()


def _add_family(app: AppPage, surname: str) -> None:
    app.button("Нова сім'я").click()
    app.field("Прізвище сім'ї").wait_for()
    app.type_into("Прізвище сім'ї", surname)
    app.type_into("Населений пункт", "Бердичів")
    app.type_into("Фактична адреса (де живе сім'я)", "вул. Лесі Українки, 5")
    app.type_into("Зареєстрована адреса", "м. Маріуполь, просп. Миру, 10")
    assert small_targets(app) == [], small_targets(app)
    app.shot("01-family-form")
    tap(app, app.button("Зберегти"))
    app.wait_text("Члени сім'ї", timeout=15_000)


def _add_child(app: AppPage, surname: str) -> None:
    tap(app, app.button("Додати члена сім'ї"))
    app.wait_text("Роль у сім'ї")
    app.type_into("Прізвище", surname)
    app.type_into("Ім'я", CHILD)
    born = date.today().replace(year=date.today().year - 8, day=min(date.today().day, 28))
    app.type_into("Дата народження", _d(born))
    app.type_into("Громадянство", "Україна")
    app.type_into("Місце навчання або роботи", "Бердичівський ліцей № 2")
    tap(app, app.page.get_by_role("checkbox", name=re.compile("^Має статус ВПО")))
    app.type_into("Довідка ВПО: номер і дата", "1821-5000123 від 12.03.2024")
    assert small_targets(app) == [], small_targets(app)
    app.shot("02-member-form")
    tap(app, app.button("Зберегти"))
    app.page.get_by_role("button", name=re.compile(rf"^{surname} {CHILD}\s")).wait_for(
        timeout=15_000)


def _open_case(app: AppPage) -> None:
    tap(app, app.button("Відкрити випадок"))
    app.wait_text("Хто звернувся")
    assert small_targets(app) == [], small_targets(app)
    app.shot("03a-request-top")
    tap(app, app.page.get_by_role("radio", name="Заклад освіти").or_(
        app.button("Заклад освіти")).first)
    app.type_into("Ім'я та контакт того, хто звернувся", "Савчук Ірина, класна керівниця")
    tap(app, app.page.get_by_role("checkbox", name=re.compile("^Особа погодилася")))
    app.type_into("З чим звернулися", "Дитина часто пропускає уроки, скаржиться на голод.")
    assert small_targets(app) == [], small_targets(app)
    app.shot("03-request")
    tap(app, app.button("Зберегти звернення"))
    app.wait_text("Ведення випадку", timeout=15_000)
    contains(app, "Зареєстрована адреса: м. Маріуполь, просп. Миру, 10")
    contains(app, f"Випадок відкрито {_d(date.today())}")
    contains(app, "Звернувся: заклад освіти: Савчук Ірина, класна керівниця")
    contains(app, "Етап: звернення, оцінювання потреб")
    app.page.get_by_text(re.compile(r"^Оцінювання потреб: (\d+ робоч\S+ д\S+ до "
                                    r"\d\d\.\d\d\.\d{4}|сьогодні останній день)")
                         ).first.wait_for()
    tap(app, app.button("План"), click=False)
    assert small_targets(app) == [], small_targets(app)
    app.shot("04-card-case-opened")


def _plan(app: AppPage) -> None:
    tap(app, app.button("План"))
    app.wait_text("Ще не погоджено із сім'єю", timeout=15_000)
    app.shot("05-plan-empty")
    tap(app, app.button("Додати завдання"))
    app.wait_text("Хто відповідає")
    app.type_into("Мета", "Дитина відвідує школу щодня")
    app.type_into("Завдання", "Домовитися зі школою про безкоштовне харчування")
    app.type_into("Виконати до", _d(date.today() + timedelta(days=14)))
    assert small_targets(app) == [], small_targets(app)
    app.shot("06-task-form")
    tap(app, app.button("Зберегти завдання"))
    app.wait_text("Мета: Дитина відвідує школу щодня", timeout=15_000)
    contains(app, "План: виконано 0 з 1")
    contains(app, f"до {_d(date.today() + timedelta(days=14))}")
    app.type_into("Хто із сім'ї погодив", "Гнатюк Оксана, мати")
    assert small_targets(app) == [], small_targets(app)
    app.shot("07-plan-with-task")
    tap(app, app.button("Зберегти погодження і строк"))
    app.wait_text("Ведення випадку", timeout=15_000)
    end = support_limit(date.today())
    app.page.get_by_text(re.compile(rf"^Супровід до {re.escape(_d(end))}: залишилося ")
                         ).first.wait_for()
    contains(app, f"Погоджено із сім'єю {_d(date.today())}")
    tap(app, app.button("Продовжити"), click=False)
    app.shot("08-card-support")


def _visit(app: AppPage) -> None:
    tap(app, app.button("Записати візит"))
    app.wait_text("Коли відбувся візит")
    task = app.page.get_by_role("checkbox", name=re.compile("^Виконано: Домовитися зі школою"))
    tap(app, task)
    app.page.get_by_role("checkbox", name=re.compile("^Виконано: Домовитися зі школою"),
                         checked=True).wait_for()
    app.type_into("Коментар до завдання", "Харчування з понеділка, директорка погодила.")
    assert small_targets(app) == [], small_targets(app)
    app.shot("09a-visit-plan-task")
    tap(app, app.button("Середній"))
    threat = app.page.get_by_role("checkbox", name=re.compile("^Виявлено загрозу життю"))
    tap(app, threat)
    app.page.get_by_role("checkbox", name=re.compile("^Виявлено загрозу життю"),
                         checked=True).wait_for()
    assert small_targets(app) == [], small_targets(app)
    app.shot("09-visit-plan-and-threat")
    tap(app, app.button("Зберегти візит"))
    app.wait_text("Візит збережено на телефоні.", timeout=15_000)
    contains(app, "Загроза життю або здоров'ю дитини")
    contains(app, "План: виконано 1 з 1")
    app.shot("10-card-after-visit")
    tap(app, app.button("План"))
    contains(app, f"Виконано {_d(date.today())}")
    contains(app, "Харчування з понеділка, директорка погодила.")
    app.shot("11-plan-task-done")
    _back(app)
    app.wait_text("Ведення випадку", timeout=15_000)


def _extend(app: AppPage) -> None:
    tap(app, app.button("Продовжити"))
    app.field("Підстава продовження").wait_for()
    limit = extended_support_limit(date.today())
    app.type_into("Підстава продовження", "Складний випадок: потрібен час на лікування.")
    app.type_into("Новий кінець супроводу", _d(limit + timedelta(days=1)))
    tap(app, app.button("Продовжити супровід"))
    app.wait_text("Виправте позначені поля.")           # beyond 12 months: refused
    app.shot("12-extension-refused")
    app.type_into("Новий кінець супроводу", _d(limit))
    assert small_targets(app) == [], small_targets(app)
    app.shot("13-extension")
    tap(app, app.button("Продовжити супровід"))
    app.wait_text("Ведення випадку", timeout=15_000)
    contains(app, f"Продовжено до {_d(limit)}")
    tap(app, app.text(f"Продовжено до {_d(limit)}"), click=False)
    app.shot("14-card-extended")


def _close(app: AppPage) -> None:
    tap(app, app.button("Закрити випадок"))
    app.wait_text("Результат супроводу")
    tap(app, app.button("Надіслати на закриття"))
    app.wait_text("Виправте позначені поля.")            # no reason chosen yet
    tap(app, app.page.get_by_role("radio", name="Складні життєві обставини подолано").or_(
        app.button("Складні життєві обставини подолано")).first)
    tap(app, app.page.get_by_role("radio", name="Мети досягнуто").or_(
        app.button("Мети досягнуто")).first)
    app.type_into("Примітки", "Дитина ходить до школи, харчування налагоджено.")
    assert small_targets(app) == [], small_targets(app)
    app.shot("15-closure")
    tap(app, app.button("Надіслати на закриття"))
    app.wait_text("Ведення випадку", timeout=15_000)
    contains(app, f"Закриття {_d(date.today())}: чекає рішення супервізора")
    contains(app, "Етап: закриття чекає рішення супервізора")
    contains(app, "Загроза життю або здоров'ю дитини")
    tap(app, app.text(f"Закриття {_d(date.today())}: чекає рішення супервізора"), click=False)
    assert small_targets(app) == [], small_targets(app)
    app.shot("16-card-closing")


def _walk(app: AppPage, url: str, surname: str) -> None:
    app.open(url)
    app.wait_text("Розблокування")
    unlock(app)
    _add_family(app, surname)
    _add_child(app, surname)
    _open_case(app)
    _plan(app)
    _visit(app)
    _extend(app)
    _close(app)


def test_a_case_from_request_to_closure_on_a_laptop(ready_app: str, laptop: AppPage) -> None:
    """The same walk with the families list beside every screen (two panes)."""
    _walk(laptop, ready_app, "Ярошенко")
