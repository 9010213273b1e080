"""The translation table is complete in both languages, and dates/names are written our way."""

import re
import string
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import field_app
from field_app import i18n
from field_app.i18n import (
    EN,
    UK,
    Translator,
    format_date,
    format_datetime,
    format_name,
    format_time,
    plural_category,
)
from shared_models import enums
from shared_models.communities import COMMUNITIES
from shared_models.services import SERVICES

KYIV_WINTER = timezone(timedelta(hours=2))


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_in_both_languages() -> None:
    assert set(UK) - set(EN) == set(), "missing in English"
    assert set(EN) - set(UK) == set(), "missing in Ukrainian"


def test_placeholders_match() -> None:
    mismatched = {k: (_placeholders(UK[k]), _placeholders(EN[k])) for k in UK
                  if _placeholders(UK[k]) != _placeholders(EN[k])}
    assert mismatched == {}


def test_no_empty_or_untranslated_ukrainian() -> None:
    assert [k for k, v in {**UK, **EN}.items() if not v.strip()] == []
    # Ukrainian strings are in Ukrainian (language names and the sample address excepted).
    latin_only = [k for k, v in UK.items() if not re.search("[а-яіїєґА-ЯІЇЄҐ]", v)
                  and k not in {"lang.en", "setup.server_hint"}]
    assert latin_only == []


def test_every_enum_member_has_a_label() -> None:
    tr_uk, tr_en = Translator("uk"), Translator("en")
    for enum_cls in (enums.RecordKind, enums.Role, enums.RiskLevel, enums.PersonRole,
                     enums.Sex, enums.VisitPlace, enums.ReviewDecision, enums.ConflictStatus,
                     enums.PlacementOutcome):
        for member in enum_cls:
            key = f"enum.{enum_cls.__name__}.{member.value}"
            assert key in UK, key
            assert tr_uk.label(member) == UK[key]
            assert tr_en.label(member) == EN[key]


def test_risk_words() -> None:
    tr = Translator("uk")
    assert [tr.label(r) for r in enums.RiskLevel] == ["низький", "середній", "високий"]
    tr.lang = "en"
    assert [tr.label(r) for r in enums.RiskLevel] == ["low", "medium", "high"]


def test_keys_used_in_the_code_exist() -> None:
    """Every string literal in ui/ and services/ that looks like one of our keys is one."""
    namespaces = "|".join(sorted({k.split(".")[0] for k in UK}))
    literal = re.compile(rf"""["']((?:{namespaces})\.[a-z_]+(?:\.[a-z_]+)*)["']""")
    root = Path(field_app.__file__).parent
    used: set[str] = set()
    for path in [*root.joinpath("ui").rglob("*.py"), *root.joinpath("services").rglob("*.py")]:
        used |= set(literal.findall(path.read_text(encoding="utf-8")))
    plural_bases = {k.rsplit(".", 1)[0] for k in UK if k.endswith(".many")}
    not_keys = {"settings.json"}  # a file name
    missing = {k for k in used if k not in UK and k not in plural_bases} - not_keys
    assert used, "the scan found no keys at all"
    assert missing == set()


def test_plural_keys_complete() -> None:
    for base in {k.rsplit(".", 1)[0] for k in UK if k.endswith((".one", ".few", ".many"))}:
        assert {f"{base}.{c}" for c in ("one", "few", "many")} <= set(UK), base


@pytest.mark.parametrize(("n", "category"), [
    (0, "many"), (1, "one"), (2, "few"), (4, "few"), (5, "many"), (11, "many"), (12, "many"),
    (14, "many"), (21, "one"), (22, "few"), (25, "many"), (101, "one"), (111, "many"),
])
def test_ukrainian_plurals(n: int, category: str) -> None:
    assert plural_category("uk", n) == category


def test_plural_text() -> None:
    tr = Translator("uk")
    assert tr.plural("sync.pending", 1) == "1 зміна чекає надсилання"
    assert tr.plural("sync.pending", 3) == "3 зміни чекають надсилання"
    assert tr.plural("sync.pending", 11) == "11 змін чекають надсилання"
    tr.lang = "en"
    assert tr.plural("sync.pending", 1) == "1 change waits to be sent"
    assert tr.plural("sync.pending", 2) == "2 changes wait to be sent"


def test_dates_as_ukrainians_write_them() -> None:
    assert format_date(date(2026, 11, 22)) == "22.11.2026"
    assert format_date(date(2026, 3, 5)) == "05.03.2026"
    moment = datetime(2026, 11, 22, 12, 5, tzinfo=UTC)
    assert format_time(moment, KYIV_WINTER) == "14:05"
    assert format_datetime(moment, KYIV_WINTER) == "22.11.2026 14:05"
    assert format_datetime(datetime(2026, 11, 22, 22, 30, tzinfo=UTC), KYIV_WINTER) == (
        "23.11.2026 00:30")


def test_names_family_name_first() -> None:
    assert format_name("Коваленко", "Олена") == "Коваленко Олена"
    assert format_name(" Коваленко ", "Олена", "Петрівна") == "Коваленко Олена Петрівна"


def test_communities_and_services_by_language() -> None:
    tr = Translator("uk")
    code = next(iter(COMMUNITIES))
    assert tr.community(code) == COMMUNITIES[code].name_uk
    assert tr.service("002.0") == SERVICES["002.0"].name_uk
    tr.lang = "en"
    assert tr.community(code) == COMMUNITIES[code].name_en
    assert tr.service("002.0") == "Counselling"


def test_translator_switch_and_unknown() -> None:
    tr = Translator()
    assert tr.lang == "uk"
    assert tr.t("nav.families") == "Сім'ї"
    tr.lang = "en"
    assert tr.t("nav.families") == "Families"
    assert tr.t("more.user", username="olena") == "Signed in as olena"
    assert tr.flet_locale() == ("en", "GB")
    with pytest.raises(ValueError, match="unsupported"):
        tr.lang = "ru"


def test_unknown_key_shows_the_key_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    assert Translator().t("no.such.key") == "no.such.key"
    assert "no.such.key" in caplog.text


def test_no_process_wide_language() -> None:
    # Each session translates with its own Translator: two tabs may read two languages.
    assert not hasattr(i18n, "set_language") and not hasattr(i18n, "t")
    assert Translator("en").t("nav.more") == "More" and Translator().t("nav.more") == "Більше"
