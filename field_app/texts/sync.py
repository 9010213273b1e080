"""Strings of the sync screen: what stopped a sync and what to do, refused changes, progress.

Every error says what happened and the next step, and that nothing typed is lost when that is
true (the changes stay on the phone).
"""

from __future__ import annotations

UK: dict[str, str] = {
    # What stopped a sync, and what to do (field_app.services.sync_problems)
    "sync.err.offline": ("Немає зв'язку з сервером. Зміни збережено на телефоні; "
                         "синхронізуйте, коли з'явиться інтернет."),
    "sync.err.server": ("Сервер тимчасово не працює як слід. Зміни збережено на телефоні; "
                        "застосунок спробує ще раз сам, або натисніть «Синхронізувати зараз» "
                        "за кілька хвилин."),
    "sync.err.update": ("Ця версія застосунку застаріла: сервер її більше не приймає. Оновіть "
                        "«Поруч», потім синхронізуйте. Зміни збережено на телефоні."),
    "sync.err.revoked": ("Цей телефон відключено від сервера (адміністратор відкликав доступ), "
                         "і дані з нього стерто. Якщо це помилка, зверніться до координатора "
                         "й увійдіть знову."),
    # A revocation that erased unsent work (the counts the device sent the administrator)
    "sync.err.revoked_lost": ("Адміністратор відкликав цей телефон, тому {date} всі дані з "
                              "нього стерто. Втрачено ненадісланих змін: {changes}, незавершених "
                              "чернеток: {drafts}. Адміністратора про це повідомлено. Якщо "
                              "ці записи потрібні, внесіть їх знову після входу; якщо "
                              "відкликання — помилка, зверніться до координатора."),
    "sync.err.revoked_lost_unreported": (
        "Адміністратор відкликав цей телефон, тому {date} всі дані з нього стерто. Втрачено "
        "ненадісланих змін: {changes}, незавершених чернеток: {drafts}. Повідомити сервер "
        "про втрату не вдалося — розкажіть про це координатору. Якщо ці записи потрібні, "
        "внесіть їх знову після входу."),
    "sync.err.clock": ("Дата або час на телефоні неправильні, тому сервер не приймає зміни. "
                       "Увімкніть автоматичні дату й час у налаштуваннях телефону та "
                       "синхронізуйте знову. Зміни збережено на телефоні."),
    "sync.err.login": ("Сервер більше не приймає вхід із цього телефону. Зміни збережено на "
                       "телефоні. Введіть свій пароль нижче й увійдіть знову; якщо не вийде — "
                       "зверніться до координатора."),
    "sync.err.untrusted": ("Сертифікат сервера не довірений, тому синхронізацію зупинено, щоб "
                           "дані не потрапили до чужих. Зміни збережено на телефоні. "
                           "Зверніться до адміністратора."),
    "sync.err.insecure": ("Адреса сервера небезпечна (не https://), тому синхронізацію "
                          "зупинено. Зміни збережено на телефоні. Зверніться до адміністратора."),
    "sync.err.credentials": "Неправильне ім'я користувача або пароль.",
    "sync.err.too_many": "Забагато спроб входу. Спробуйте через {minutes} хв.",
    "sync.err.failed": ("Синхронізація не вдалася. Зміни збережено на телефоні; спробуйте ще "
                        "раз."),
    "sync.err.refused": "Сервер відмовив у запиті.",
    "sync.err.locked": ("Синхронізацію перервано: застосунок заблоковано. Те, що встигло "
                        "надіслатися, на сервері; решта — після розблокування."),
    "sync.err.unexpected": ("Синхронізація зупинилася через помилку ({detail}). Зміни збережено "
                            "на телефоні; спробуйте ще раз, а якщо повториться — зверніться до "
                            "адміністратора."),
    # Changes the server refused (field_app.services.sync_overview.reason_problem)
    "sync.refused.forbidden": ("Сервер не дозволяє вам цю зміну: запис належить до громади чи "
                               "ролі, до якої у вас немає доступу. Зверніться до супервізора; "
                               "коли доступ надано, натисніть «Надіслати знову»."),
    "sync.refused.immutable": ("Цей запис не можна змінити так: нотатки й рішення супервізора "
                               "не змінюються, а запис не переноситься до іншої громади. "
                               "Додайте новий запис замість зміни."),
    "sync.refused.too_large": ("Зміна завелика для сервера. Скоротіть текст і натисніть "
                               "«Надіслати знову»."),
    "sync.refused.case_open": ("У цієї сім'ї вже відкрито інший випадок (його відкрив колега на "
                               "іншому пристрої). Відкрийте картку сім'ї після синхронізації: "
                               "продовжуйте роботу у відкритому випадку або спершу закрийте "
                               "його. Зміну збережено на телефоні."),
    "sync.refused.invalid": ("Сервер не прийняв дані: {message}. Відкрийте запис, виправте й "
                             "натисніть «Надіслати знову»."),
    "sync.refused.invalid_field": ("Сервер не прийняв поле «{field}»: {message}. Відкрийте "
                                   "запис, виправте й натисніть «Надіслати знову»."),
    "sync.refused.reference": ("На сервері немає запису, який названо в полі «{field}», у "
                               "цій громаді: мабуть, його самого ще не прийнято. Спершу "
                               "надішліть або виправте той запис (сім'ю, члена сім'ї) у цьому "
                               "списку, потім натисніть «Надіслати знову». Зміну збережено на "
                               "телефоні."),
    "sync.refused.other": ("Сервер не прийняв зміну ({code}): {message}. Зміну збережено на "
                           "телефоні; натисніть «Надіслати знову» або зверніться до "
                           "адміністратора."),
    # The screen
    "sync.saved_count.one": "Збережено на телефоні: {n} зміна",
    "sync.saved_count.few": "Збережено на телефоні: {n} зміни",
    "sync.saved_count.many": "Збережено на телефоні: {n} змін",
    "sync.saved_hint": "Ще не надіслано на сервер.",
    "sync.last_success": "Остання успішна синхронізація",
    "sync.last_attempt": "Остання спроба: {when}",
    "sync.ago.now": "щойно",
    "sync.ago.minutes": "{n} хв тому",
    "sync.ago.hours": "{n} год тому",
    "sync.ago.days.one": "{n} день тому",
    "sync.ago.days.few": "{n} дні тому",
    "sync.ago.days.many": "{n} днів тому",
    "sync.stage.start": "Підключення до сервера…",
    "sync.stage.push": "Надсилання змін: {done} з {total}",
    "sync.stage.push_start": "Надсилання змін…",
    "sync.stage.pull": "Отримання змін: отримано {done}",
    "sync.stage.done": "Завершення…",
    "sync.what_to_do": "Що сталося і що робити",
    "sync.attention_title": "Потребують уваги: {n}",
    "sync.attention_intro": ("Сервер не прийняв ці зміни. Вони збережені на телефоні й не "
                             "зникнуть, доки їх не буде надіслано."),
    "sync.attention_open": "Відкрити запис",
    "sync.attention_retry": "Надіслати знову",
    "sync.not_on_phone": "запису немає на цьому телефоні",
    "sync.kind_unknown": "запис",
    "sync.relogin_password": "Пароль",
    "sync.relogin": "Увійти знову",
    "sync.conflicts.one": "{n} конфлікт змін чекає рішення",
    "sync.conflicts.few": "{n} конфлікти змін чекають рішення",
    "sync.conflicts.many": "{n} конфліктів змін чекають рішення",
    "sync.conflicts_none": "Конфліктів змін немає",
}

EN: dict[str, str] = {
    "sync.err.offline": ("No connection to the server. Your changes are saved on this phone; "
                         "sync when you have internet."),
    "sync.err.server": ("The server is having trouble. Your changes are saved on this phone; "
                        "the app will try again by itself, or press \"Sync now\" in a few "
                        "minutes."),
    "sync.err.update": ("This version of the app is too old: the server no longer accepts it. "
                        "Update Poruch, then sync. Your changes are saved on this phone."),
    "sync.err.revoked": ("This phone was disconnected from the server (an administrator "
                         "revoked it) and its data was erased. If this is a mistake, contact "
                         "your coordinator and sign in again."),
    "sync.err.revoked_lost": (
        "An administrator revoked this phone, so all its data was erased on {date}. Lost "
        "unsent: {changes} changes and {drafts} unfinished drafts. The administrator has been "
        "told. If you need those records, enter them again after signing in; if the "
        "revocation is a mistake, contact your coordinator."),
    "sync.err.revoked_lost_unreported": (
        "An administrator revoked this phone, so all its data was erased on {date}. Lost "
        "unsent: {changes} changes and {drafts} unfinished drafts. The server could not be "
        "told about the loss: let your coordinator know. If you need those records, enter "
        "them again after signing in."),
    "sync.err.clock": ("This phone's date or time is wrong, so the server refuses the changes. "
                       "Turn on automatic date and time in the phone's settings and sync "
                       "again. Your changes are saved on this phone."),
    "sync.err.login": ("The server no longer accepts this phone's sign-in. Your changes are "
                       "saved on this phone. Enter your password below and sign in again; if "
                       "that fails, contact your coordinator."),
    "sync.err.untrusted": ("The server's certificate is not trusted, so the sync stopped to keep "
                           "the data from strangers. Your changes are saved on this phone. "
                           "Contact your administrator."),
    "sync.err.insecure": ("The server address is not secure (not https://), so the sync "
                          "stopped. Your changes are saved on this phone. Contact your "
                          "administrator."),
    "sync.err.credentials": "Wrong username or password.",
    "sync.err.too_many": "Too many sign-in attempts. Try again in {minutes} min.",
    "sync.err.failed": "The sync failed. Your changes are saved on this phone; try again.",
    "sync.err.refused": "The server refused the request.",
    "sync.err.locked": ("The sync was interrupted: the app was locked. What was sent is on the "
                        "server; the rest goes after you unlock."),
    "sync.err.unexpected": ("The sync stopped on an error ({detail}). Your changes are saved on "
                            "this phone; try again, and if it happens again contact your "
                            "administrator."),
    "sync.refused.forbidden": ("The server does not allow you this change: the record belongs "
                               "to a community or role you have no access to. Contact your "
                               "supervisor; once access is given, press \"Send again\"."),
    "sync.refused.immutable": ("This record cannot be changed like this: notes and supervisor "
                               "decisions do not change, and a record does not move to another "
                               "community. Add a new record instead."),
    "sync.refused.too_large": "The change is too large for the server. Shorten the text and "
                              "press \"Send again\".",
    "sync.refused.case_open": ("This family already has another open case (a colleague opened "
                               "it on another device). Open the family's card after the sync: "
                               "carry on in the open case or close it first. The change is "
                               "saved on this phone."),
    "sync.refused.invalid": ("The server refused the data: {message}. Open the record, correct "
                             "it and press \"Send again\"."),
    "sync.refused.invalid_field": ("The server refused the field \"{field}\": {message}. Open "
                                   "the record, correct it and press \"Send again\"."),
    "sync.refused.reference": ("The server has no record of this community that the field "
                               "\"{field}\" names: it was probably not accepted itself yet. "
                               "Send or correct that record (the family, the family member) "
                               "in this list first, then press \"Send again\". The change is "
                               "saved on this phone."),
    "sync.refused.other": ("The server refused the change ({code}): {message}. It is saved on "
                           "this phone; press \"Send again\" or contact your administrator."),
    "sync.saved_count.one": "Saved on this phone: {n} change",
    "sync.saved_count.few": "Saved on this phone: {n} changes",
    "sync.saved_count.many": "Saved on this phone: {n} changes",
    "sync.saved_hint": "Not sent to the server yet.",
    "sync.last_success": "Last successful sync",
    "sync.last_attempt": "Last attempt: {when}",
    "sync.ago.now": "just now",
    "sync.ago.minutes": "{n} min ago",
    "sync.ago.hours": "{n} h ago",
    "sync.ago.days.one": "{n} day ago",
    "sync.ago.days.few": "{n} days ago",
    "sync.ago.days.many": "{n} days ago",
    "sync.stage.start": "Connecting to the server…",
    "sync.stage.push": "Sending changes: {done} of {total}",
    "sync.stage.push_start": "Sending changes…",
    "sync.stage.pull": "Receiving changes: {done} received",
    "sync.stage.done": "Finishing…",
    "sync.what_to_do": "What happened and what to do",
    "sync.attention_title": "Need attention: {n}",
    "sync.attention_intro": ("The server refused these changes. They are saved on this phone "
                             "and stay until they are sent."),
    "sync.attention_open": "Open the record",
    "sync.attention_retry": "Send again",
    "sync.not_on_phone": "the record is not on this phone",
    "sync.kind_unknown": "record",
    "sync.relogin_password": "Password",
    "sync.relogin": "Sign in again",
    "sync.conflicts.one": "{n} edit conflict waits for a decision",
    "sync.conflicts.few": "{n} edit conflicts wait for a decision",
    "sync.conflicts.many": "{n} edit conflicts wait for a decision",
    "sync.conflicts_none": "No edit conflicts",
}
