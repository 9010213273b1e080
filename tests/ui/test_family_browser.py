"""Add a family, then a member, in Debian's Chromium at a phone and a laptop size; a family
left half-typed is offered on the list and comes back from its draft after a lock.

The app runs over a real encrypted store signed in to a real sync server (``ready_app``);
what the worker sees is asserted through Flutter's semantics tree, and every step leaves a
screenshot in ``tests/artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from field_app.store import LocalStore
from shared_models.clock import HybridClock
from shared_models.enums import PersonRole, RecordKind, ReviewDecision, RiskLevel, VisitPlace
from shared_models.protocol import RecordChange
from shared_models.records import Conflict, Family, Note, Person, Record, Review, Visit
from tests.ui.conftest import PASSWORD, PIN, USER, AppPage, _serve_app

C = "zhytomyrska"

pytestmark = pytest.mark.browser


def _small_targets(app: AppPage) -> list[str]:
    """Touch targets under 48 px, leaving out those the app bar half covers (the scrolled
    content's semantics are clipped at the bar's edge, 56 px down); a control cut there is
    judged whole at the other scroll positions the tests visit."""
    found = app.page.evaluate("""() => {
        const out = [];
        for (const e of document.querySelectorAll(
                'flt-semantics[role=button], flt-semantics[role=radio], input, textarea,'
                + ' flt-semantics[role=checkbox], flt-semantics[role=tab]')) {
            const r = e.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            if (r.top < 57 && r.top > 1 || r.top < 1 || r.bottom > innerHeight - 1) continue;
            if (r.height < 47.5 || r.width < 47.5)
                out.push(`${e.getAttribute('aria-label') || e.innerText || e.tagName}`
                         + ` ${Math.round(r.width)}x${Math.round(r.height)}`);
        }
        return out;
    }""")
    return list(found)


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
    assert _small_targets(app) == [], _small_targets(app)
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
    assert _small_targets(app) == [], _small_targets(app)
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
    assert _small_targets(app) == [], _small_targets(app)
    app.page.mouse.wheel(0, 2000)
    app.wait_text("Історія роботи")
    app.shot("6-card-bottom")
    app.page.locator("flt-semantics[aria-label='Назад']").click()
    app.wait_text("Сім'ї громади")
    app.page.get_by_role("button", name=re.compile(r"Коваленко\s+Житомир")).wait_for()
    app.shot("7-list")


def test_a_half_typed_family_comes_back_after_a_lock_on_a_phone(ready_app: str,
                                                                  phone: AppPage) -> None:
    """Typed, left unsaved, locked: the list offers it, and it opens restored from its draft."""
    app = phone.open(ready_app)
    _unlock(app)
    app.button("Нова сім'я").click()
    app.type_into("Прізвище сім'ї", "Бондар")
    app.type_into("Фактична адреса (де живе сім'я)", "вул. Садова, 3")
    app.page.locator("flt-semantics[aria-label='Назад']").click()
    app.wait_text("Сім'ї громади")
    app.page.get_by_text(re.compile("^Незбережена нова сім'я: Бондар")).first.wait_for()
    assert _small_targets(app) == [], _small_targets(app)
    app.shot("1-list-offers-draft")
    _lock_and_unlock(app)
    app.place("Сім'ї").click()
    app.page.get_by_text(re.compile("^Незбережена нова сім'я: Бондар")).first.click()
    app.page.get_by_text(re.compile("^Відновлено чернетку від ")).first.wait_for()
    assert _small_targets(app) == [], _small_targets(app)
    app.shot("2-restored")
    app.field("Фактична адреса").click()        # Flutter gives the value to the focused input
    app.page.wait_for_timeout(300)
    assert app.page.evaluate("document.activeElement.value") == "вул. Садова, 3"
    _discard_draft(app)


def _lock_and_unlock(app: AppPage) -> None:
    app.more("Заблокувати зараз", "Розблокування")
    app.type_into("PIN-код", PIN)
    app.button("Розблокувати").click()


def _discard_draft(app: AppPage) -> None:
    """Delete the restored draft (the app is shared by this module's tests)."""
    app.button("Видалити чернетку").click()
    app.wait_text("Видалити чернетку?")
    app.button("Видалити").click()
    # While the dialog stands the form is out of the semantics tree: wait for it to go first.
    app.text("Видалити чернетку?").wait_for(state="detached")
    app.field("Прізвище сім'ї").wait_for()
    app.page.get_by_text(re.compile("^Відновлено чернетку від ")).first.wait_for(
        state="detached")
    app.page.locator("flt-semantics[aria-label='Назад']").click()
    app.wait_text("Сім'ї громади")
    app.page.get_by_text(re.compile("^Незбережена нова сім'я")).first.wait_for(
        state="detached")


def test_a_half_typed_family_is_offered_beside_the_form_on_a_laptop(ready_app: str,
                                                                      laptop: AppPage) -> None:
    app = laptop.open(ready_app)
    _unlock(app)
    app.button("Нова сім'я").click()
    app.type_into("Прізвище сім'ї", "Бондар")
    app.place("Сім'ї").click()
    app.page.get_by_text(re.compile("^Незбережена нова сім'я: Бондар")).first.wait_for()
    assert _small_targets(app) == [], _small_targets(app)
    app.shot("1-list-offers-draft")
    _lock_and_unlock(app)
    app.place("Сім'ї").click()
    app.page.get_by_text(re.compile("^Незбережена нова сім'я: Бондар")).first.click()
    app.page.get_by_text(re.compile("^Відновлено чернетку від ")).first.wait_for()
    _discard_draft(app)


def test_add_a_family_and_a_member_on_a_laptop(ready_app: str, laptop: AppPage) -> None:
    app = laptop.open(ready_app)
    _unlock(app)
    _add_family_and_member(app, "Шевчук", "Малин", "Богдан")
    # Two panes: the list beside the card.
    app.field("Пошук").wait_for()
    app.page.get_by_role("button", name=re.compile(r"Шевчук\s+Малин")).wait_for()
    app.shot("6-two-panes")
    assert _small_targets(app) == [], _small_targets(app)


# ---- a family with a history: what the card shows at both sizes ------------------------
def _history(store: LocalStore) -> None:
    """A family as months of work leave it, delivered as a sync delivers it (pulled)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    today = date.today()
    f = Family(community=C, family_name="Мельничук", settlement="Коростишів",
               address="вул. Героїв Небесної Сотні, 12, кв. 4", phone="+380 67 555 12 34",
               difficult_circumstances=True, displaced=True, assigned_worker="olena",
               consent_date=today - timedelta(days=40), consent_by="Мельничук Оксана Петрівна",
               next_visit_date=today - timedelta(days=3))
    kid = Person(community=C, family_id=f.id, last_name="Мельничук", first_name="Софія",
                 birth_date=today.replace(year=today.year - 7, day=min(today.day, 28)),
                 disability=True, special_educational_needs=True)
    baby = Person(community=C, family_id=f.id, last_name="Мельничук", first_name="Марко",
                  birth_date=today - timedelta(days=100))
    mum = Person(community=C, family_id=f.id, last_name="Мельничук", first_name="Оксана",
                 patronymic="Петрівна", role=PersonRole.PARENT)
    v1 = Visit(community=C, family_id=f.id, visited_at=now - timedelta(days=20),
               risk_level=RiskLevel.MEDIUM, author="olena", services=["002.0", "001.0"])
    v2 = Visit(community=C, family_id=f.id, visited_at=now - timedelta(days=2),
               risk_level=RiskLevel.HIGH, author="olena",
               services=["012.0", "002.0", "019.0"], place=VisitPlace.HOME)
    n1 = Note(community=C, family_id=f.id, author="olena", written_at=now - timedelta(days=10),
              text="Мати звернулася щодо оформлення допомоги на дітей; потрібна довідка з "
                   "місця проживання ВПО та консультація в ЦНАП наступного тижня.")
    n2 = Note(community=C, family_id=f.id, author="olena", written_at=now - timedelta(days=9),
              text="Виправлення: консультація в ЦНАП у четвер, не в понеділок.",
              corrects=n1.id)
    r1 = Review(community=C, target_kind=RecordKind.VISIT, target_id=v1.id,
                decision=ReviewDecision.APPROVED, reviewer="iryna",
                reviewed_at=now - timedelta(days=18))
    r2 = Review(community=C, target_kind=RecordKind.VISIT, target_id=v2.id,
                decision=ReviewDecision.RETURNED, reviewer="iryna",
                comment="Опишіть план безпеки для дітей.", reviewed_at=now - timedelta(days=1))
    conflict = Conflict(community=C, record_kind=RecordKind.FAMILY, record_id=f.id,
                        field="phone", winner_value="+380 67 555 12 34", winner_clock=_clock(),
                        winner_author="petro", loser_value="+380 50 111 22 33",
                        loser_clock=_clock(), loser_author="olena")
    models: list[Record] = [f, kid, baby, mum, v1, v2, n1, n2, r1, r2, conflict]
    server = HybridClock("server", max_drift_ms=None)
    changes = [RecordChange.of(
        m.id, m.KIND, m.community, i,
        {n: (v, server.now().encode(), "iryna")
         for n, v in m.model_dump(mode="json", exclude={"id", "community"}).items()})
        for i, m in enumerate(models, 1)]
    store.apply_pull(changes, {})


def _clock() -> str:
    return HybridClock("other", max_drift_ms=None).now().encode()


@pytest.fixture(scope="module")
def history_app(tmp_path_factory: pytest.TempPathFactory, sync_server: str) -> Iterator[str]:
    """The app over a device that already holds a family with a history."""
    from field_app.services.store_device import StoreDevice, sync_client_sign_in

    data_dir = tmp_path_factory.mktemp("history")
    device = StoreDevice(data_dir, sign_in=sync_client_sign_in)
    device.set_up(server_url=sync_server, username=USER, password=PASSWORD, pin=PIN)
    assert device.store is not None
    _history(device.store)
    device.store.close()
    with _serve_app(data_dir) as url:
        yield url


def _open_history(app: AppPage) -> None:
    _unlock(app)
    app.page.get_by_role("button", name=re.compile(r"Мельничук\s+Коростишів")).click()
    app.wait_text("Мельничук")
    app.wait_text("Конфлікти змін")


def _check_history(app: AppPage) -> None:
    """What the card says, wherever Flutter puts it (a tile merges its lines in one node)."""
    patterns = [
        r"Конфлікт змін: Телефон \(Мельничук\)", r"Ваше значення: \+380 50 111 22 33",
        r"Значення petro: \+380 67 555 12 34", r"СЖО — складні життєві обставини",
        r"Сім'я, у якій є ВПО", r"Відповідальний фахівець: ви \(olena\)",
        r"Наступний візит: \d\d\.\d\d\.\d{4} — прострочено",
        r"Надано \d\d\.\d\d\.\d{4}, надав\(ла\): Мельничук Оксана Петрівна",
        r"Мельничук Софія\s+дитина · 7 років, нар\. [\d.]+ · інвалідність · ООП",
        r"Мельничук Марко\s+дитина · 3 місяці, нар\.",
        r"Візит [\d.]+ [\d:]+, вдома\s+Ризик: високий\s+3 послуги\s+Автор: olena",
        r"Візит [\d.]+ [\d:]+, вдома\s+Ризик: середній\s+2 послуги",
        r"повернуто на доопрацювання щодо візиту [\d.]+ [\d:]+\s+"
        r"Коментар: Опишіть план безпеки для дітей\.",
        r"затверджено щодо візиту", r"Виправлення нотатки",
        r"Виправлено: нотатка [\d.]+ [\d:]+, olena",
    ]
    for pattern in patterns:
        app.page.get_by_text(re.compile(pattern)).first.wait_for(state="attached")


def test_a_family_with_a_history_on_a_phone(history_app: str, phone: AppPage) -> None:
    app = phone.open(history_app)
    _open_history(app)
    assert _small_targets(app) == [], _small_targets(app)
    app.shot("1-top")
    for step in range(2, 7):
        app.page.mouse.wheel(0, 520)
        app.page.wait_for_timeout(300)
        assert _small_targets(app) == [], (step, _small_targets(app))
        app.shot(f"{step}-scrolled")
    _check_history(app)


def test_a_family_with_a_history_on_a_laptop(history_app: str, laptop: AppPage) -> None:
    app = laptop.open(history_app)
    _open_history(app)
    assert _small_targets(app) == [], _small_targets(app)
    app.shot("1-top")
    app.page.mouse.move(900, 500)
    app.page.mouse.wheel(0, 700)
    app.shot("2-scrolled")
    _check_history(app)
