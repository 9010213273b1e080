"""Strings of the export screen (``export.*``)."""

from __future__ import annotations

UK: dict[str, str] = {
    "export.title": "Експорт звітів",
    "export.more": "Експорт звітів",
    "export.more_hint": "Візити й послуги за період: XLSX або CSV",
    "export.only_supervisors": "Експорт доступний супервізорам і координаторам.",
    "export.community": "Громада",
    "export.all": "Усі мої громади ({n})",
    "export.start": "Період з",
    "export.end": "Період по (включно)",
    "export.date_hint": "ДД.ММ.РРРР",
    "export.format": "Формат файлу",
    "export.xlsx": "Excel (XLSX): візити й послуги",
    "export.csv_visits": "CSV: візити",
    "export.csv_services": "CSV: послуги за кодами ЄІССС",
    "export.get": "Отримати файл",
    "export.working": "Сервер формує файл…",
    "export.ready": "Файл «{name}» готовий, рядків: {rows}. Оберіть, куди його зберегти.",
    "export.save_again": "Зберегти файл ще раз",
    "export.privacy": "Сім'ї у файлі позначено ідентифікаторами, без імен. Файл не "
                      "залишається в застосунку: ви самі обираєте, куди його зберегти. "
                      "Кожен експорт записується в журнал сервера.",
    "export.failed": "Не вдалося отримати файл: {reason}",
    "export.err.date": "Неправильна дата (ДД.ММ.РРРР)",
    "export.err.order": "Кінець періоду раніше за початок",
    "export.err.too_long": "Період не може бути довшим за 3 роки",
    "export.err.form": "Виправте позначені поля.",
}

EN: dict[str, str] = {
    "export.title": "Export reports",
    "export.more": "Export reports",
    "export.more_hint": "Visits and services of a period: XLSX or CSV",
    "export.only_supervisors": "Exports are for supervisors and coordinators.",
    "export.community": "Community",
    "export.all": "All my communities ({n})",
    "export.start": "From",
    "export.end": "To (included)",
    "export.date_hint": "DD.MM.YYYY",
    "export.format": "File format",
    "export.xlsx": "Excel (XLSX): visits and services",
    "export.csv_visits": "CSV: visits",
    "export.csv_services": "CSV: services by ЄІССС code",
    "export.get": "Get the file",
    "export.working": "The server is preparing the file…",
    "export.ready": "The file “{name}” is ready, rows: {rows}. Choose where to save it.",
    "export.save_again": "Save the file again",
    "export.privacy": "Families are named by ids in the file, never by name. The file does "
                      "not stay in the app: you choose where to save it. Every export is "
                      "written to the server's audit log.",
    "export.failed": "Could not get the file: {reason}",
    "export.err.date": "Not a valid date (DD.MM.YYYY)",
    "export.err.order": "The end of the period is before its start",
    "export.err.too_long": "The period cannot be longer than 3 years",
    "export.err.form": "Please correct the marked fields.",
}
