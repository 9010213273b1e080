"""Our own translation table (Ukrainian first, English) and Ukrainian ways of writing dates.

Flet has no i18n system: every string the app shows comes from ``UK`` / ``EN`` here, looked up
with ``Translator.t(key, **params)``. Material widgets (date pickers, the back button's
tooltip) follow ``page.locale_configuration``, which ``flet_locale`` gives per language.

Each Flet session (a browser tab in web mode) holds its own ``Translator``; there is no
process-wide language (two tabs may read two languages).

Dates are written as Ukrainians write them — ``22.11.2026``, 24-hour time ``14:05`` — by
``field_app.dates`` (re-exported here for the screens), and names as "Прізвище Ім'я". Enum
labels live under ``enum.<EnumName>.<value>``; communities and services carry their own names
(``name(lang)``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import Enum
from typing import Final

# Re-exported: the screens format dates and times through this module.
from field_app.dates import format_date, format_datetime, format_time  # noqa: F401
from shared_models.communities import community as _community
from shared_models.services import catalogue_order
from shared_models.services import service as _service

log = logging.getLogger(__name__)

LANGUAGES: Final = ("uk", "en")
DEFAULT_LANGUAGE: Final = "uk"
#: Locale (language, country) of each UI language, for ``page.locale_configuration``.
LOCALES: Final = {"uk": ("uk", "UA"), "en": ("en", "GB")}

UK: dict[str, str] = {
    "app.title": "Поруч",
    "common.back": "Назад",
    "common.close": "Закрити",
    "common.save": "Зберегти",
    "common.cancel": "Скасувати",
    "common.working": "Зачекайте…",
    "common.show_secret": "Показати",
    "common.hide_secret": "Приховати",
    "common.not_ready": "Цей розділ з'явиться в наступній версії застосунку.",
    # Places and routes
    "nav.families": "Сім'ї",
    "nav.visits": "Візити",
    "nav.sync": "Синхронізація",
    "nav.more": "Більше",
    "families.title": "Сім'ї громади",
    "families.title_many": "Сім'ї {n} громад",
    "families.search": "Пошук",
    "families.search_hint": "Прізвище або населений пункт",
    "families.empty": "На цьому телефоні ще немає сімей.",
    "families.empty_hint": "Сім'ї вашої громади з'являться після синхронізації.",
    "families.empty_hint_many": "Сім'ї ваших громад з'являться після синхронізації.",
    "families.choose": "Оберіть сім'ю зі списку, щоб побачити її картку.",
    "families.none_yet": "Сімей ще немає",
    "families.none_yet_hint": ("Додайте першу кнопкою «Нова сім'я» або синхронізуйте "
                               "телефон, щоб отримати сім'ї з сервера."),
    "families.filter.all": "Усі",
    "families.filter.mine": "Мої",
    "families.filter.due": "Візит скоро",
    "families.filter.overdue": "Прострочені",
    "families.filter.closed": "Випадок закрито",
    "families.next_visit": "Наступний візит {date}",
    "families.no_visit": "Візит не заплановано",
    "families.overdue": "прострочено",
    "families.due": "скоро",
    "families.unsynced": "Збережено на телефоні, ще не надіслано",
    "families.more": "Показати ще",
    "families.pending_draft": "Незбережена нова сім'я",
    "families.pending_draft_named": "Незбережена нова сім'я: {name}",
    "families.pending_draft_hint": "Чернетка від {when}. Торкніться, щоб продовжити.",
    "families.none_found": "Нічого не знайдено",
    "families.none_found_hint": "Змініть пошук або фільтр.",
    "family.title": "Картка сім'ї",
    "visits.title": "Заплановані візити",
    "visits.empty": "Немає візитів, які треба провести найближчим часом.",
    "visit.title": "Візит до сім'ї",
    "note.title": "Нотатка",
    "review.title": "Перевірка супервізора",
    "more.title": "Більше",
    "more.settings": "Налаштування",
    "more.review": "Повернуті на доопрацювання",
    "more.lock": "Заблокувати зараз",
    "more.user": "Ви увійшли як {username}",
    "not_found.title": "Сторінку не знайдено",
    "not_found.body": "Такої сторінки немає: {route}",
    "not_found.home": "До списку сімей",
    # Sync status
    "sync.title": "Синхронізація",
    "sync.online": "Сервер доступний",
    "sync.offline": "Немає зв'язку з сервером",
    "sync.unknown": "Зв'язок із сервером ще не перевірено",
    "sync.syncing": "Триває синхронізація…",
    "sync.error": "Синхронізація не вдалася: {message}",
    "sync.pending.one": "{n} зміна чекає надсилання",
    "sync.pending.few": "{n} зміни чекають надсилання",
    "sync.pending.many": "{n} змін чекають надсилання",
    "sync.all_sent": "Усі зміни надіслано на сервер",
    "sync.last": "Остання синхронізація: {when}",
    "sync.never": "Синхронізації ще не було",
    "sync.now": "Синхронізувати зараз",
    "sync.done": "Надіслано змін: {pushed}, отримано: {pulled}.",
    "sync.indicator": "Стан синхронізації. {state}. {pending}",
    "sync.saved_here": "Збережено на цьому телефоні",
    "sync.sent": "Надіслано на сервер",
    # First start
    "setup.title": "Перший запуск",
    "setup.intro": ("Підключіть телефон до сервера громади та оберіть PIN-код. "
                    "PIN-код захищає дані сімей на цьому телефоні."),
    "setup.server": "Адреса сервера",
    "setup.server_hint": "https://poruch.zt.gov.ua",
    "setup.username": "Логін",
    "setup.password": "Пароль",
    "setup.pin": "Новий PIN-код",
    "setup.pin_help": "Щонайменше 6 цифр, не 123456 і не 111111",
    "setup.pin_repeat": "Повторіть PIN-код",
    "setup.language": "Мова",
    "setup.submit": "Підключити",
    "setup.working": "Підключення та шифрування даних…",
    "setup.check_errors": "Виправте позначені поля.",
    # Unlock
    "unlock.title": "Розблокування",
    "unlock.intro": "Дані на цьому телефоні зашифровано. Введіть свій PIN-код.",
    "unlock.pin": "PIN-код",
    "unlock.submit": "Розблокувати",
    "unlock.working": "Перевірка PIN-коду…",
    "unlock.wrong": "Неправильний PIN-код.",
    "unlock.wait": "Зачекайте {seconds} с перед наступною спробою.",
    "unlock.attempts_left": "Залишилось спроб: {left}.",
    "unlock.wipe_warning": ("Увага: після ще {left} неправильних спроб усі дані на цьому телефоні "
                            "буде стерто. Ненадісланих змін: {pending} — їх буде втрачено."),
    "unlock.wiped": ("Після забагатьох неправильних спроб дані на цьому телефоні стерто. "
                     "Підключіть телефон до сервера знову."),
    "unlock.empty": "Введіть PIN-код",
    "unlock.secret_missing": ("Ключ захисту цього телефону зараз недоступний, тому дані не "
                              "відкриваються. Спробу не зараховано. Закрийте застосунок і "
                              "відкрийте знову; якщо не допоможе — зверніться до супервізора."),
    "setup.keystore_failed": ("Телефон не зберіг ключ захисту даних. Перезапустіть телефон і "
                              "спробуйте ще раз."),
    # Settings
    "settings.title": "Налаштування",
    "settings.language": "Мова інтерфейсу",
    "settings.lock_timeout": "Автоблокування після бездіяльності",
    "settings.minutes": "{n} хв",
    "settings.theme": "Оформлення",
    "settings.theme.system": "Як у системі",
    "settings.theme.light": "Світле",
    "settings.theme.dark": "Темне",
    "settings.change_pin": "Змінити PIN-код",
    "settings.sign_out": "Вийти з облікового запису",
    "settings.saved": "Налаштування збережено",
    "lang.uk": "Українська",
    "lang.en": "English",
    # Validation of our own forms (record validation messages come from shared_models.messages)
    "err.required": "Обов'язкове поле",
    "err.date": "Неправильна дата (ДД.ММ.РРРР)",
    "err.server_url": "Вкажіть адресу сервера, наприклад https://poruch.zt.gov.ua",
    "err.server_scheme": "Адреса має починатися з https:// (http:// — лише в локальній мережі)",
    "err.pin_short": "PIN-код має містити щонайменше {min} цифр",
    "err.pin_digits": "PIN-код — лише цифри; фраза-пароль — щонайменше {min} символів",
    "err.pin_trivial": "Занадто простий PIN-код: уникайте повторів і послідовностей",
    "err.too_long": "Не більше {max} символів",
    "err.passphrase_trivial": "Фраза-пароль надто проста: використайте різні символи",
    "err.edge_whitespace": "Приберіть пробіли на початку й у кінці",
    "err.same_pin": "Новий PIN-код має відрізнятися від старого",
    "err.pin_other": "Цей PIN-код не можна обрати. Оберіть інший",
    "err.pin_mismatch": "PIN-коди не збігаються",
    "err.unexpected": "Сталася помилка: {detail}",
    "err.sign_in_failed": "Не вдалося увійти. Перевірте адресу сервера, логін і пароль.",
    "err.locked": "Спершу розблокуйте застосунок PIN-кодом.",
    "err.sign_in_missing": "Вхід на сервер ще не входить до цієї збірки застосунку.",
    # Enum labels (shared_models.enums)
    "enum.RiskLevel.low": "низький",
    "enum.RiskLevel.medium": "середній",
    "enum.RiskLevel.high": "високий",
    "enum.PersonRole.child": "дитина",
    "enum.PersonRole.parent": "батько або мати",
    "enum.PersonRole.guardian": "опікун або піклувальник",
    "enum.PersonRole.foster_carer": "патронатний вихователь",
    "enum.PersonRole.relative": "родич",
    "enum.PersonRole.other": "інше",
    "enum.Sex.female": "жіноча",
    "enum.Sex.male": "чоловіча",
    "enum.VisitPlace.home": "вдома",
    "enum.VisitPlace.centre": "у центрі надання послуг",
    "enum.VisitPlace.school": "у закладі освіти",
    "enum.VisitPlace.phone": "телефоном",
    "enum.VisitPlace.other": "в іншому місці",
    "enum.ReviewDecision.approved": "затверджено",
    "enum.ReviewDecision.returned": "повернуто на доопрацювання",
    "enum.ConflictStatus.open": "не вирішено",
    "enum.ConflictStatus.resolved": "вирішено",
    "enum.Role.social_worker": "фахівець із соціальної роботи",
    "enum.Role.supervisor": "супервізор",
    "enum.Role.coordinator": "координатор",
    "enum.Role.admin": "адміністратор",
    "enum.RecordKind.family": "сім'я",
    "enum.RecordKind.person": "член сім'ї",
    "enum.RecordKind.visit": "візит",
    "enum.RecordKind.note": "нотатка",
    "enum.RecordKind.review": "рішення супервізора",
    "enum.RecordKind.conflict": "конфлікт змін",
    "enum.RecordKind.placement": "влаштування в патронатну сім'ю",
    "enum.PlacementOutcome.returned_home": "повернення до рідної сім'ї",
    "enum.PlacementOutcome.next_placement": "інша форма влаштування",
    "enum.PlacementOutcome.other": "інше",
    "risk.label": "Ризик: {level}",
}

EN: dict[str, str] = {
    "app.title": "Poruch",
    "common.back": "Back",
    "common.close": "Close",
    "common.save": "Save",
    "common.cancel": "Cancel",
    "common.working": "Please wait…",
    "common.show_secret": "Show",
    "common.hide_secret": "Hide",
    "common.not_ready": "This section comes in the next version of the app.",
    "nav.families": "Families",
    "nav.visits": "Visits",
    "nav.sync": "Sync",
    "nav.more": "More",
    "families.title": "Families of the community",
    "families.title_many": "Families of {n} communities",
    "families.search": "Search",
    "families.search_hint": "Family name or settlement",
    "families.empty": "There are no families on this phone yet.",
    "families.empty_hint": "Your community's families appear after a sync.",
    "families.empty_hint_many": "Your communities' families appear after a sync.",
    "families.choose": "Choose a family in the list to see its card.",
    "families.none_yet": "No families yet",
    "families.none_yet_hint": ("Add the first one with the “New family” button, or sync "
                               "the phone to get families from the server."),
    "families.filter.all": "All",
    "families.filter.mine": "Mine",
    "families.filter.due": "Visit soon",
    "families.filter.overdue": "Overdue",
    "families.filter.closed": "Case closed",
    "families.next_visit": "Next visit {date}",
    "families.no_visit": "No visit planned",
    "families.overdue": "overdue",
    "families.due": "soon",
    "families.unsynced": "Saved on this phone, not sent yet",
    "families.more": "Show more",
    "families.pending_draft": "Unsaved new family",
    "families.pending_draft_named": "Unsaved new family: {name}",
    "families.pending_draft_hint": "Draft of {when}. Tap to continue.",
    "families.none_found": "Nothing found",
    "families.none_found_hint": "Change the search or the filter.",
    "family.title": "Family card",
    "visits.title": "Due visits",
    "visits.empty": "No visits are due soon.",
    "visit.title": "Home visit",
    "note.title": "Note",
    "review.title": "Supervisor review",
    "more.title": "More",
    "more.settings": "Settings",
    "more.review": "Returned for changes",
    "more.lock": "Lock now",
    "more.user": "Signed in as {username}",
    "not_found.title": "Page not found",
    "not_found.body": "There is no such page: {route}",
    "not_found.home": "Back to the families",
    "sync.title": "Sync",
    "sync.online": "The server can be reached",
    "sync.offline": "No connection to the server",
    "sync.unknown": "The connection has not been checked yet",
    "sync.syncing": "Syncing…",
    "sync.error": "Sync failed: {message}",
    "sync.pending.one": "{n} change waits to be sent",
    "sync.pending.few": "{n} changes wait to be sent",
    "sync.pending.many": "{n} changes wait to be sent",
    "sync.all_sent": "Every change has been sent to the server",
    "sync.last": "Last sync: {when}",
    "sync.never": "Not synced yet",
    "sync.now": "Sync now",
    "sync.done": "Changes sent: {pushed}, received: {pulled}.",
    "sync.indicator": "Sync status. {state}. {pending}",
    "sync.saved_here": "Saved on this phone",
    "sync.sent": "Sent to the server",
    "setup.title": "First start",
    "setup.intro": ("Connect this phone to your community's server and choose a PIN. "
                    "The PIN protects the families' data on this phone."),
    "setup.server": "Server address",
    "setup.server_hint": "https://poruch.zt.gov.ua",
    "setup.username": "Username",
    "setup.password": "Password",
    "setup.pin": "New PIN",
    "setup.pin_help": "At least 6 digits, not 123456 or 111111",
    "setup.pin_repeat": "Repeat the PIN",
    "setup.language": "Language",
    "setup.submit": "Connect",
    "setup.working": "Connecting and encrypting the data…",
    "setup.check_errors": "Please correct the marked fields.",
    "unlock.title": "Unlock",
    "unlock.intro": "The data on this phone is encrypted. Enter your PIN.",
    "unlock.pin": "PIN",
    "unlock.submit": "Unlock",
    "unlock.working": "Checking the PIN…",
    "unlock.wrong": "Wrong PIN.",
    "unlock.wait": "Wait {seconds} s before the next try.",
    "unlock.attempts_left": "Tries left: {left}.",
    "unlock.wipe_warning": ("Warning: after {left} more wrong tries all data on this phone will "
                            "be erased. Unsent changes: {pending} — they would be lost."),
    "unlock.wiped": ("After too many wrong tries the data on this phone was erased. "
                     "Connect the phone to the server again."),
    "unlock.empty": "Enter your PIN",
    "unlock.secret_missing": ("This phone's protection key is not available right now, so the "
                              "data does not open. The try was not counted. Close the app and "
                              "open it again; if that does not help, call your supervisor."),
    "setup.keystore_failed": ("The phone did not keep the data protection key. Restart the "
                              "phone and try again."),
    "settings.title": "Settings",
    "settings.language": "Language",
    "settings.lock_timeout": "Lock after inactivity",
    "settings.minutes": "{n} min",
    "settings.theme": "Appearance",
    "settings.theme.system": "As the system",
    "settings.theme.light": "Light",
    "settings.theme.dark": "Dark",
    "settings.change_pin": "Change PIN",
    "settings.sign_out": "Sign out",
    "settings.saved": "Settings saved",
    "lang.uk": "Українська",
    "lang.en": "English",
    "err.required": "This field is required",
    "err.date": "Not a valid date (DD.MM.YYYY)",
    "err.server_url": "Enter the server address, for example https://poruch.zt.gov.ua",
    "err.server_scheme": "The address must start with https:// (http:// only on a local network)",
    "err.pin_short": "The PIN needs at least {min} digits",
    "err.pin_digits": "A PIN is digits only; a passphrase has at least {min} characters",
    "err.pin_trivial": "This PIN is too easy to guess: avoid repeats and sequences",
    "err.too_long": "At most {max} characters",
    "err.passphrase_trivial": "The passphrase is too simple: use different characters",
    "err.edge_whitespace": "Remove the spaces at the start and the end",
    "err.same_pin": "The new PIN must differ from the old one",
    "err.pin_other": "This PIN cannot be chosen. Please choose another",
    "err.pin_mismatch": "The PINs do not match",
    "err.unexpected": "Something went wrong: {detail}",
    "err.sign_in_failed": "Could not sign in. Check the server address, username and password.",
    "err.locked": "Unlock the app with your PIN first.",
    "err.sign_in_missing": "Signing in to the server is not part of this build of the app yet.",
    "enum.RiskLevel.low": "low",
    "enum.RiskLevel.medium": "medium",
    "enum.RiskLevel.high": "high",
    "enum.PersonRole.child": "child",
    "enum.PersonRole.parent": "parent",
    "enum.PersonRole.guardian": "guardian",
    "enum.PersonRole.foster_carer": "foster carer",
    "enum.PersonRole.relative": "relative",
    "enum.PersonRole.other": "other",
    "enum.Sex.female": "female",
    "enum.Sex.male": "male",
    "enum.VisitPlace.home": "at home",
    "enum.VisitPlace.centre": "at the service centre",
    "enum.VisitPlace.school": "at school",
    "enum.VisitPlace.phone": "by phone",
    "enum.VisitPlace.other": "elsewhere",
    "enum.ReviewDecision.approved": "approved",
    "enum.ReviewDecision.returned": "returned for changes",
    "enum.ConflictStatus.open": "open",
    "enum.ConflictStatus.resolved": "resolved",
    "enum.Role.social_worker": "social worker",
    "enum.Role.supervisor": "supervisor",
    "enum.Role.coordinator": "coordinator",
    "enum.Role.admin": "administrator",
    "enum.RecordKind.family": "family",
    "enum.RecordKind.person": "family member",
    "enum.RecordKind.visit": "visit",
    "enum.RecordKind.note": "note",
    "enum.RecordKind.review": "supervisor's decision",
    "enum.RecordKind.conflict": "edit conflict",
    "enum.RecordKind.placement": "foster-care placement",
    "enum.PlacementOutcome.returned_home": "returned to the child's own family",
    "enum.PlacementOutcome.next_placement": "another form of care",
    "enum.PlacementOutcome.other": "other",
    "risk.label": "Risk: {level}",
}



def _merge_area_tables() -> None:
    """Add the per-area tables of ``field_app.texts``; a key defined twice is a bug."""
    from field_app.texts import TABLES as AREAS  # noqa: PLC0415  (they import nothing of field_app)

    for module in AREAS:
        for base, extra in ((UK, module.UK), (EN, module.EN)):
            twice = set(base) & set(extra)
            if twice:
                raise RuntimeError(f"{module.__name__} redefines {sorted(twice)}")
            base.update(extra)


_merge_area_tables()
TABLES: Final = {"uk": UK, "en": EN}


def plural_category(lang: str, n: int) -> str:
    """CLDR plural category of ``n``: "one", "few" or "many" (English uses one/many)."""
    n = abs(n)
    if lang != "uk":
        return "one" if n == 1 else "many"
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


class Translator:
    """Strings, dates and labels in one UI language; change ``lang`` to switch."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self._lang = DEFAULT_LANGUAGE
        self.lang = lang

    @property
    def lang(self) -> str:
        """The current language code, "uk" or "en"."""
        return self._lang

    @lang.setter
    def lang(self, value: str) -> None:
        if value not in TABLES:
            raise ValueError(f"unsupported language: {value!r}")
        self._lang = value

    def t(self, key: str, **params: object) -> str:
        """The text of ``key`` with ``{placeholders}`` filled; the key itself if unknown."""
        template = TABLES[self._lang].get(key)
        if template is None:
            log.warning("missing translation %s/%s", self._lang, key)
            template = UK.get(key, key)
        return template.format(**params) if params else template

    def plural(self, key: str, n: int, **params: object) -> str:
        """``key.one`` / ``key.few`` / ``key.many`` chosen for ``n``, with ``{n}`` filled."""
        return self.t(f"{key}.{plural_category(self._lang, n)}", n=n, **params)

    def label(self, member: Enum) -> str:
        """The label of an enum member of ``shared_models.enums``."""
        return self.t(f"enum.{type(member).__name__}.{member.value}")

    def community(self, code: str) -> str:
        """A community's name in this language."""
        return _community(code).name(self._lang)

    def service(self, key: str) -> str:
        """A service's name in this language."""
        return _service(key).name(self._lang)

    def service_label(self, key: str) -> str:
        """How a service reads everywhere (chips, the visit, the review): its classifier
        code, then its name; a key not in the catalogue as it is."""
        try:
            found = _service(key)
        except KeyError:
            return key
        name = found.name(self._lang)
        return f"{found.code} {name}" if found.code else name

    def service_labels(self, keys: Iterable[str]) -> list[str]:
        """A visit's services as labels, in the catalogue's order (one order on every screen)."""
        return [self.service_label(k) for k in catalogue_order(keys)]

    def flet_locale(self) -> tuple[str, str]:
        """(language, country) for Material widgets, e.g. ("uk", "UA")."""
        return LOCALES[self._lang]


def format_name(last_name: str, first_name: str, patronymic: str | None = None) -> str:
    """A person's name as Ukrainians write it: "Прізвище Ім'я" (and "По батькові" if given)."""
    return " ".join(p for p in (last_name.strip(), first_name.strip(), (patronymic or "").strip())
                    if p)

