"""The store as its users see it: ``RecordStore`` for the services, ``SyncStore`` for the sync
client. ``LocalStore`` is both (checked by mypy below and by ``tests/store``); code that
takes a store names the part it uses, so a fake in a test or a second store kind only has
to provide that part.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from field_app.store.codec import PendingChange, WireEntry
from shared_models.clock import HLC, HybridClock
from shared_models.merge import RecordState
from shared_models.protocol import RecordChange
from shared_models.pullwire import PulledRecord
from shared_models.records import Conflict, Record

if TYPE_CHECKING:
    from field_app.store.store import LocalStore
    from field_app.store.sync import PurgeResult

M = TypeVar("M", bound=Record)


class SecretStore(Protocol):
    """Sealed named values (the token, the sync's bookkeeping, drafts)."""

    def get_secret(self, name: str) -> bytes | None: ...

    def set_secret(self, name: str, value: bytes) -> None: ...

    def delete_secret(self, name: str) -> None: ...


class RecordStore(SecretStore, Protocol):
    """What the services read and write: records, their local state and pending changes."""

    def get(self, cls: type[M], record_id: uuid.UUID | str, *,
            include_deleted: bool = False) -> M | None: ...

    def all(self, cls: type[M], *, include_deleted: bool = False,
            **filters: Any) -> list[M]: ...

    def save(self, model: Record, *, since: Any = None) -> uuid.UUID | None: ...

    def resolve_conflict(self, conflict: Conflict, value: Any) -> uuid.UUID: ...

    def local_state(self, record_id: uuid.UUID | str) -> RecordState | None: ...

    def pending_changes(self, limit: int | None = None) -> list[PendingChange]: ...

    def merge_pending(self, record_id: uuid.UUID | str) -> uuid.UUID | None: ...


class SyncStore(SecretStore, Protocol):
    """What the sync client asks of the store (``sync.SyncApply`` and the clock fix)."""

    @property
    def locked(self) -> bool: ...

    @property
    def clock(self) -> HybridClock: ...

    def receive_clock(self, remote: str) -> HLC: ...

    def observe_server_time(self, server_ms: int, *, tolerance_ms: int = 60_000) -> bool: ...

    def restamp_pending(self) -> int: ...

    def set_user(self, name: str) -> None: ...

    def pending_count(self) -> int: ...

    def pending_wire(self, *, after: int = 0, limit: int | None = None,
                     skip_records: Collection[str] = (),
                     only_records: Collection[str] | None = None) -> list[WireEntry]: ...

    def urgent_records(self) -> list[str]: ...

    def acknowledge(self, mutation_ids: Iterable[uuid.UUID | str],
                    entries: Iterable[WireEntry] = ()) -> int: ...

    def apply_pull(self, changes: Iterable[PulledRecord | RecordChange],
                   cursors: Mapping[Any, int], *, server_clock: str | None = None,
                   rescan: Collection[str] = (), served_role: str | None = None,
                   secrets: Mapping[str, bytes] | None = None) -> int: ...

    def cursors(self) -> dict[str, int]: ...

    def served_role(self) -> str | None: ...

    def purge_communities(self, codes: Iterable[Any]) -> PurgeResult: ...

    def wipe(self) -> None: ...

    @property
    def path(self) -> Path: ...

    def unsent_work(self) -> tuple[dict[str, int], int]: ...


if TYPE_CHECKING:
    def _local_store_is_a_record_store(store: LocalStore) -> RecordStore:
        return store  # mypy fails here when LocalStore stops matching the protocol

    def _local_store_is_a_sync_store(store: LocalStore) -> SyncStore:
        return store
