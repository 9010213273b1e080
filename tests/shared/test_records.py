"""Validation of the domain records: clear messages in Ukrainian and English, no garbage in."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared_models.changes import edit_state, edit_writes, model_from_state
from shared_models.clock import HLC
from shared_models.merge import merge_records
from shared_models.messages import field_errors
from shared_models.records import KINDS, Family, Note, Person, Review, Visit, field_names

NOW = datetime.now(UTC)
FAMILY = uuid.uuid4()


def errors(exc: pytest.ExceptionInfo[ValidationError], lang: str = "uk") -> dict[str, str]:
    return field_errors(exc.value, lang)


def visit(**kw: object) -> Visit:
    base: dict[str, object] = {"community": "malynska", "family_id": FAMILY,
                               "visited_at": NOW, "risk_level": "medium", "author": "olena"}
    return Visit(**{**base, **kw})


def test_a_valid_family_and_its_defaults() -> None:
    f = Family(community="malynska", family_name="  Коваленко ", settlement="Малин")
    assert f.family_name == "Коваленко"  # whitespace trimmed
    assert not f.deleted and not f.closed


def test_required_and_length_messages_are_plain_ukrainian() -> None:
    with pytest.raises(ValidationError) as info:
        Family(community="malynska", family_name="", settlement="М" * 101)
    assert errors(info) == {"family_name": "Заповніть це поле",
                            "settlement": "Не більше 100 символів"}
    assert errors(info, "en")["settlement"] == "At most 100 characters"


def test_unknown_community_and_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        Family(community="kyivska", family_name="А", settlement="Б", colour="red")
    msgs = errors(info)
    assert msgs["community"].startswith("Оберіть одне зі значень")
    assert msgs["colour"] == "Невідоме поле"


def test_birth_and_consent_dates_cannot_be_in_the_future() -> None:
    future = date.today() + timedelta(days=30)
    with pytest.raises(ValidationError) as info:
        Person(community="malynska", family_id=FAMILY, last_name="Іваненко", first_name="Оля",
               birth_date=future)
    assert errors(info)["birth_date"] == "Дата не може бути в майбутньому"
    with pytest.raises(ValidationError) as info:
        Family(community="malynska", family_name="А", settlement="Б", consent_date=future,
               consent_by="мати")
    assert errors(info)["consent_date"] == "Дата не може бути в майбутньому"


def test_consent_needs_both_date_and_who() -> None:
    with pytest.raises(ValidationError) as info:
        Family(community="malynska", family_name="А", settlement="Б", consent_date=date.today())
    assert "згоди" in errors(info)["__root__"]


def test_a_next_visit_date_may_be_in_the_future_but_not_before_the_visit() -> None:
    assert visit(next_visit_date=date.today() + timedelta(days=14)).next_visit_date
    with pytest.raises(ValidationError) as info:
        visit(next_visit_date=date.today() - timedelta(days=3))
    assert "раніше" in errors(info)["__root__"]


def test_visit_time_must_be_past_and_carry_a_time_zone() -> None:
    with pytest.raises(ValidationError) as info:
        visit(visited_at=NOW + timedelta(hours=3))
    assert errors(info)["visited_at"] == "Час не може бути в майбутньому"
    with pytest.raises(ValidationError) as info:
        visit(visited_at=datetime(2026, 11, 20, 10, 0))
    assert errors(info)["visited_at"] == "Потрібен час із часовим поясом"


def test_services_come_from_the_catalogue_once_each() -> None:
    assert visit(services=["002.0", "early-intervention"]).services
    with pytest.raises(ValidationError) as info:
        visit(services=["999.9"])
    assert errors(info)["services"] == "Невідома послуга: 999.9"
    with pytest.raises(ValidationError) as info:
        visit(services=["002.0", "002.0"])
    assert "двічі" in errors(info)["services"]


def test_risk_level_is_a_closed_list() -> None:
    with pytest.raises(ValidationError) as info:
        visit(risk_level="critical")
    assert "low" in errors(info)["risk_level"]


def test_control_characters_are_refused_but_newlines_in_text_are_fine() -> None:
    assert "\n" in visit(next_steps="1. Школа\n2. Лікар").next_steps
    with pytest.raises(ValidationError) as info:
        Family(community="malynska", family_name="А\x00", settlement="Б")
    assert errors(info)["family_name"] == "Текст містить недопустимі символи"


def test_returned_review_needs_a_comment_and_only_visits_or_notes_are_reviewed() -> None:
    base = {"community": "malynska", "target_id": uuid.uuid4(), "reviewer": "sup",
            "reviewed_at": NOW}
    assert Review(**base, target_kind="visit", decision="approved").comment == ""
    with pytest.raises(ValidationError) as info:
        Review(**base, target_kind="visit", decision="returned", comment="  ")
    assert "коментар" in errors(info)["__root__"]
    with pytest.raises(ValidationError):
        Review(**base, target_kind="family", decision="approved")


def test_a_note_cannot_correct_itself() -> None:
    nid = uuid.uuid4()
    with pytest.raises(ValidationError):
        Note(id=nid, community="malynska", family_id=FAMILY, text="т", written_at=NOW,
             author="olena", corrects=nid)


def test_phone_numbers() -> None:
    ok = Family(community="malynska", family_name="А", settlement="Б", phone="+380 (67) 123-45-67")
    assert ok.phone
    with pytest.raises(ValidationError) as info:
        Family(community="malynska", family_name="А", settlement="Б", phone="дзвонити сусідці")
    assert "Номер телефону" in errors(info)["phone"]


def test_person_name_and_age() -> None:
    p = Person(community="malynska", family_id=FAMILY, last_name="Шевченко", first_name="Тарас",
               birth_date=date(2015, 3, 9))
    assert p.display_name() == "Шевченко Тарас"
    assert p.age(date(2026, 3, 8)) == 10
    assert p.age(date(2026, 3, 9)) == 11


def test_edit_writes_only_changed_fields_superseding_what_was_seen() -> None:
    fam = Family(community="malynska", family_name="Коваленко", settlement="Малин")
    c1 = HLC(1_000, 0, "dev").encode()
    created = edit_state(fam, None, clock=c1, author="olena")
    assert created is not None and set(created.fields) == field_names("family")
    edited = fam.model_copy(update={"settlement": "Ворсівка"})
    writes = edit_writes(edited, created, clock=HLC(2_000, 0, "dev").encode(), author="olena")
    assert list(writes) == ["settlement"]
    assert writes["settlement"].supersedes == (c1,)
    assert edit_state(fam, created, clock=HLC(3_000, 0, "dev").encode(), author="o") is None
    merged = merge_records(created, edit_state(edited, created, clock=HLC(2_000, 0, "dev")
                                               .encode(), author="olena"))
    assert model_from_state(merged) == edited


def test_every_kind_has_a_model() -> None:
    assert {k.value for k in KINDS} == {"family", "person", "visit", "note", "review", "conflict",
                                      "placement", "case", "assessment", "plan_task"}
