"""Readable validation messages in Ukrainian (first) and English, from one table.

Our own validators raise ``PydanticCustomError`` with a code from ``MESSAGES``; pydantic's
built-in checks (lengths, enums, missing fields) are mapped by their error type. The UI shows
``explain(error, lang)`` next to the field; the server puts the same text in its 422 answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

#: code -> (Ukrainian, English); ``{name}`` placeholders come from the error's context.
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Обов'язкове поле", "This field is required"),
    "string_too_short": ("Заповніть це поле", "Please fill in this field"),
    "string_too_long": ("Не більше {max_length} символів", "At most {max_length} characters"),
    "too_long": ("Не більше {max_length} елементів", "At most {max_length} items"),
    "enum": ("Оберіть одне зі значень: {expected}", "Choose one of: {expected}"),
    "literal_error": ("Оберіть одне зі значень: {expected}", "Choose one of: {expected}"),
    "date_from_datetime_parsing": ("Неправильна дата", "Not a valid date"),
    "date_parsing": ("Неправильна дата (ДД.ММ.РРРР)", "Not a valid date"),
    "date_type": ("Неправильна дата", "Not a valid date"),
    "datetime_parsing": ("Неправильні дата й час", "Not a valid date and time"),
    "datetime_type": ("Неправильні дата й час", "Not a valid date and time"),
    "uuid_parsing": ("Неправильний ідентифікатор", "Not a valid identifier"),
    "uuid_type": ("Неправильний ідентифікатор", "Not a valid identifier"),
    "bool_parsing": ("Має бути так або ні", "Must be yes or no"),
    "bool_type": ("Має бути так або ні", "Must be yes or no"),
    "string_type": ("Має бути текст", "Must be text"),
    "extra_forbidden": ("Невідоме поле", "Unknown field"),
    "date_in_future": ("Дата не може бути в майбутньому", "The date cannot be in the future"),
    "date_too_old": ("Дата надто давня", "The date is too far in the past"),
    "date_too_far": ("Дата надто далека: не пізніше 31.12.2099",
                     "The date is too far ahead: 31.12.2099 at the latest"),
    "greater_than_equal": ("Не менше ніж {ge}", "At least {ge}"),
    "less_than_equal": ("Не більше ніж {le}", "At most {le}"),
    "int_parsing": ("Має бути ціле число", "Must be a whole number"),
    "int_from_float": ("Має бути ціле число", "Must be a whole number"),
    "time_in_future": ("Час не може бути в майбутньому", "The time cannot be in the future"),
    "timezone_required": ("Потрібен час із часовим поясом", "A time zone is required"),
    "control_chars": ("Текст містить недопустимі символи", "The text contains invalid characters"),
    "bad_phone": ("Номер телефону: цифри, +, дужки, дефіс (7–20 знаків)",
                  "Phone number: digits, +, brackets, dashes (7-20 characters)"),
    "unknown_community": ("Невідома громада", "Unknown community"),
    "unknown_service": ("Невідома послуга: {service}", "Unknown service: {service}"),
    "duplicate_service": ("Послуга вказана двічі: {service}", "Service listed twice: {service}"),
    "next_visit_before_visit": ("Наступний візит не може бути раніше цього",
                                "The next visit cannot be before this one"),
    "comment_required": ("Вкажіть коментар: що треба виправити",
                         "Add a comment saying what to change"),
    "consent_incomplete": ("Вкажіть і дату згоди, і хто її надав",
                           "Give both the date of consent and who gave it"),
    "placement_end_before_start": ("Дата завершення раніше дати початку",
                                   "The end date is before the start date"),
    "placement_planned_end": ("Запланована дата завершення має бути після дати початку",
                              "The planned end must be after the start date"),
    "placement_over_limit": (
        "Не пізніше {limit}: патронат триває до {months} місяців від початку",
        "No later than {limit}: foster care lasts up to {months} months from the start"),
    "placement_extension_incomplete": (
        "Вкажіть і дату рішення органу опіки та піклування, і нову дату завершення",
        "Give both the date of the guardianship authority's decision and the new end date"),
    "placement_extension_not_later": (
        "Продовжений строк має бути пізніше запланованого завершення",
        "The extended end must be later than the planned end"),
    "placement_decision_before_start": ("Рішення не може бути раніше початку патронату",
                                        "The decision cannot be before the placement started"),
    "placement_outcome_incomplete": ("Вкажіть і дату завершення, і результат",
                                     "Give both the end date and the outcome"),
    "placement_not_foster_family": ("Ця сім'я не позначена як патронатна",
                                    "This family is not marked as a foster family"),
    "placement_reference_missing": ("Такого запису немає в цій громаді",
                                    "No such record in this community"),
    "reference_missing": ("Такого запису немає на сервері в цій громаді",
                          "No such record of this community on the server"),
    "placement_same_family": ("Патронатна сім'я не може бути рідною сім'єю дитини",
                              "The foster family cannot be the child's own family"),
    "bad_clock": ("Неправильна позначка часу синхронізації", "Not a valid sync clock"),
    "self_reference": ("Запис не може посилатися сам на себе", "A record cannot refer to itself"),
    "duplicate_choice": ("Значення вказано двічі", "A value is listed twice"),
    "case_before_request": ("Дата не може бути раніше дати звернення",
                            "The date cannot be before the request"),
    "case_before_support": ("Рішення не може бути раніше початку супроводу",
                            "The decision cannot be before the support started"),
    "case_support_incomplete": ("Вкажіть і дату початку супроводу, і заплановане завершення",
                                "Give both the start of support and its planned end"),
    "case_end_before_start": ("Завершення має бути пізніше початку супроводу",
                              "The end must be after the start of support"),
    "case_over_limit": (
        "Не пізніше {limit}: соціальний супровід триває до {months} місяців від початку",
        "No later than {limit}: social support lasts up to {months} months from the start"),
    "case_extension_incomplete": ("Вкажіть і дату рішення про продовження, і нову дату завершення",
                                  "Give both the date of the extension decision and the new end"),
    "case_extension_without_support": ("Продовжити можна лише розпочатий супровід",
                                       "Only support that has started can be extended"),
    "case_extension_not_later": ("Продовжений строк має бути пізніше запланованого завершення",
                                 "The extended end must be later than the planned end"),
    "case_closure_incomplete": ("Вкажіть і дату закриття випадку, і причину",
                                "Give both the date the case is closed and the reason"),
    "case_already_open": ("У сім'ї вже є відкритий випадок: закрийте його, перш ніж відкрити новий",
                          "The family already has an open case: close it before opening another"),
    "case_other_family": ("Цей випадок належить іншій сім'ї",
                          "This case belongs to another family"),
    "threat_details_required": ("Опишіть, що загрожує життю чи здоров'ю дитини",
                                "Describe what threatens the child's life or health"),
    "duplicate_child": ("Дитину вказано двічі", "A child is listed twice"),
    "assessment_completed_before_start": ("Завершення оцінювання раніше його початку",
                                          "The assessment is completed before it started"),
    "assessment_conclusion_required": ("Заповніть висновок, щоб завершити оцінювання",
                                       "Fill in the conclusion to complete the assessment"),
    "task_member_required": ("Оберіть члена сім'ї, відповідального за завдання",
                             "Choose the family member responsible for the task"),
    "task_service_required": ("Вкажіть службу, відповідальну за завдання",
                              "Name the service responsible for the task"),
}

_FALLBACK = ("Неправильне значення", "Invalid value")


def custom_error(code: str, **ctx: Any) -> PydanticCustomError:
    """A validation error whose message comes from ``MESSAGES[code]`` (in Ukrainian)."""
    uk, _ = MESSAGES[code]
    return PydanticCustomError(code, uk, ctx or None)


def errors_at(title: str, problems: list[tuple[str, str, Any, dict[str, Any]]]
              ) -> ValidationError:
    """A ``ValidationError`` placing each ``(field, code, value, ctx)`` at its field.

    A model-level rule (an end date checked against a start date) raised with
    ``custom_error`` has no field, so the form could not show it beside the field to fix.
    """
    return ValidationError.from_exception_data(title, [
        InitErrorDetails(type=custom_error(code, **ctx), loc=(name,), input=value)
        for name, code, value, ctx in problems])


def explain(error: Mapping[str, Any], lang: str = "uk") -> str:
    """Plain message for one pydantic error dict (an item of ``ValidationError.errors()``)."""
    uk, en = MESSAGES.get(str(error.get("type", "")), _FALLBACK)
    template = en if lang == "en" else uk
    ctx = dict(error.get("ctx") or {})
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace("'", "")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def field_errors(exc: ValidationError, lang: str = "uk") -> dict[str, str]:
    """Map of field name (dotted for nested) to the first plain message for that field."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "__root__"
        out.setdefault(loc, explain(err, lang))
    return out
