"""Accounts, devices and login: keyword-only services on a connection or an engine.

Login answers the same for an unknown user and a wrong password (and spends the same Argon2
time on both), counts failures per account and per address in the database (so the limit
holds across instances), and registers a device with a fresh token.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update

from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.protocol import ErrorCode
from shared_models.revocation import LostWorkReport
from sync_server.audit import AuditEvent, write_events
from sync_server.db import as_utc, read_tx, write_tx
from sync_server.errors import (
    ApiError,
    ForbiddenError,
    RateLimitedError,
    UnauthenticatedError,
)
from sync_server.permissions import Principal
from sync_server.security import hash_password, needs_rehash, new_token, token_hash, verify_password
from sync_server.settings import Settings
from sync_server.tables import DeviceRow, LoginFailure, UserCommunity, UserRow, table_of

USERS = table_of(UserRow)
USER_COMMUNITIES = table_of(UserCommunity)
DEVICES = table_of(DeviceRow)
FAILURES = table_of(LoginFailure)
#: How stale ``device.last_seen_at`` may get before a request refreshes it (saves writes).
LAST_SEEN_GRANULARITY = timedelta(minutes=5)
BAD_CREDENTIALS_MESSAGE = ("Неправильне ім'я користувача або пароль "
                           "(wrong username or password)")
REVOKED_MESSAGE = (
    "Цей пристрій відкликано: дані на ньому буде стерто, увійдіть знову "
    "(this device was revoked: its data will be wiped)"
)

EXPIRED_MESSAGE = (
    "Сеанс цього пристрою завершився, бо ним давно не користувалися: увійдіть знову, "
    "незбережені зміни залишаться на телефоні "
    "(this device's session expired after a long time unused: sign in again)"
)


class AccountError(ValueError):
    """An account operation that cannot be done (unknown user, duplicate name...)."""


def create_user(
    conn: Connection,
    *,
    username: str,
    role: Role,
    communities: Iterable[CommunityCode] = (),
    password: str | None = None,
    password_hash: str | None = None,
    settings: Settings,
) -> int:
    """Create an account; give ``password`` (hashed here) or an Argon2id ``password_hash``."""
    if (password is None) == (password_hash is None):
        raise AccountError("give exactly one of password and password_hash")
    if not username or len(username) > 64 or not username.isprintable() or " " in username:
        raise AccountError(f"invalid username: {username!r}")
    if conn.execute(select(USERS.c.id).where(USERS.c.username == username)).first():
        raise AccountError(f"user {username!r} already exists")
    hashed = password_hash or hash_password(
        password or "", memory_kib=settings.argon2_memory_kib, time_cost=settings.argon2_time_cost
    )
    user_id = conn.execute(
        insert(USERS).values(username=username, password_hash=hashed, role=role.value,
                             active=True, created_at=datetime.now(UTC)).returning(USERS.c.id)
    ).scalar_one()
    set_communities(conn, user_id=user_id, communities=communities)
    return int(user_id)


def set_communities(
    conn: Connection, *, user_id: int, communities: Iterable[CommunityCode]
) -> None:
    """Replace the communities a user is bound to (their devices are told what to purge)."""
    conn.execute(delete(USER_COMMUNITIES).where(USER_COMMUNITIES.c.user_id == user_id))
    rows = [{"user_id": user_id, "community": CommunityCode(c).value} for c in set(communities)]
    if rows:
        conn.execute(insert(USER_COMMUNITIES), rows)


def set_role(conn: Connection, *, user_id: int, role: Role) -> None:
    """Change a user's role. Their devices learn it at the next pull: when the new role sees
    conflicts differently, they read their communities again (``pull.rescan_needed``)."""
    conn.execute(update(USERS).where(USERS.c.id == user_id).values(role=Role(role).value))


def user_id_of(conn: Connection, username: str) -> int:
    """Id of ``username``; raises ``AccountError`` when there is none."""
    uid = conn.execute(select(USERS.c.id).where(USERS.c.username == username)).scalar()
    if uid is None:
        raise AccountError(f"no such user: {username!r}")
    return int(uid)


def bound_communities(conn: Connection, user_id: int) -> frozenset[CommunityCode]:
    """Communities a user is bound to."""
    rows = conn.execute(
        select(USER_COMMUNITIES.c.community).where(USER_COMMUNITIES.c.user_id == user_id)
    ).scalars()
    return frozenset(CommunityCode(c) for c in rows)


def authenticate(engine: Engine, token: str, *, idle_limit: timedelta | None = None) -> Principal:
    """The principal of a device token; 401 ``device_revoked`` for a revoked device.

    A token unused for longer than ``idle_limit`` has expired (401 ``unauthenticated``): a
    phone lost in a drawer stops being a key to the server, while the worker of a phone in
    use merely signs in again — the device keeps its unsent changes (only revocation wipes).
    """
    now = datetime.now(UTC)
    with read_tx(engine) as conn:
        row = conn.execute(
            select(DEVICES.c.id, DEVICES.c.revoked_at, DEVICES.c.last_seen_at, USERS.c.id,
                   USERS.c.username, USERS.c.role, USERS.c.active)
            .join(USERS, USERS.c.id == DEVICES.c.user_id)
            .where(DEVICES.c.token_hash == token_hash(token))
        ).first()
        if row is None:
            raise UnauthenticatedError()
        device_id, revoked_at, last_seen, user_id, username, role, active = row
        if revoked_at is not None or not active:
            raise UnauthenticatedError(ErrorCode.DEVICE_REVOKED, REVOKED_MESSAGE)
        if (idle_limit is not None and last_seen is not None
                and as_utc(last_seen) < now - idle_limit):
            raise UnauthenticatedError(message=EXPIRED_MESSAGE)
        bound = bound_communities(conn, user_id)
    if last_seen is None or as_utc(last_seen) < now - LAST_SEEN_GRANULARITY:
        with write_tx(engine) as conn:
            conn.execute(update(DEVICES).where(DEVICES.c.id == device_id)
                         .values(last_seen_at=now))
    return Principal(user_id, username, Role(role), bound, device_id)


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A successful login: the new device and its token (shown once)."""

    token: str
    device_id: uuid.UUID
    username: str
    role: Role
    communities: frozenset[CommunityCode]


def _retry_after(conn: Connection, key: str, limit: int, since: datetime, window: int) -> int:
    """Seconds until ``key`` is under ``limit`` failures again (0: it is now)."""
    times = conn.execute(
        select(FAILURES.c.at).where(FAILURES.c.key == key, FAILURES.c.at > since)
        .order_by(FAILURES.c.at.desc()).limit(limit)
    ).scalars().all()
    if len(times) < limit:
        return 0
    oldest = as_utc(times[-1])
    wait = (oldest + timedelta(seconds=window)) - datetime.now(UTC)
    return max(1, math.ceil(wait.total_seconds()))


def login(
    engine: Engine,
    *,
    username: str,
    password: str,
    device_name: str,
    address: str | None,
    settings: Settings,
) -> LoginResult:
    """Check credentials and register a device; rate-limited per account and per address."""
    now = datetime.now(UTC)
    since = now - timedelta(seconds=settings.login_window_seconds)
    account_key = "user:" + username.casefold()[:90]
    keys = [(account_key, settings.login_max_failures_per_account)]
    if address:
        keys.append(("addr:" + address, settings.login_max_failures_per_address))
    with read_tx(engine) as conn:
        wait = max(_retry_after(conn, k, lim, since, settings.login_window_seconds)
                   for k, lim in keys)
        user = conn.execute(
            select(USERS.c.id, USERS.c.password_hash, USERS.c.role, USERS.c.active)
            .where(USERS.c.username == username)
        ).first()
    if wait:
        with write_tx(engine) as conn:
            write_events(conn, [AuditEvent("login", "rate_limited", actor=username[:64],
                                           address=address)])
        raise RateLimitedError(wait)
    cost = {"memory_kib": settings.argon2_memory_kib, "time_cost": settings.argon2_time_cost}
    # Unknown users cost the same Argon2 time as known ones: no timing hint either.
    stored = user.password_hash if user is not None else _dummy_hash(settings)
    ok = verify_password(stored, password, **cost) and user is not None and bool(user.active)
    if not ok or user is None:
        with write_tx(engine) as conn:
            conn.execute(insert(FAILURES), [{"key": k, "at": now} for k, _ in keys])
            write_events(conn, [AuditEvent("login", "failed", actor=username[:64],
                                           address=address)])
        raise ApiError(401, ErrorCode.BAD_CREDENTIALS, BAD_CREDENTIALS_MESSAGE)
    token, hashed = new_token()
    device_id = uuid.uuid4()
    with write_tx(engine) as conn:
        conn.execute(insert(DEVICES).values(
            id=device_id, user_id=user.id, name=device_name[:100], token_hash=hashed,
            created_at=now, last_seen_at=now))
        conn.execute(delete(FAILURES).where(FAILURES.c.key == account_key))
        if needs_rehash(stored, **cost):
            conn.execute(update(USERS).where(USERS.c.id == user.id)
                         .values(password_hash=hash_password(password, **cost)))
        write_events(conn, [AuditEvent("login", "ok", actor=username, device_id=device_id,
                                       address=address)])
        bound = bound_communities(conn, user.id)
    return LoginResult(token, device_id, username, Role(user.role), bound)


_DUMMY: dict[tuple[int, int], str] = {}


def _dummy_hash(settings: Settings) -> str:
    key = (settings.argon2_memory_kib, settings.argon2_time_cost)
    if key not in _DUMMY:
        _DUMMY[key] = hash_password("not-a-password", memory_kib=key[0], time_cost=key[1])
    return _DUMMY[key]


def set_active(conn: Connection, *, user_id: int, active: bool) -> None:
    """Enable or disable an account; a disabled account's devices are told to wipe."""
    conn.execute(update(USERS).where(USERS.c.id == user_id).values(active=active))


def revoke_device(conn: Connection, *, device_id: uuid.UUID) -> bool:
    """Revoke a device (idempotent). ``False`` when there is no such device."""
    found = conn.execute(select(DEVICES.c.revoked_at).where(DEVICES.c.id == device_id)).first()
    if found is None:
        return False
    if found.revoked_at is None:
        conn.execute(update(DEVICES).where(DEVICES.c.id == device_id)
                     .values(revoked_at=datetime.now(UTC)))
    return True


NOT_REVOKED_MESSAGE = ("Цей пристрій не відкликано: звіт про втрачені зміни не потрібен "
                       "(this device is not revoked: nothing to report)")
ALREADY_REPORTED_MESSAGE = ("Цей пристрій уже повідомив про втрачені зміни "
                            "(this revoked device has already reported what it lost)")


def report_lost_work(engine: Engine, token: str, report: LostWorkReport, *,
                     address: str | None = None) -> uuid.UUID:
    """Keep what a revoked device says it lost by wiping; its id.

    The one thing a revoked token may still do, and only once: the row is written only while
    ``lost_reported_at`` is empty, in one UPDATE, so two racing reports cannot both land.
    A token no device has is 401; a device that is not revoked (nor its account disabled)
    is 403 ``forbidden``, one that already reported 403 ``lost_work_already_reported`` —
    both audited as refusals.
    """
    with write_tx(engine) as conn:
        row = conn.execute(
            select(DEVICES.c.id, DEVICES.c.revoked_at, USERS.c.username, USERS.c.active)
            .join(USERS, USERS.c.id == DEVICES.c.user_id)
            .where(DEVICES.c.token_hash == token_hash(token))
        ).first()
        if row is None:
            raise UnauthenticatedError()
        device_id, revoked_at, username, active = row
        if revoked_at is None and active:
            raise ForbiddenError(NOT_REVOKED_MESSAGE)
        written = conn.execute(
            update(DEVICES)
            .where(DEVICES.c.id == device_id, DEVICES.c.lost_reported_at.is_(None))
            .values(lost_reported_at=datetime.now(UTC),
                    lost_work=report.model_dump(mode="json"))
        ).rowcount
        if written != 1:
            # Its own code: the device that crashed after the first report, before its
            # wipe, asks again and must learn that the administrator was told.
            raise ApiError(403, ErrorCode.LOST_WORK_ALREADY_REPORTED, ALREADY_REPORTED_MESSAGE)
        kinds = " ".join(f"{k.value}={n}" for k, n in sorted(report.outbox.items()) if n)
        write_events(conn, [AuditEvent(
            "lost_work_report", "ok", actor=username, device_id=device_id, address=address,
            detail=f"changes={report.changes} drafts={report.drafts} {kinds}".strip())])
    return uuid.UUID(str(device_id))


def prune_failures(conn: Connection, *, older_than: datetime) -> int:
    """Delete login failures older than the window (they no longer count)."""
    return conn.execute(delete(FAILURES).where(FAILURES.c.at < older_than)).rowcount
