"""Fixtures for the store tests: real SQLite files in tmp_path, cheap KDF unless stated."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from field_app.store import TEST_KDF, LocalStore, LockoutPolicy
from field_app.store.vault import KdfParams, derive_kek, unwrap_key
from shared_models.records import Family, Note, Person, Visit

PIN = "483920"
COMMUNITY = "zhytomyrska"


def family(**kw: Any) -> Family:
    """A valid family; keyword arguments override fields."""
    data: dict[str, Any] = {"community": COMMUNITY, "family_name": "Коваленко",
                            "settlement": "Житомир"}
    data.update(kw)
    return Family(**data)


def person(family_id: uuid.UUID, **kw: Any) -> Person:
    """A valid child of a family."""
    data: dict[str, Any] = {"community": COMMUNITY, "family_id": family_id,
                            "last_name": "Коваленко", "first_name": "Марія"}
    data.update(kw)
    return Person(**data)


def visit(family_id: uuid.UUID, **kw: Any) -> Visit:
    """A valid home visit an hour ago."""
    data: dict[str, Any] = {"community": COMMUNITY, "family_id": family_id,
                            "visited_at": datetime.now(UTC) - timedelta(hours=1),
                            "risk_level": "low", "author": "olena"}
    data.update(kw)
    return Visit(**data)


def note(family_id: uuid.UUID, **kw: Any) -> Note:
    """A valid note."""
    data: dict[str, Any] = {"community": COMMUNITY, "family_id": family_id,
                            "text": "Родина отримала консультацію",
                            "written_at": datetime.now(UTC) - timedelta(minutes=5),
                            "author": "olena"}
    data.update(kw)
    return Note(**data)


def store_files(path: Path) -> list[Path]:
    """Every file in the store's directory (db, -wal, -shm, journals, temp files)."""
    return [p for p in path.parent.rglob("*") if p.is_file()]


def raw_bytes(path: Path) -> bytes:
    """Concatenated raw bytes of every file in the store's directory."""
    return b"".join(p.read_bytes() for p in store_files(path))


def sql(path: Path, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run raw SQL on the store file, behind the store's back (tests of tampering)."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute(query, params).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def data_key(path: Path, pin: str = PIN) -> bytes:
    """The data key, unwrapped the way the store does (to look for it where it must not be)."""
    ((key_id, kdf, salt, secret, wrapped),) = sql(
        path, "SELECT key_id, kdf, salt, with_secret, wrapped_key FROM local_vault")
    params = KdfParams.from_json(kdf)
    key = unwrap_key(wrapped, derive_kek(pin, salt, params, None), key_id=key_id,
                     params=params, salt=salt, with_secret=bool(secret))
    assert key is not None
    return bytes(key)


class FakeTime:
    """A wall clock the tests move by hand (lockout delays without sleeping)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the store lives (its own directory, so every file it makes can be scanned)."""
    d = tmp_path / "data"
    d.mkdir()
    return d / "poruch.db"


@pytest.fixture
def store(path: Path) -> Iterator[LocalStore]:
    """An unlocked store with cheap KDF parameters and a signed-in user."""
    s = LocalStore.create(path, PIN, kdf=TEST_KDF)
    s.set_user("olena")
    yield s
    s.close()


def create_store(path: Path, *, policy: LockoutPolicy | None = None, **kw: Any) -> LocalStore:
    """A store with cheap KDF parameters."""
    return LocalStore.create(path, PIN, kdf=TEST_KDF, policy=policy, **kw)
