"""Which PINs the app accepts, as the first-start and change-PIN forms show it.

The rule is the store's (``field_app.store.check_pin``: at least 6 digits that are not a
pattern, or a passphrase of 10+ characters); this module only turns its stable codes into
our i18n keys so the problem is shown next to the field in the worker's language.
"""

from __future__ import annotations

from field_app.services.problem import Problem
from field_app.store import PinPolicyError, check_pin
from field_app.store.pin_policy import PASSPHRASE_MIN_CHARS, PIN_MIN_DIGITS

#: The store's policy codes -> our problems.
POLICY_PROBLEMS: dict[str, Problem] = {
    "empty": Problem("err.required"),
    "pin_too_short": Problem("err.pin_short", {"min": PIN_MIN_DIGITS}),
    "pin_trivial": Problem("err.pin_trivial"),
    "passphrase_too_short": Problem("err.pin_digits", {"min": PASSPHRASE_MIN_CHARS}),
    "passphrase_trivial": Problem("err.passphrase_trivial"),
    "edge_whitespace": Problem("err.edge_whitespace"),
    "same_pin": Problem("err.same_pin"),
}


def policy_problem(exc: PinPolicyError) -> Problem:
    """Our problem for the store's refusal (a generic one for a code we do not know yet)."""
    return POLICY_PROBLEMS.get(exc.code, Problem("err.pin_other"))


def pin_problem(pin: str) -> Problem | None:
    """What is wrong with ``pin`` as a new PIN, or ``None`` when the store accepts it."""
    try:
        check_pin(pin)
    except PinPolicyError as exc:
        return policy_problem(exc)
    return None
