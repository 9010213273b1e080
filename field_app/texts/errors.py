"""Strings of the store's errors (``field_app.store.errors``: ``store.err.<code>``).

The exceptions carry a code and their data; these are the words a worker reads for them.
"""

from __future__ import annotations

UK: dict[str, str] = {
    "store.err.error": "Помилка сховища даних.",
    "store.err.not_found": "Сховище на цьому пристрої не знайдено.",
    "store.err.exists": "Сховище вже існує.",
    "store.err.wiped": ("Дані на цьому пристрої стерто (забагато неправильних PIN-кодів або "
                        "стирання). Увійдіть знову, щоб отримати дані з сервера."),
    "store.err.locked": "Сховище заблоковано: введіть PIN-код.",
    "store.err.unlock_refused": "Не вдалося відкрити дані. Наступна спроба через {seconds} с.",
    "store.err.secret_missing": ("Ключ захисту цього телефону недоступний, тому дані не можна "
                                 "відкрити. Закрийте застосунок і відкрийте знову; якщо не "
                                 "допоможе — зверніться до супервізора."),
    "store.err.wrong_pin": "Неправильний PIN-код. Наступна спроба через {seconds} с.",
    "store.err.wrong_pin_wipe_warning": (
        "Неправильний PIN-код. Залишилось спроб: {left}. Після цього дані на пристрої буде стерто; "
        "не надіслано на сервер змін: {pending} — їх буде втрачено."),
    "store.err.try_later": "Зачекайте {seconds} с перед наступною спробою.",
    "store.err.corrupt": ("Запис {record} пошкоджено або змінено поза застосунком; його не "
                          "показано."),
    "store.err.record_gone": "Цього запису немає на пристрої.",
    "store.err.record_moved": "Запис не можна перенести в іншу громаду чи вид.",
    "store.err.record_immutable": ("Запис не можна змінити: додайте новий, що посилається на "
                                   "нього."),
    "store.err.record_refused": "Цей запис не можна змінити так.",
    "store.err.kdf_unavailable": ("На цьому телефоні немає потрібного захисту даних (Argon2id), "
                              "тому дані не можна створити чи відкрити. Нічого не змінено. "
                              "Оновіть застосунок або зверніться до супервізора."),
    "store.err.sqlite_unsafe": ("База даних цього телефону не підтримує потрібних налаштувань "
                            "безпеки, тому дані не можна створити чи відкрити. Нічого не "
                            "змінено. Зверніться до супервізора."),
}

EN: dict[str, str] = {
    "store.err.error": "Data store error.",
    "store.err.not_found": "No data store on this device.",
    "store.err.exists": "A data store already exists here.",
    "store.err.wiped": ("The data on this device was erased (too many wrong PINs, or a wipe). "
                        "Sign in again to get your data from the server."),
    "store.err.locked": "The store is locked: enter your PIN.",
    "store.err.unlock_refused": "The data could not be opened. Try again in {seconds} s.",
    "store.err.secret_missing": ("This phone's protection key is not available, so the data "
                                 "cannot be opened. Close the app and open it again; if that "
                                 "does not help, contact your supervisor."),
    "store.err.wrong_pin": "Wrong PIN. Try again in {seconds} s.",
    "store.err.wrong_pin_wipe_warning": (
        "Wrong PIN. Attempts left: {left}. After that the data on this device will be erased; "
        "{pending} change(s) not yet sent to the server would be lost."),
    "store.err.try_later": "Wait {seconds} s before the next attempt.",
    "store.err.corrupt": ("Record {record} is damaged or was changed outside the app; it is not "
                          "shown."),
    "store.err.record_gone": "This record is not on this device.",
    "store.err.record_moved": "A record cannot move to another community or kind.",
    "store.err.record_immutable": ("This record cannot be changed: add a new one that refers "
                                   "to it."),
    "store.err.record_refused": "This record cannot be changed like this.",
    "store.err.kdf_unavailable": ("This phone lacks the data protection the app needs (Argon2id), "
                              "so the data cannot be created or opened. Nothing was changed. "
                              "Update the app or call your supervisor."),
    "store.err.sqlite_unsafe": ("This phone's database does not support the safety settings the "
                            "app needs, so the data cannot be created or opened. Nothing was "
                            "changed. Call your supervisor."),
}
