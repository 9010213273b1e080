"""Strings of the conflicts screens, and the names of record fields as people read them.

``conflicts.field.<kind>.<field>`` labels every field of every kind a person edits (the
conflicts screens and the sync screen's refusals name fields with them).
"""

from __future__ import annotations

_FIELDS_UK: dict[str, dict[str, str]] = {
    "family": {
        "deleted": "Запис видалено", "family_name": "Прізвище сім'ї",
        "settlement": "Населений пункт", "address": "Адреса", "phone": "Телефон",
        "difficult_circumstances": "Складні життєві обставини",
        "displaced": "Сім'я, у якій є ВПО", "foster_family": "Патронатна сім'я",
        "assigned_worker": "Відповідальний фахівець",
        "consent_date": "Дата згоди на обробку даних", "consent_by": "Хто надав згоду",
        "next_visit_date": "Дата наступного візиту", "closed": "Випадок закрито",
    },
    "person": {
        "deleted": "Запис видалено", "family_id": "Сім'я", "last_name": "Прізвище",
        "first_name": "Ім'я", "patronymic": "По батькові", "birth_date": "Дата народження",
        "sex": "Стать", "role": "Роль у сім'ї", "disability": "Інвалідність",
        "special_educational_needs": "Особливі освітні потреби",
    },
    "visit": {
        "deleted": "Запис видалено", "family_id": "Сім'я", "visited_at": "Дата й час візиту",
        "place": "Місце", "place_details": "Уточнення місця", "present": "Присутні",
        "others_present": "Інші присутні", "services": "Надані послуги",
        "child_needs": "Потреби дитини", "parenting_capacity": "Батьківський потенціал",
        "family_environment": "Сім'я та середовище", "risk_level": "Рівень ризику",
        "next_steps": "Домовлені наступні кроки", "next_visit_date": "Дата наступного візиту",
        "author": "Автор",
    },
    "note": {
        "deleted": "Запис видалено", "family_id": "Сім'я", "text": "Текст нотатки",
        "written_at": "Час запису", "author": "Автор", "corrects": "Виправляє нотатку",
    },
    "review": {
        "deleted": "Запис видалено", "target_kind": "Що перевірено",
        "target_id": "Перевірений запис", "decision": "Рішення", "comment": "Коментар",
        "reviewer": "Супервізор", "reviewed_at": "Час перевірки",
        "target_clock": "Версія перевіреного запису",
    },
    "placement": {
        "deleted": "Запис видалено", "child_id": "Дитина",
        "foster_family_id": "Патронатна сім'я", "birth_family_id": "Рідна сім'я дитини",
        "start_date": "Дата початку", "planned_end": "Запланована дата завершення",
        "extension_decision_date": "Дата рішення органу опіки та піклування",
        "extended_end": "Нова дата завершення", "ended_on": "Дата завершення",
        "outcome": "Чим завершилось", "outcome_details": "Подробиці завершення",
        "order_reference": "Наказ служби у справах дітей",
    },
}

_FIELDS_EN: dict[str, dict[str, str]] = {
    "family": {
        "deleted": "Record deleted", "family_name": "Family surname",
        "settlement": "Settlement", "address": "Address", "phone": "Phone",
        "difficult_circumstances": "Difficult life circumstances",
        "displaced": "Family with IDPs", "foster_family": "Foster family",
        "assigned_worker": "Assigned worker", "consent_date": "Date of consent to data processing",
        "consent_by": "Consent given by", "next_visit_date": "Next visit date",
        "closed": "Case closed",
    },
    "person": {
        "deleted": "Record deleted", "family_id": "Family", "last_name": "Surname",
        "first_name": "First name", "patronymic": "Patronymic", "birth_date": "Date of birth",
        "sex": "Sex", "role": "Role in the family", "disability": "Disability",
        "special_educational_needs": "Special educational needs",
    },
    "visit": {
        "deleted": "Record deleted", "family_id": "Family", "visited_at": "Date and time of visit",
        "place": "Place", "place_details": "Place details", "present": "Present",
        "others_present": "Others present", "services": "Services provided",
        "child_needs": "Child's needs", "parenting_capacity": "Parenting capacity",
        "family_environment": "Family and environment", "risk_level": "Risk level",
        "next_steps": "Agreed next steps", "next_visit_date": "Next visit date",
        "author": "Author",
    },
    "note": {
        "deleted": "Record deleted", "family_id": "Family", "text": "Note text",
        "written_at": "Written at", "author": "Author", "corrects": "Corrects note",
    },
    "review": {
        "deleted": "Record deleted", "target_kind": "What was reviewed",
        "target_id": "Reviewed record", "decision": "Decision", "comment": "Comment",
        "reviewer": "Supervisor", "reviewed_at": "Reviewed at",
        "target_clock": "Version of the reviewed record",
    },
    "placement": {
        "deleted": "Record deleted", "child_id": "Child",
        "foster_family_id": "Foster family", "birth_family_id": "Child's own family",
        "start_date": "Start date", "planned_end": "Planned end date",
        "extension_decision_date": "Date of the guardianship authority's decision",
        "extended_end": "New end date", "ended_on": "End date",
        "outcome": "Outcome", "outcome_details": "Outcome details",
        "order_reference": "Order of the children's service",
    },
}


def _fields(table: dict[str, dict[str, str]]) -> dict[str, str]:
    return {f"conflicts.field.{kind}.{name}": label
            for kind, names in table.items() for name, label in names.items()}


UK: dict[str, str] = {
    "conflicts.title": "Конфлікти змін",
    "conflicts.detail_title": "Конфлікт змін",
    "conflicts.intro": ("Двоє людей змінили те саме поле, не бачачи змін одне одного. "
                        "Нічого не втрачено: оберіть правильне значення або об'єднайте їх."),
    "conflicts.empty": "Немає конфліктів змін.",
    "conflicts.empty_hint": "Коли двоє змінять те саме поле офлайн, це з'явиться тут.",
    "conflicts.choose": "Оберіть конфлікт зі списку.",
    "conflicts.none_pane": "Конфліктів немає",
    "conflicts.none_pane_hint": "Усі зміни узгоджено, робити нічого не треба.",
    "conflicts.field_of": "Поле: {field}",
    "conflicts.sides": "{first} і {second}",
    "conflicts.mine": "Моє",
    "conflicts.colleague": "Колеги {name}",
    "conflicts.current": "Зараз у записі",
    "conflicts.now_in_record": "Зараз у записі інше значення: {value}",
    "conflicts.empty_value": "(порожньо)",
    "conflicts.yes": "Так",
    "conflicts.no": "Ні",
    "conflicts.keep_named": "Залишити «{who}»",
    "conflicts.merged": "Об'єднане значення",
    "conflicts.merged_help": "Відредагуйте текст, щоб він містив усе потрібне з обох версій.",
    "conflicts.save_merged": "Зберегти об'єднане значення",
    "conflicts.settled_value": ("Вирішено на цьому телефоні: тепер у записі «{value}». Буде "
                                "надіслано під час синхронізації."),
    "conflicts.settled_section": "Вирішено, чекає надсилання",
    "conflicts.open_section": "Потребують рішення: {n}",
    "conflicts.gone": "Цього конфлікту немає на телефоні (можливо, його вже вирішено).",
    "conflicts.record_missing": "Запису, якого стосується конфлікт, немає на цьому телефоні.",
    "conflicts.not_on_phone": "запису немає на цьому телефоні",
    "conflicts.open_record": "Відкрити запис",
    **_fields(_FIELDS_UK),
}

EN: dict[str, str] = {
    "conflicts.title": "Edit conflicts",
    "conflicts.detail_title": "Edit conflict",
    "conflicts.intro": ("Two people changed the same field without seeing each other's "
                        "change. Nothing is lost: choose the right value or merge them."),
    "conflicts.empty": "No edit conflicts.",
    "conflicts.empty_hint": "When two people change the same field offline, it shows here.",
    "conflicts.choose": "Choose a conflict from the list.",
    "conflicts.none_pane": "No conflicts",
    "conflicts.none_pane_hint": "All changes agree; there is nothing to do.",
    "conflicts.field_of": "Field: {field}",
    "conflicts.sides": "{first} and {second}",
    "conflicts.mine": "Mine",
    "conflicts.colleague": "Colleague {name}",
    "conflicts.current": "Now in the record",
    "conflicts.now_in_record": "The record now holds another value: {value}",
    "conflicts.empty_value": "(empty)",
    "conflicts.yes": "Yes",
    "conflicts.no": "No",
    "conflicts.keep_named": "Keep \"{who}\"",
    "conflicts.merged": "Merged value",
    "conflicts.merged_help": "Edit the text so it holds what is needed from both versions.",
    "conflicts.save_merged": "Save the merged value",
    "conflicts.settled_value": ("Resolved on this phone: the record now holds \"{value}\". "
                                "It will be sent at the next sync."),
    "conflicts.settled_section": "Resolved, waiting to be sent",
    "conflicts.open_section": "Waiting for a decision: {n}",
    "conflicts.gone": "This conflict is not on this phone (it may have been resolved).",
    "conflicts.record_missing": "The record of this conflict is not on this phone.",
    "conflicts.not_on_phone": "the record is not on this phone",
    "conflicts.open_record": "Open the record",
    **_fields(_FIELDS_EN),
}
