"""What syncs leave in the store: the changes held for attention, and the last success.

Both live sealed in the store's key-value table, so they survive restarts and are readable
without a server address (the sync screen shows them offline). ``SyncClient`` writes them;
the app's services read them and release a held change when the worker retries it.

A held (refused) change stays in the outbox: the worker's text is never dropped. While a
record has a held change, its later changes wait with it (pushed alone, a correction would
lack the rest of the record); ``release`` lets them go again, after the store folded them
into one entry (``LocalStore.merge_pending``).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import TYPE_CHECKING

from field_app.sync.report import Attention

if TYPE_CHECKING:
    from field_app.store.interface import SecretStore

# Names of entries in the store's encrypted key-value table (not secrets themselves).
ATTENTION_SECRET = "sync.attention"  # noqa: S105
LAST_SYNC_SECRET = "sync.last_success"  # noqa: S105


def held(store: SecretStore) -> list[Attention]:
    """Changes the server refused, in the order they were refused."""
    raw = store.get_secret(ATTENTION_SECRET)
    return [Attention(**a) for a in json.loads(raw)] if raw else []


def _save(store: SecretStore, items: list[Attention]) -> None:
    if items:
        store.set_secret(ATTENTION_SECRET, json.dumps([asdict(a) for a in items]).encode())
    else:
        store.delete_secret(ATTENTION_SECRET)


def hold(store: SecretStore, item: Attention) -> None:
    """Keep a refused change for attention (replacing an earlier refusal of the same one)."""
    _save(store, [a for a in held(store) if a.mutation_id != item.mutation_id] + [item])


def release(store: SecretStore, record_id: str) -> int:
    """Forget the refusals of one record so its changes are pushed again; how many."""
    items = held(store)
    keep = [a for a in items if a.record_id != record_id]
    _save(store, keep)
    return len(items) - len(keep)


def forget_settled(store: SecretStore, pending_ids: set[str]) -> list[Attention]:
    """Drop refusals whose change is no longer in the outbox (acknowledged, folded, purged);
    returns those left."""
    items = held(store)
    keep = [a for a in items if a.mutation_id in pending_ids]
    if len(keep) != len(items):
        _save(store, keep)
    return keep


def last_success_ms(store: SecretStore) -> int | None:
    """Wall time (ms) of the last sync that finished, if any."""
    raw = store.get_secret(LAST_SYNC_SECRET)
    return int(raw) if raw else None


def success_entry(at_ms: int | None = None) -> dict[str, bytes]:
    """The sealed entry saying a sync finished now (or at ``at_ms``), for a transaction that
    writes others too (the last pulled page's)."""
    at = time.time_ns() // 1_000_000 if at_ms is None else at_ms
    return {LAST_SYNC_SECRET: str(at).encode()}

