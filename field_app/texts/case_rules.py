"""Strings of the case cycle's services (``cases.*``): refusals of a case's writes, the due
list's and the review queue's words for cases. The screens' own strings are in ``cases``.
"""

from __future__ import annotations

UK: dict[str, str] = {
    "cases.err.open_exists": "У сім'ї вже є відкритий випадок (звернення від {date}). "
                             "Закрийте його, перш ніж відкривати новий.",
    "cases.err.reopens_open": "Повторно відкрити можна лише випадок, який закрито.",
    "cases.err.not_found": "Цього випадку немає на телефоні.",
    "cases.err.closed": "Випадок закрито: його вже не можна змінити.",
    "cases.err.no_support": "Соціальний супровід ще не розпочато: спершу погодьте план "
                            "соціального супроводу.",
    "cases.err.legacy_reason": "Цю причину ставить лише перенесення старих даних.",
    "cases.due.assessment": "Оцінка потреб сім'ї",
    "cases.due.task": "Завдання плану соціального супроводу",
    "cases.due.support_end": "Кінець соціального супроводу",
    "cases.due.working_days_left.one": "залишився {n} робочий день",
    "cases.due.working_days_left.few": "залишилося {n} робочі дні",
    "cases.due.working_days_left.many": "залишилося {n} робочих днів",
    "cases.due.working_days_overdue.one": "прострочено на {n} робочий день",
    "cases.due.working_days_overdue.few": "прострочено на {n} робочі дні",
    "cases.due.working_days_overdue.many": "прострочено на {n} робочих днів",
    "cases.due.last_day": "сьогодні останній день",
    "cases.threat": "Загроза життю або здоров'ю дитини",
    "cases.threat.open_days.one": "без рішення {n} день",
    "cases.threat.open_days.few": "без рішення {n} дні",
    "cases.threat.open_days.many": "без рішення {n} днів",
}

EN: dict[str, str] = {
    "cases.err.open_exists": "This family already has an open case (request of {date}). "
                             "Close it before opening a new one.",
    "cases.err.reopens_open": "Only a closed case can be reopened.",
    "cases.err.not_found": "This case is not on the phone.",
    "cases.err.closed": "The case is closed: it can no longer be changed.",
    "cases.err.no_support": "Support has not started yet: agree the support plan first.",
    "cases.err.legacy_reason": "Only the migration of old data sets this reason.",
    "cases.due.assessment": "Needs assessment",
    "cases.due.task": "Support plan task",
    "cases.due.support_end": "End of social support",
    "cases.due.working_days_left.one": "{n} working day left",
    "cases.due.working_days_left.few": "{n} working days left",
    "cases.due.working_days_left.many": "{n} working days left",
    "cases.due.working_days_overdue.one": "overdue by {n} working day",
    "cases.due.working_days_overdue.few": "overdue by {n} working days",
    "cases.due.working_days_overdue.many": "overdue by {n} working days",
    "cases.due.last_day": "today is the last day",
    "cases.threat": "Threat to a child's life or health",
    "cases.threat.open_days.one": "{n} day without a decision",
    "cases.threat.open_days.few": "{n} days without a decision",
    "cases.threat.open_days.many": "{n} days without a decision",
}
