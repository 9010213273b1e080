"""pytest plugin: cryptography behaves as on the phone, whose Python bundles OpenSSL 3.0.

cryptography's Argon2id fails as it does there (``no_argon2.PhoneArgon2id``). Loaded with
``-p tests.phone.openssl30`` by the phone-versions job (``tools/android/phone_tests.py``), so the
shared, store and sync tests run through the Argon2id implementation the phone uses
(argon2-cffi-bindings); the run fails if the store took any other.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from cryptography.hazmat.primitives.kdf import argon2

from tests.phone.no_argon2 import PhoneArgon2id

# At import, before any conftest imports the store: the phone's cryptography has no Argon2id.
argon2.Argon2id = PhoneArgon2id  # type: ignore[assignment]

#: Key derivations per implementation during the run (``field_app.store.kdf.derive``).
USED: Counter[str] = Counter()


def pytest_configure(config: pytest.Config) -> None:
    """Count which implementation derives each key (the store looks it up at each call)."""
    from field_app.store import kdf

    kdf.reset()
    real = kdf.argon2id

    def counting(backend: str, password: bytes, **kw: Any) -> bytes:
        key = real(backend, password, **kw)
        USED[backend] += 1                 # only derivations that succeeded
        return key

    kdf.argon2id = counting


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run unless keys were derived, and only through the phone's implementation."""
    from field_app.store import kdf

    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: the controller judges the sum
        workeroutput["argon2id_used"] = dict(USED)
        return
    wrong = {b: n for b, n in USED.items() if b != kdf.BINDINGS}
    if exitstatus == 0 and (wrong or USED[kdf.BINDINGS] == 0):
        print(f"\nphone job: Argon2id derivations by implementation: {dict(USED)} "
              f"(expected only {kdf.BINDINGS})")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        print(f"\nphone job: Argon2id derivations by implementation: {dict(USED)}")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """Under pytest-xdist, add each worker's derivations (sent when its session ends)."""
    USED.update(getattr(node, "workeroutput", {}).get("argon2id_used", {}))
