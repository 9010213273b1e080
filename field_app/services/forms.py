"""Form models of the screens that exist before the store opens, with their validation.

The view binds each field's ``on_change`` to the model; re-rendering after a language switch
builds the fields again from the model, so nothing typed is lost. ``validate()`` returns a
map of field name to ``Problem`` (an i18n key), shown next to the field.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from field_app.i18n import DEFAULT_LANGUAGE
from field_app.services.device import Refusal
from field_app.services.pin_policy import pin_problem
from field_app.services.problem import Problem

USERNAME_MAX = 64


def server_url_problem(url: str) -> Problem | None:
    """What is wrong with a server address, or ``None``."""
    url = url.strip()
    if not url:
        return Problem("err.required")
    if "://" not in url:
        return Problem("err.server_scheme")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return Problem("err.server_url")
    if parts.scheme not in ("https", "http"):
        return Problem("err.server_scheme")
    if not parts.hostname or " " in url:
        return Problem("err.server_url")
    return None


@dataclass
class FirstStartForm:
    """Server address, login, a new PIN twice and the language."""

    server_url: str = ""
    username: str = ""
    password: str = ""
    pin: str = ""
    pin_repeat: str = ""
    language: str = DEFAULT_LANGUAGE
    #: Problems shown next to the fields, and one for the whole form (UI state).
    errors: dict[str, Problem] = field(default_factory=dict)
    message: Problem | None = None
    busy: bool = False

    def validate(
        self, pin_rule: Callable[[str], Problem | None] = pin_problem
    ) -> dict[str, Problem]:
        """Problems by field name; empty when the form can be submitted.

        ``pin_rule`` is the store's PIN policy (the interim one by default).
        """
        errors: dict[str, Problem] = {}
        if problem := server_url_problem(self.server_url):
            errors["server_url"] = problem
        if not self.username.strip():
            errors["username"] = Problem("err.required")
        elif len(self.username.strip()) > USERNAME_MAX:
            errors["username"] = Problem("err.too_long", {"max": USERNAME_MAX})
        if not self.password:
            errors["password"] = Problem("err.required")
        if problem := pin_rule(self.pin):
            errors["pin"] = problem
        if not self.pin_repeat:
            errors["pin_repeat"] = Problem("err.required")
        elif "pin" not in errors and self.pin_repeat != self.pin:
            errors["pin_repeat"] = Problem("err.pin_mismatch")
        return errors

    def clear_secrets(self) -> None:
        """Forget the password and PINs (after submitting, or when leaving the screen)."""
        self.password = self.pin = self.pin_repeat = ""


class PinRetry:
    """The delay after a refused PIN, shared by the unlock and change-PIN forms."""

    #: monotonic time before which another try is refused (the store's delay)
    retry_at: float

    def _refuse(self, refusal: Refusal, now: float) -> list[Problem]:
        """Start the refusal's delay; its lines to show."""
        if refusal.wait_seconds > 0:
            self.retry_at = now + refusal.wait_seconds
        return refusal.lines()

    def wait_left(self, now: float) -> int:
        """Whole seconds before the next try is allowed (0 when it is)."""
        return max(0, math.ceil(self.retry_at - now))


@dataclass
class UnlockForm(PinRetry):
    """The PIN typed on the unlock screen and the lines of the last refusal to show."""

    pin: str = ""
    messages: list[Problem] = field(default_factory=list)
    busy: bool = False
    #: monotonic time before which another try is refused (the store's delay)
    retry_at: float = 0.0

    def refused(self, refusal: Refusal, now: float) -> None:
        """Show a wrong-PIN refusal: the delay, the tries left, the wipe warning."""
        self.messages = self._refuse(refusal, now)
        self.pin = ""
