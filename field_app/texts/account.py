"""Strings of the account screens in the settings: change the PIN, sign out."""

from __future__ import annotations

UK: dict[str, str] = {
    "account.change_pin": "Змінити PIN-код",
    "account.change_pin_hint": "Дані не перешифровуються: новий PIN-код захищає той самий ключ.",
    "account.old_pin": "Поточний PIN-код",
    "account.new_pin": "Новий PIN-код",
    "account.new_pin_help": "Щонайменше 6 цифр без повторів і послідовностей",
    "account.new_pin_repeat": "Повторіть новий PIN-код",
    "account.change_submit": "Змінити PIN-код",
    "account.changing": "Перевірка та зміна PIN-коду…",
    "account.pin_changed": "PIN-код змінено. Надалі розблоковуйте застосунок новим PIN-кодом.",
    "account.fix_fields": "Виправте позначені поля.",
    "account.sign_out_title": "Вихід",
    "account.sign_out_hint": ("Вихід стирає всі дані з цього телефону і повідомляє сервер, що "
                              "телефон більше не використовується."),
    "account.sign_out_signed_in": "Ви увійшли як {username}.",
    "account.sign_out_all_sent": "Усі зміни надіслано на сервер: нічого не буде втрачено.",
    "account.sign_out_loss.one": ("На телефоні {n} зміна, яку ще не надіслано на сервер. Якщо "
                                  "вийти зараз, її буде втрачено назавжди."),
    "account.sign_out_loss.few": ("На телефоні {n} зміни, які ще не надіслано на сервер. Якщо "
                                  "вийти зараз, їх буде втрачено назавжди."),
    "account.sign_out_loss.many": ("На телефоні {n} змін, які ще не надіслано на сервер. Якщо "
                                   "вийти зараз, їх буде втрачено назавжди."),
    "account.sign_out_sync_first": "Спершу синхронізувати",
    "account.sign_out_confirm": "Я розумію, що ненадіслані зміни буде втрачено",
    "account.sign_out_submit": "Вийти й стерти дані з телефону",
    "account.signing_out": "Вихід…",
    "account.signed_out": "Ви вийшли з облікового запису; дані з цього телефону стерто.",
    "account.signed_out_unreported": ("Ви вийшли з облікового запису; дані з цього телефону "
                                      "стерто. Сервер не вдалося повідомити (немає зв'язку): "
                                      "попросіть координатора відключити цей пристрій."),
}

EN: dict[str, str] = {
    "account.change_pin": "Change PIN",
    "account.change_pin_hint": "The data is not re-encrypted: the new PIN protects the same key.",
    "account.old_pin": "Current PIN",
    "account.new_pin": "New PIN",
    "account.new_pin_help": "At least 6 digits, no repeats or sequences",
    "account.new_pin_repeat": "Repeat the new PIN",
    "account.change_submit": "Change PIN",
    "account.changing": "Checking and changing the PIN…",
    "account.pin_changed": "The PIN was changed. Unlock the app with the new PIN from now on.",
    "account.fix_fields": "Please correct the marked fields.",
    "account.sign_out_title": "Sign out",
    "account.sign_out_hint": ("Signing out erases all data from this phone and tells the server "
                              "the phone is no longer used."),
    "account.sign_out_signed_in": "You are signed in as {username}.",
    "account.sign_out_all_sent": "Every change has been sent to the server: nothing will be lost.",
    "account.sign_out_loss.one": ("{n} change on this phone has not been sent to the server yet. "
                                  "If you sign out now it will be lost for good."),
    "account.sign_out_loss.few": ("{n} changes on this phone have not been sent to the server "
                                  "yet. If you sign out now they will be lost for good."),
    "account.sign_out_loss.many": ("{n} changes on this phone have not been sent to the server "
                                   "yet. If you sign out now they will be lost for good."),
    "account.sign_out_sync_first": "Sync first",
    "account.sign_out_confirm": "I understand that the unsent changes will be lost",
    "account.sign_out_submit": "Sign out and erase this phone's data",
    "account.signing_out": "Signing out…",
    "account.signed_out": "You have signed out; the data on this phone was erased.",
    "account.signed_out_unreported": ("You have signed out; the data on this phone was erased. "
                                      "The server could not be told (no connection): ask your "
                                      "coordinator to revoke this device."),
}
