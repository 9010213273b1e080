"""What can stop a sync, as exceptions the app turns into plain words and a next step.

    SyncError
    ├── Offline            the server could not be reached (after retries)
    ├── ServerTrouble      the server answered 5xx or garbage (after retries)
    │   └── WrongClock     the server refuses this phone's clock even after correcting it
    ├── NeedsLogin         no token, or the server no longer accepts it
    ├── BadCredentials     wrong username or password at login
    ├── TooManyAttempts    login refused for a while after failures (``retry_after``)
    ├── DeviceRevoked      an administrator revoked this device: the store has been wiped
    ├── UpdateRequired     the server speaks another protocol version: update the app
    ├── InsecureServer     a plain-http address that is not this machine
"""

from __future__ import annotations

from datetime import date

from shared_models.revocation import LostWorkReport


class SyncError(Exception):
    """A sync stopped; ``message(lang)`` says what happened and what to do."""

    uk = "Синхронізація не вдалася."
    en = "Sync failed."

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.en)
        self.detail = detail

    def message(self, lang: str = "uk") -> str:
        """What to tell the worker, in their language."""
        return self.en if lang == "en" else self.uk


class Offline(SyncError):
    uk = "Немає зв'язку із сервером. Дані збережені на телефоні; спробуйте пізніше."
    en = "Cannot reach the server. Your data is saved on this phone; try again later."


class ServerTrouble(SyncError):
    uk = "Сервер тимчасово не відповідає як слід. Дані збережені на телефоні; спробуйте пізніше."
    en = "The server is having trouble. Your data is saved on this phone; try again later."

    def __init__(self, detail: str = "", *, status: int = 0,
                 retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.retry_after = retry_after


class WrongClock(ServerTrouble):
    uk = ("Сервер не приймає зміни: дата або час на телефоні неправильні. Встановіть "
          "правильні дату й час і синхронізуйте знову.")
    en = ("The server refuses the changes: this phone's date or time is wrong. Set the "
          "right date and time and sync again.")


class NeedsLogin(SyncError):
    uk = "Потрібно знову увійти до облікового запису."
    en = "Please sign in again."


class BadCredentials(SyncError):
    uk = "Невірне ім'я користувача або пароль."
    en = "Wrong username or password."


class TooManyAttempts(SyncError):
    uk = "Забагато спроб входу. Спробуйте через {minutes} хв."
    en = "Too many sign-in attempts. Try again in {minutes} min."

    def __init__(self, detail: str = "", retry_after: float = 60.0) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    def message(self, lang: str = "uk") -> str:
        minutes = max(1, round(self.retry_after / 60))
        return (self.en if lang == "en" else self.uk).format(minutes=minutes)


class DeviceRevoked(SyncError):
    uk = ("Цей пристрій відключено адміністратором; дані з нього видалено. "
          "Зверніться до координатора.")
    en = "An administrator revoked this device and its data was erased. Contact your coordinator."

    def __init__(self, detail: str = "", *, lost: LostWorkReport | None = None,
                 reported: bool = False, on: date | None = None) -> None:
        super().__init__(detail)
        #: The day of the wipe (UTC), as kept in the revocation notice.
        self.on = on
        #: What the wipe erased unsent (``None``: it could not be counted).
        self.lost = lost
        #: Whether the server took the count (the administrator sees it).
        self.reported = reported


class UpdateRequired(SyncError):
    uk = "Оновіть застосунок: сервер більше не підтримує цю версію."
    en = "Please update the app: the server no longer supports this version."


class InsecureServer(SyncError):
    uk = "Адреса сервера має починатися з https://."
    en = "The server address must start with https://."


class UntrustedServer(SyncError):
    uk = ("Сертифікат сервера не довірений. Перевірте адресу сервера або зверніться до "
          "адміністратора.")
    en = "The server's certificate is not trusted. Check the address or contact your administrator."
