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
}

EN: dict[str, str] = {
    "cases.err.open_exists": "This family already has an open case (request of {date}). "
                             "Close it before opening a new one.",
    "cases.err.reopens_open": "Only a closed case can be reopened.",
    "cases.err.not_found": "This case is not on the phone.",
    "cases.err.closed": "The case is closed: it can no longer be changed.",
    "cases.err.no_support": "Support has not started yet: agree the support plan first.",
    "cases.err.legacy_reason": "Only the migration of old data sets this reason.",
}
