"""The change-PIN form and the sign-out decision, with their rules (no Flet).

Changing the PIN asks for the old PIN (a wrong one counts under the unlock rules: delays, tries
left, the wipe warning) and the new one twice (the store's PIN policy). Signing out erases
this phone's data, so the screen first says how many changes would be lost and offers to
sync; with changes waiting, the worker must confirm that they accept losing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from field_app.services.device import Refusal
from field_app.services.forms import PinRetry
from field_app.services.pin_policy import pin_problem
from field_app.services.problem import Problem

PIN_FIELDS = ("old_pin", "new_pin", "new_pin_repeat")


@dataclass
class ChangePinForm(PinRetry):
    """Old PIN, new PIN twice; problems by field and the last refusal's lines."""

    old_pin: str = ""
    new_pin: str = ""
    new_pin_repeat: str = ""
    errors: dict[str, Problem] = field(default_factory=dict)
    #: Lines under the old PIN after a wrong one (wrong, wait, tries left, wipe warning).
    refusal: list[Problem] = field(default_factory=list)
    busy: bool = False
    done: bool = False
    #: monotonic time before which another try is refused (the store's delay)
    retry_at: float = 0.0

    def validate(
        self, pin_rule: Callable[[str], Problem | None] = pin_problem
    ) -> dict[str, Problem]:
        """Problems by field name; empty when the form can be submitted."""
        errors: dict[str, Problem] = {}
        if not self.old_pin:
            errors["old_pin"] = Problem("err.required")
        if problem := pin_rule(self.new_pin):
            errors["new_pin"] = problem
        elif self.old_pin and self.new_pin == self.old_pin:
            errors["new_pin"] = Problem("err.same_pin")
        if not self.new_pin_repeat:
            errors["new_pin_repeat"] = Problem("err.required")
        elif "new_pin" not in errors and self.new_pin_repeat != self.new_pin:
            errors["new_pin_repeat"] = Problem("err.pin_mismatch")
        return errors

    def refused(self, refusal: Refusal, now: float) -> None:
        """A wrong old PIN (or a try too soon): the same lines the unlock screen shows."""
        self.refusal = self._refuse(refusal, now)
        self.old_pin = ""

    def clear_secrets(self) -> None:
        """Forget every PIN typed (after a change, or when leaving the screen)."""
        self.old_pin = self.new_pin = self.new_pin_repeat = ""


@dataclass
class SignOutForm:
    """What the worker did on the sign-out screen, kept while the screen is drawn again."""

    #: The worker ticked "I accept losing the unsent changes".
    confirmed: bool = False
    #: Signing out is under way (the button stays off).
    busy: bool = False

    def may_submit(self, plan: SignOutPlan, *, syncing: bool) -> bool:
        """The button works: not already signing out or syncing, and allowed by ``plan``."""
        return not self.busy and not syncing and plan.may_sign_out(self.confirmed)


@dataclass(frozen=True, slots=True)
class SignOutPlan:
    """What signing out now would cost, and what the screen must ask first."""

    pending: int

    @property
    def loses_changes(self) -> bool:
        """Changes not yet on the server would be erased with the phone's data."""
        return self.pending > 0

    def may_sign_out(self, confirmed_loss: bool) -> bool:
        """Signing out is allowed when nothing would be lost or the loss was confirmed."""
        return not self.loses_changes or confirmed_loss
