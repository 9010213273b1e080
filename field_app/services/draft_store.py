"""Drafts of the record forms, kept sealed in the encrypted store while the worker types.

A visit or a note half-written in a village yard must survive the app being killed, a dead
battery and the auto-lock. Each open form has one draft: a sealed secret entry of the store
(``draft.<key>``, AES-256-GCM under the data key like every record; the entry's name holds
only ids), never a plain file or SharedPreferences. Keys name the form::

    visit.new.<family_id>      a new visit            note.new.<family_id>      a new note
    visit.edit.<visit_id>      amending a visit       note.fix.<note_id>        a correction

and the family, member and placement forms' keys (``form_drafts``: ``family.new.<id>``,
``family.edit.<family_id>``, ``member.new.<family_id>``, ``member.edit.<person_id>``,
``placement.new.<family_id>``, ``placement.edit.<placement_id>``) and the needs-assessment
act's (``cases.assessment_key``: ``assessment.edit.<case_id>``).

``DraftSaver`` writes a form's draft a moment after the last keystroke (debounced) and at
once on ``flush()`` (lock, app hidden, leaving the form). A saved record deletes its draft.
A sealed index (``drafts.index``) lists the drafts, so ``prune_drafts`` can drop those whose
family or record left the device (a community purged after access was withdrawn): personal
data the worker may no longer hold does not linger in a draft.

Every function that touches the store blocks; the saver runs them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from shared_models.records import Case, Family, Note, Person, Placement, PlanTask, Record, Visit

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R", bound=Record)
#: Seconds after the last change before the draft is written.
DRAFT_DELAY_S = 0.7
_PREFIX = "draft."
_INDEX = "drafts.index"
_VERSION = 1
#: Draft key prefix -> the kind of record whose id ends the key (it must still be here).
_OWNERS: dict[str, type[Record]] = {
    "visit.new.": Family, "visit.edit.": Visit, "note.new.": Family, "note.fix.": Note,
    "family.edit.": Family, "member.new.": Family, "member.edit.": Person,
    "placement.new.": Family, "placement.edit.": Placement,
    "assessment.edit.": Case,
    # The case cycle's short forms (``case_drafts``).
    "case.new.": Family, "case.plan.": Case, "case.extend.": Case, "case.close.": Case,
    "task.new.": Case, "task.edit.": PlanTask}
#: A new family's draft: no record owns it yet; its community must still be the account's.
_NEW_FAMILY = "family.new."


class SecretStore(Protocol):
    """The part of ``LocalStore`` drafts use (sealed small entries)."""

    def set_secret(self, name: str, value: bytes) -> None: ...
    def get_secret(self, name: str) -> bytes | None: ...
    def delete_secret(self, name: str) -> None: ...


class RecordStore(SecretStore, Protocol):
    """What ``prune_drafts`` also needs: whether a record is still on the device."""

    def get(self, cls: type[R], record_id: uuid.UUID | str, *,
            include_deleted: bool = False) -> R | None: ...


@dataclass(frozen=True, slots=True)
class Draft:
    """A stored draft: the form's values and when they were written."""

    key: str
    saved_at: datetime
    data: dict[str, Any]


def visit_key(family_id: str, visit_id: str | None = None) -> str:
    """Draft key of a new visit of a family, or of an amendment of ``visit_id``."""
    return f"visit.edit.{visit_id}" if visit_id else f"visit.new.{family_id}"


def note_key(family_id: str, corrects: str | None = None) -> str:
    """Draft key of a new note of a family, or of a correction of note ``corrects``."""
    return f"note.fix.{corrects}" if corrects else f"note.new.{family_id}"


def save_draft(store: SecretStore, key: str, data: dict[str, Any],
               *, now: datetime | None = None) -> Draft:
    """Seal ``data`` as the draft ``key`` (replacing the previous one) in one transaction."""
    saved_at = now or datetime.now(UTC)
    blob = json.dumps({"v": _VERSION, "saved_at": saved_at.isoformat(), "data": data},
                      ensure_ascii=False, separators=(",", ":")).encode()
    keys = _index(store)
    if key not in keys:   # listed first: a kill in between leaves a listed key, no orphan
        _write_index(store, [*keys, key])
    store.set_secret(_PREFIX + key, blob)
    return Draft(key, saved_at, data)


def _index(store: SecretStore) -> list[str]:
    raw = store.get_secret(_INDEX)
    try:
        keys = json.loads(raw) if raw else []
    except ValueError:
        keys = []
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _write_index(store: SecretStore, keys: list[str]) -> None:
    store.set_secret(_INDEX, json.dumps(keys).encode())


def draft_keys(store: SecretStore) -> list[str]:
    """Keys of the drafts on this device (as listed in the sealed index)."""
    return [k for k in _index(store) if store.get_secret(_PREFIX + k) is not None]


def prune_drafts(store: RecordStore, communities: list[str] | None = None) -> list[str]:
    """Drop drafts whose family or record is no longer on this device; returns their keys.

    Called after a sync: a purge (access withdrawn, device moved to another community)
    removes the records, and the drafts about them go too. A new family's draft has no
    record: it goes when none of its communities is among the account's ``communities``
    (kept when they are not given).
    """
    keep: list[str] = []
    dropped: list[str] = []
    for key in _index(store):
        present = store.get_secret(_PREFIX + key) is not None
        if present and _still_owned(store, key, communities):
            keep.append(key)
            continue
        if present:
            store.delete_secret(_PREFIX + key)
            dropped.append(key)
    if dropped or len(keep) != len(_index(store)):
        _write_index(store, keep)
    if dropped:
        log.info("dropped %d drafts of records no longer on this device", len(dropped))
    return dropped


def _still_owned(store: RecordStore, key: str, communities: list[str] | None) -> bool:
    if key.startswith(_NEW_FAMILY):
        if communities is None:
            return True
        draft = load_draft(store, key)
        data = draft.data if draft is not None else {}
        chosen = data.get("community") or ""
        offered = [chosen] if chosen else list(data.get("_communities") or [])
        return any(c in communities for c in offered)
    owner = next(((cls, key[len(p):]) for p, cls in _OWNERS.items() if key.startswith(p)), None)
    return owner is not None and store.get(owner[0], owner[1]) is not None


def load_draft(store: SecretStore, key: str) -> Draft | None:
    """The draft ``key``, or ``None``; an unreadable one is dropped (logged by key only)."""
    raw = store.get_secret(_PREFIX + key)
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
        if doc.get("v") != _VERSION or not isinstance(doc.get("data"), dict):
            raise ValueError("unknown draft format")
        saved_at = datetime.fromisoformat(doc["saved_at"])
    except (ValueError, KeyError, TypeError):
        log.warning("draft %s could not be read; dropped", key)
        store.delete_secret(_PREFIX + key)
        return None
    return Draft(key, saved_at, doc["data"])


def discard_draft(store: SecretStore, key: str) -> None:
    """Forget the draft ``key`` (nothing happens when there is none)."""
    store.delete_secret(_PREFIX + key)
    keys = _index(store)
    if key in keys:
        _write_index(store, [k for k in keys if k != key])


class DraftSaver(Generic[T]):
    """Writes a form's draft ``delay`` seconds after the last change, or at once on ``flush``.

    ``snapshot()`` runs on the event loop (it copies the form's values, so typing during
    the write cannot tear them); ``write(snapshot)`` runs off the loop through ``run``;
    ``on_written()`` runs on the loop after each write (the form says "draft saved").
    Writes never overlap and keep their order. ``pause()``/``resume()`` hold writes while
    the record is being saved; after ``close()`` nothing more is written: a saved or
    discarded form must not bring its draft back.
    """

    def __init__(self, snapshot: Callable[[], T], write: Callable[[T], object], *,
                 delay: float = DRAFT_DELAY_S,
                 run: Callable[..., Awaitable[Any]] = asyncio.to_thread,
                 on_written: Callable[[], object] | None = None) -> None:
        self._snapshot = snapshot
        self._write = write
        self._run = run
        self._on_written = on_written
        self.delay = delay
        self._dirty = False
        self._closed = False
        self._paused = False
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        #: How many writes have completed (tests and the crash child watch it).
        self.writes = 0

    @property
    def pending(self) -> bool:
        """Whether changes wait to be written."""
        return self._dirty

    def changed(self) -> None:
        """The form changed: (re)start the countdown to the next write."""
        if self._closed:
            return
        self._dirty = True
        if self._paused:
            return
        if self._timer is not None:
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.delay, self._fire)

    async def pause(self) -> None:
        """Write nothing until ``resume()`` (while the record itself is being saved: a draft
        written after the save deleted it would bring the saved form back)."""
        self._paused = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:   # a write already running finishes first
            pass

    def resume(self) -> None:
        """Write again (the save was refused); changes made meanwhile are written soon."""
        self._paused = False
        if self._dirty:
            self.changed()

    def _fire(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Write now if anything changed since the last write."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:
            if not self._dirty or self._closed or self._paused:
                return
            self._dirty = False
            data = self._snapshot()
            try:
                await self._run(self._write, data)
            except Exception:
                self._dirty = True   # try again with the next change or flush
                log.exception("writing a draft failed")
                return
            self.writes += 1
        if self._on_written is not None:
            try:
                self._on_written()
            except Exception:
                log.exception("draft listener failed")

    async def close(self) -> None:
        """Stop for good (the record was saved or the draft discarded); waits for a write
        already running, so it cannot land after the caller deletes the draft."""
        self._closed = True
        self._dirty = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:
            pass
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
