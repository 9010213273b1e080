"""Real encrypted stores for the record screens' service and flow tests (cheap KDF)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Account
from field_app.sync.client import ACCOUNT_SECRET

PIN = "246810"


def real_store(folder: Path, *, username: str = "olena", role: str = "social_worker",
               communities: tuple[str, ...] = ("zhytomyrska",)) -> LocalStore:
    """A new unlocked store in ``folder``, signed in as ``username`` (as after first start)."""
    store = LocalStore.create(folder / "store.db", PIN, kdf=TEST_KDF)
    store.set_user(username)
    account = Account(username=username, role=role, communities=list(communities),
                      device_id="test-device")
    store.set_secret(ACCOUNT_SECRET, json.dumps(asdict(account)).encode())
    return store
