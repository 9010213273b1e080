"""Unlocking against the vault row: lockout delays, the attempt counter, the key wipe.

Order of an attempt, and why:

1. Refuse without running the KDF while the delay after the last wrong PINs runs
   (``TryLater``): delays cost the guesser time, not us CPU.
2. Count the attempt as *unconfirmed* and commit before the KDF runs, so killing the app
   mid-attempt cannot dodge the delay. Unconfirmed attempts slow down but never wipe: a phone
   killed during unlock by the OS must not lose its data.
3. Run Argon2id and unwrap. A wrong PIN becomes a confirmed failure, committed before the error
   is raised; ``max_attempts`` confirmed failures in a row destroy the wrapped key.

The counters are not secret and not authenticated: whoever can rewrite the file can reset
them, but that person can also copy the file and guess offline, where only Argon2id's cost
and the device secret protect (docs/device-security.md). The counter guards the app's own
PIN screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from field_app.store import kdf, schema
from field_app.store.errors import SecretMissing, StoreNotFound, StoreWiped, TryLater, WrongPin
from field_app.store.schema import LocalOutbox, LocalVault, table_of
from field_app.store.vault import (
    KdfParams,
    LockoutPolicy,
    derive_kek,
    new_salt,
    unwrap_key,
    wrap_key,
)

log = logging.getLogger(__name__)
V = table_of(LocalVault)


@dataclass(frozen=True, slots=True)
class VaultState:
    """The vault row as read (public parameters and counters only)."""

    key_id: str
    kdf: KdfParams
    salt: bytes
    with_secret: bool
    wrapped_key: bytes | None
    policy: LockoutPolicy
    failures: int
    unconfirmed: int
    last_failure_ms: int
    wiped: bool


def read_vault(conn: Connection) -> VaultState:
    """The vault row; ``StoreNotFound`` when the file holds no store."""
    try:
        row = conn.execute(select(V).where(V.c.id == 1)).mappings().first()
    except DBAPIError as exc:  # a file that is not a store (no table, not SQLite)
        raise StoreNotFound() from exc
    if row is None:
        raise StoreNotFound()
    return VaultState(
        key_id=row["key_id"], kdf=KdfParams.from_json(row["kdf"]), salt=row["salt"],
        with_secret=bool(row["with_secret"]), wrapped_key=row["wrapped_key"],
        policy=LockoutPolicy.from_json(row["policy"]), failures=row["failures"],
        unconfirmed=row["unconfirmed"], last_failure_ms=row["last_failure_ms"],
        wiped=row["wiped_ms"] is not None or row["wrapped_key"] is None,
    )


def retry_after(v: VaultState, now_ms: int) -> float:
    """Seconds until the next attempt is allowed (0 when it is allowed now)."""
    wait = v.policy.delay_after(v.failures + v.unconfirmed)
    if wait <= 0:
        return 0.0
    left = (v.last_failure_ms + wait * 1000 - now_ms) / 1000
    # A last failure stamped in the future (the clock was set back) costs one delay, not more.
    return max(0.0, min(left, wait))


def count_pending(conn: Connection) -> int:
    """Outbox entries not yet acknowledged (readable without the key: it is a count)."""
    return int(conn.execute(select(func.count()).select_from(LocalOutbox)).scalar_one())


def destroy_key(conn: Connection, now_ms: int) -> None:
    """Forget the wrapped key and delete every sealed row (secure_delete zeroes the pages)."""
    conn.execute(update(V).where(V.c.id == 1).values(
        wrapped_key=None, salt=b"", wiped_ms=now_ms))
    for table in schema.DATA_TABLES:
        conn.execute(delete(table))


def attempt(engine: Engine, pin: str, *, device_secret: bytes | None,
            now: Callable[[], float]) -> tuple[bytearray, str]:
    """Unwrap the data key with ``pin`` under the lockout rules; returns (key, key id)."""
    reader = engine.execution_options(**{schema.READ_ONLY: True})
    try:
        with reader.connect() as conn:
            v = read_vault(conn)
    except DBAPIError as exc:  # not an SQLite file at all
        raise StoreNotFound() from exc
    if v.wiped:
        raise StoreWiped()
    now_ms = int(now() * 1000)
    if v.with_secret and device_secret is None:
        raise SecretMissing()  # not the PIN's fault: no attempt is counted
    wait = retry_after(v, now_ms)
    if wait > 0:
        raise TryLater(wait)
    # No Argon2id on this platform: not the PIN's fault, so raised before the attempt counts.
    kdf.active_backend()
    with engine.begin() as conn:
        conn.execute(update(V).where(V.c.id == 1).values(
            unconfirmed=V.c.unconfirmed + 1, last_failure_ms=now_ms))
    if v.wrapped_key is None:  # read_vault marks this wiped; kept for the type checker
        raise StoreWiped()
    kek = derive_kek(pin, v.salt, v.kdf, device_secret if v.with_secret else None)
    key = unwrap_key(v.wrapped_key, kek, key_id=v.key_id, params=v.kdf, salt=v.salt,
                     with_secret=v.with_secret)
    done_ms = int(now() * 1000)
    with engine.begin() as conn:
        cur = read_vault(conn)
        unconfirmed = max(0, cur.unconfirmed - 1)
        if key is not None:
            conn.execute(update(V).where(V.c.id == 1).values(
                failures=0, unconfirmed=0, last_failure_ms=0))
            return key, v.key_id
        failures = cur.failures + 1
        if failures >= v.policy.max_attempts:
            destroy_key(conn, done_ms)
            log.warning("data key destroyed after %d wrong PINs in a row", failures)
            wiped = True
        else:
            conn.execute(update(V).where(V.c.id == 1).values(
                failures=failures, unconfirmed=unconfirmed, last_failure_ms=done_ms))
            pending = count_pending(conn)
            wiped = False
    if wiped:
        checkpoint(engine)
        raise StoreWiped()
    log.info("wrong PIN (failures in a row: %d)", failures)
    left = v.policy.max_attempts - failures
    raise WrongPin(retry_after=v.policy.delay_after(failures + unconfirmed),
                   attempts_left=left, unsynced_changes=pending,
                   warn=left <= v.policy.warn_from)


def rewrap(engine: Engine, key: bytes | bytearray, key_id: str, pin: str, *,
           kdf: KdfParams, device_secret: bytes | None) -> None:
    """Wrap the same data key under a new PIN (and salt); nothing else is re-encrypted."""
    salt = new_salt()
    kek = derive_kek(pin, salt, kdf, device_secret)
    wrapped = wrap_key(key, kek, key_id=key_id, params=kdf, salt=salt,
                       with_secret=device_secret is not None)
    with engine.begin() as conn:
        conn.execute(update(V).where(V.c.id == 1).values(
            kdf=kdf.to_json(), salt=salt, wrapped_key=wrapped,
            with_secret=device_secret is not None, failures=0, unconfirmed=0,
            last_failure_ms=0))
    # The old wrapped key must not linger in the WAL, where the old PIN would still open it.
    checkpoint(engine)


def checkpoint(engine: Engine) -> None:
    """Copy the WAL into the database and truncate it to zero bytes."""
    with engine.connect() as conn:
        conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
            "PRAGMA wal_checkpoint(TRUNCATE)")
