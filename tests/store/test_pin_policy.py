"""The PIN policy: length, trivial patterns, passphrases, messages in both languages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from field_app.store import PinPolicyError, check_pin
from field_app.store.pin_policy import POLICY_CODES


@pytest.mark.parametrize("pin", ["483920", "730194", "5820391", "9081726354",
                                 "сонячний день", "correct horse", "Житомир-2026"])
def test_good_pins_and_passphrases_pass(pin: str) -> None:
    check_pin(pin)


@pytest.mark.parametrize(("pin", "code"), [
    ("", "empty"), ("12345", "pin_too_short"), ("48392", "pin_too_short"),
    ("123456", "pin_trivial"), ("654321", "pin_trivial"), ("111111", "pin_trivial"),
    ("000000", "pin_trivial"), ("012345", "pin_trivial"), ("890123", "pin_trivial"),
    ("121212", "pin_trivial"), ("123123", "pin_trivial"), ("112211", "pin_trivial"),
    ("123321", "pin_trivial"), ("1234567890", "pin_trivial"),
    ("пароль", "passphrase_too_short"), ("abc12", "passphrase_too_short"),
    ("aaaaaaaaaaaa", "passphrase_trivial"), ("ababababab", "passphrase_trivial"),
    (" 483920", "edge_whitespace"), ("483920 ", "edge_whitespace"),
])
def test_weak_choices_are_refused_with_a_code(pin: str, code: str) -> None:
    with pytest.raises(PinPolicyError) as err:
        check_pin(pin)
    assert err.value.code == code
    assert code in POLICY_CODES   # worded in both languages: tests/ui/test_error_texts.py
    assert pin.strip() == "" or pin.strip() not in str(err.value)  # never echo the PIN


@given(st.integers(0, 9), st.integers(6, 12))
def test_every_repeated_digit_pin_is_refused(digit: int, length: int) -> None:
    with pytest.raises(PinPolicyError):
        check_pin(str(digit) * length)


@given(st.integers(0, 9), st.integers(6, 10), st.sampled_from([1, -1]))
def test_every_consecutive_sequence_is_refused(start: int, length: int, step: int) -> None:
    pin = "".join(str((start + step * i) % 10) for i in range(length))
    with pytest.raises(PinPolicyError):
        check_pin(pin)
