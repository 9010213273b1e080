"""Every error a worker can meet has words in Ukrainian and English in the app's tables.

The exceptions of the store and the sync client carry a code and their data, never
sentences; this is what keeps a new code from reaching the screen as a bare key.
"""

from __future__ import annotations

import string

import pytest

import field_app.sync.supervision  # noqa: F401  (ServerRefused is a SyncError too)
from field_app.i18n import EN, UK, Translator
from field_app.services.conflicts import ResolveInvalid
from field_app.services.pin_policy import POLICY_PROBLEMS
from field_app.services.sync_problems import sync_problem
from field_app.store import errors as store_errors
from field_app.store.pin_policy import POLICY_CODES
from field_app.sync.errors import SyncError, TooManyAttempts
from shared_models.messages import MESSAGES


def _all(cls: type) -> list[type]:
    out = [cls]
    for sub in cls.__subclasses__():
        out += _all(sub)
    return out


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


STORE_KEYS = sorted({f"store.err.{c.code}" for c in _all(store_errors.StoreError)
                     if c is not store_errors.PinPolicyError}
                    | {"store.err.wrong_pin_wipe_warning"}
                    | {f"store.err.{c}" for c in store_errors.RECORD_REFUSALS})
SYNC_KEYS = sorted({f"sync.err.{c.code}" for c in _all(SyncError)})
#: A refused value (resolving a conflict) carries a validation code of ``MESSAGES``.
VALID_KEYS = sorted({f"valid.{c}" for c in MESSAGES} | {"valid.invalid"})


@pytest.mark.parametrize("key", STORE_KEYS + SYNC_KEYS + VALID_KEYS)
def test_every_error_code_has_words_in_both_languages(key: str) -> None:
    assert UK.get(key) and EN.get(key), key
    assert _placeholders(UK[key]) == _placeholders(EN[key]), key


@pytest.mark.parametrize("code", POLICY_CODES)
def test_every_pin_policy_code_has_words(code: str) -> None:
    problem = POLICY_PROBLEMS[code]
    assert UK.get(problem.key) and EN.get(problem.key)


def test_errors_carry_data_for_their_words() -> None:
    wrong = store_errors.WrongPin(retry_after=30, attempts_left=2, unsynced_changes=5, warn=True)
    text = Translator("uk").t(f"store.err.{wrong.code}", **wrong.params())
    assert "2" in text and "5" in text and "{" not in text
    minutes = sync_problem(TooManyAttempts(retry_after=600))
    assert Translator("en").t(minutes.key, **minutes.params) == (
        "Too many sign-in attempts. Try again in 10 min.")


def test_exceptions_hold_no_sentences() -> None:
    for cls in _all(store_errors.StoreError) + _all(SyncError) + [ResolveInvalid]:
        names = set(vars(cls))
        assert not names & {"uk", "en", "message_uk", "message_en", "message"}, cls


def test_a_refused_value_is_worded_from_its_code_and_data() -> None:
    refusal = ResolveInvalid("string_too_long", {"max_length": 100})
    assert "uk" not in refusal.problem.params
    assert Translator("uk").t(refusal.problem.key, **refusal.problem.params) == (
        "Не більше 100 символів")
