"""The server's tables: merged records and their feed, one typed table per kind, accounts.

Two layers hold the synced data:

* ``record`` — one row per record: identity, feed ``position`` and the full merged
  ``RecordState`` as JSON (current write, ``unseen`` losers, ``superseded`` clocks). The merge
  reads and writes only this; the pull pages through it by ``(community, position)`` and sends
  each row's ``wire`` text (its ``RecordChange``, computed when the row is written).
* ``family``, ``person``, ``visit``, ``note``, ``review``, ``conflict`` — typed tables generated
  from the shared SQLModel definitions (so they cannot drift from them), holding each record's
  current validated values. Written in the same transaction as ``record``; used for exports
  and queries by field.

Accounts: ``app_user``, ``user_community``, ``device`` (token stored only as its SHA-256),
``device_community`` (what a device has pulled, to tell it what to purge). Bookkeeping:
``feed_counter`` (one row per community), ``applied_mutation`` (idempotency), ``history``
(every accepted write), ``audit_log`` (append-only), ``login_failure`` (rate limits).
"""

from __future__ import annotations

import enum
import types
import typing
import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from pydantic.fields import FieldInfo
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared_models.enums import RecordKind
from shared_models.records import KINDS, Record

#: JSON everywhere, JSONB on PostgreSQL (smaller, faster to read).
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")
#: 64-bit ids that still autoincrement on SQLite (which only does so for INTEGER).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware timestamp stored as UTC on every backend.

    PostgreSQL's ``timestamptz`` converts by itself; SQLite would keep the wall-clock digits
    of whatever offset a value came with (a visit at 00:05 Kyiv time read back as 00:05 UTC),
    which shifted exports and period filters by two or three hours.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect
                           ) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect
                             ) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


TZ = UtcDateTime()
metadata = SQLModel.metadata


class FeedCounter(SQLModel, table=True):
    """Last feed position handed out in a community; bumped inside each writing transaction."""

    __tablename__ = "feed_counter"
    community: str = Field(primary_key=True, max_length=32)
    position: int = Field(default=0, sa_type=sa.BigInteger)


class RecordRow(SQLModel, table=True):
    """A record's merged state at its latest feed position."""

    __tablename__ = "record"
    __table_args__ = (sa.UniqueConstraint("community", "position", name="uq_record_feed"),)
    id: uuid.UUID = Field(primary_key=True)
    kind: str = Field(max_length=16)
    community: str = Field(max_length=32)
    position: int = Field(sa_type=sa.BigInteger)
    deleted: bool = False
    state: dict[str, Any] = Field(sa_type=JSONType)
    updated_at: datetime = Field(sa_type=TZ)
    #: The record's ``RecordChange`` JSON as pull pages send it (``statejson.feed_columns``).
    wire: str = Field(sa_type=sa.Text)
    #: Conflict records only: the authors of the two sides, who may pull it besides reviewers.
    winner_author: str | None = Field(default=None, max_length=64)
    loser_author: str | None = Field(default=None, max_length=64)


class UserRow(SQLModel, table=True):
    """An account. Coordinators and admins see every community; others their bound ones."""

    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    password_hash: str = Field(max_length=256)
    role: str = Field(max_length=32)
    active: bool = True
    created_at: datetime = Field(sa_type=TZ)


class UserCommunity(SQLModel, table=True):
    """A user's binding to a community (workers and supervisors)."""

    __tablename__ = "user_community"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, ondelete="CASCADE")
    community: str = Field(primary_key=True, max_length=32)


class DeviceRow(SQLModel, table=True):
    """A logged-in device. The token itself is never stored, only its SHA-256."""

    __tablename__ = "device"
    id: uuid.UUID = Field(primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(sa_type=TZ)
    last_seen_at: datetime | None = Field(default=None, sa_type=TZ)
    revoked_at: datetime | None = Field(default=None, sa_type=TZ)
    # What the device reported it lost when it wiped after revocation (counts only, see
    # ``shared_models.revocation``); set once, by the one call a revoked token may make.
    lost_reported_at: datetime | None = Field(default=None, sa_type=TZ)
    lost_work: dict[str, Any] | None = Field(default=None, sa_type=JSONType)


class DeviceCommunity(SQLModel, table=True):
    """A community a device has pulled: when the user loses it, the device is told to purge."""

    __tablename__ = "device_community"
    device_id: uuid.UUID = Field(foreign_key="device.id", primary_key=True, ondelete="CASCADE")
    community: str = Field(primary_key=True, max_length=32)


class AppliedMutation(SQLModel, table=True):
    """The stored answer to an accepted mutation id, so a replay answers the same."""

    __tablename__ = "applied_mutation"
    mutation_id: uuid.UUID = Field(primary_key=True)
    device_id: uuid.UUID | None = None
    record_id: uuid.UUID
    payload_hash: str = Field(max_length=64)
    status: str = Field(max_length=16)
    code: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=500)
    applied_at: datetime = Field(sa_type=TZ)


class MutationHistory(SQLModel, table=True):
    """One accepted mutation's new field writes, each with the value it replaced (if any).

    ``writes``: ``{field: [value, clock, supersedes, previous_value, previous_clock]}`` with
    trailing empty parts left out (``sync_server.history`` writes and reads them).
    """

    __tablename__ = "mutation_history"
    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    record_id: uuid.UUID = Field(index=True)
    kind: str = Field(max_length=16)
    community: str = Field(max_length=32)
    author: str = Field(max_length=64)
    writes: dict[str, Any] = Field(sa_type=JSONType)
    mutation_id: uuid.UUID | None = None
    recorded_at: datetime = Field(sa_type=TZ)


class AuditEntry(SQLModel, table=True):
    """Append-only audit: who, what, when, which record ids. Never names, notes or tokens."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    at: datetime = Field(sa_type=TZ, index=True)
    actor: str | None = Field(default=None, max_length=64, index=True)
    device_id: uuid.UUID | None = None
    action: str = Field(max_length=40)
    outcome: str = Field(max_length=16)
    community: str | None = Field(default=None, max_length=32)
    record_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    detail: str = Field(default="", max_length=300)
    address: str | None = Field(default=None, max_length=64)


class LoginFailure(SQLModel, table=True):
    """A failed login, keyed by account or by (keyed hash of the) address, for rate limits."""

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_key_at", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    key: str = Field(max_length=100)
    at: datetime = Field(sa_type=TZ)


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table of one of the models above, typed (SQLModel does not declare ``__table__``)."""
    table = sa.inspect(model).local_table
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to a table of its own")
    return table


# --- typed tables, one per shared kind ---------------------------------------------------

#: Python type -> SQL type, most specific first (bool before int, datetime before date).
_SIMPLE_TYPES: tuple[tuple[type, sa.types.TypeEngine[Any]], ...] = (
    (bool, sa.Boolean()),
    (enum.Enum, sa.String(32)),      # stored as the enum's ASCII value
    (uuid.UUID, sa.Uuid()),
    (datetime, TZ),
    (date, sa.Date()),
)


def _column_type(annotation: Any, max_length: int | None) -> tuple[sa.types.TypeEngine[Any], bool]:
    """SQL type of a model field annotation, and whether it is nullable."""
    nullable = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        annotation = args[0] if len(args) == 1 else Any
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type):
        if issubclass(annotation, str) and not issubclass(annotation, enum.Enum):
            return (sa.String(max_length) if max_length else sa.Text()), nullable
        for python_type, sql_type in _SIMPLE_TYPES:
            if issubclass(annotation, python_type):
                return sql_type, nullable
    return JSONType, True                        # lists and free values


def _max_length(info: FieldInfo) -> int | None:
    for meta in info.metadata:
        value = getattr(meta, "max_length", None)
        if isinstance(value, int):
            return value
    return None


def _kind_table(kind: RecordKind, model: type[Record]) -> sa.Table:
    columns: list[sa.Column[Any]] = [
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("community", sa.String(32), nullable=False, index=True),
    ]
    for name, info in model.model_fields.items():
        if name in ("id", "community"):
            continue
        col_type, nullable = _column_type(info.annotation, _max_length(info))
        indexed = name.endswith("_id")
        columns.append(sa.Column(name, col_type, nullable=nullable, index=indexed))
    columns.append(sa.Column("updated_at", TZ, nullable=False))
    return sa.Table(kind.value, metadata, *columns)


#: Typed table of each kind, keyed by kind.
KIND_TABLES: dict[RecordKind, sa.Table] = {k: _kind_table(k, m) for k, m in KINDS.items()}
