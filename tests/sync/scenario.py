"""A seeded, replayable script of a small team's work, shared by the fault and crash tests.

Ids come from the seed, so two runs of the same seed (one over a clean link, one over a
broken one) can be compared record by record.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from field_app.store import LocalStore
from field_app.sync import SyncClient, SyncError
from shared_models.merge import canonical
from shared_models.records import KINDS, Family, Note, Record, Visit
from tests.sync.records import family, note, visit

#: Fixed times, so two runs of one seed produce identical records.
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TEXTS = ("Консультація психолога", "Оформити допомогу", "Візит до школи",
         "Запис до лікаря", "Перевірити умови проживання", "Зустріч із вчителькою")


def sync_until_done(client: SyncClient, tries: int = 20) -> None:
    """Sync as a worker would: press the button again until it goes through."""
    for _ in range(tries):
        try:
            client.sync()
            return
        except SyncError:
            continue
    raise AssertionError("sync never went through")


def run_scenario(seed: int, devices: Sequence[tuple[str, LocalStore, SyncClient]],
                 steps: int = 60, sync: Callable[[SyncClient], None] = sync_until_done) -> None:
    """Random edits, notes, deletes and syncs on the given devices (same community)."""
    rng = random.Random(seed)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    for step in range(steps):
        name, store, client = rng.choice(devices)
        fams = store.all(Family)
        visits = store.all(Visit)
        roll = rng.random()
        if roll < 0.15 or not fams:
            store.save(family(id=new_id(), family_name=f"Родина {step}"))
        elif roll < 0.35:
            store.save(visit(rng.choice(fams).id, name, id=new_id(),
                             next_steps=rng.choice(TEXTS),
                             visited_at=BASE_TIME + timedelta(minutes=step)))
        elif roll < 0.55 and visits:
            v = rng.choice(visits)
            store.save(v.model_copy(update={"next_steps": f"{rng.choice(TEXTS)} ({step})"}))
        elif roll < 0.65:
            store.save(note(rng.choice(fams).id, name, id=new_id(), text=f"Нотатка {step}",
                            written_at=BASE_TIME + timedelta(minutes=step)))
        elif roll < 0.72 and len(fams) > 2:
            f = rng.choice(fams)
            store.save(f.model_copy(update={"address": f"вул. Лісова, {step}"}))
        elif roll < 0.75 and visits:
            store.delete(Visit, rng.choice(visits).id)
        else:
            sync(client)
    for _ in range(2):  # everyone pushes, then everyone pulls what the others pushed
        for _, _, client in devices:
            sync(client)


def snapshot(store: LocalStore) -> dict[str, dict[str, Any]]:
    """Every record a device holds (tombstones too), values only, by kind/id.

    Conflict records are keyed by what they hold, not by id: their ids derive from clocks,
    which differ between runs.
    """
    out: dict[str, dict[str, Any]] = {}
    for kind, cls in KINDS.items():
        for rec in store.all(cls, include_deleted=True):
            values = rec.model_dump(mode="json")
            if kind == "conflict":
                key = f"conflict/{values['record_id']}/{values['field']}/{values['loser_value']}"
                values = {k: values[k] for k in ("record_id", "field", "loser_value",
                                                 "loser_author", "status")}
            else:
                key = f"{kind}/{rec.id}"
            out[key] = values
    return out


def information(snap: dict[str, dict[str, Any]]) -> dict[tuple[str, str], frozenset[str]]:
    """What a snapshot knows, whichever of two concurrent edits is current.

    Per record field: the current value plus the losing values of its open conflicts (as
    canonical JSON). Two runs of one seed agree on this even where they picked different
    winners: which of two concurrent edits wins depends on their clocks, and edits made within
    the same millisecond on two phones order by counter and device id, which differ per run.
    """
    out: dict[tuple[str, str], set[str]] = {}
    for key, values in snap.items():
        if not key.startswith("conflict/"):
            for name, value in values.items():
                out.setdefault((key, name), set()).add(canonical(value))
    for key, values in snap.items():
        if key.startswith("conflict/") and values["status"] == "open":
            record = next(k for k in snap if k.endswith(f"/{values['record_id']}")
                          and not k.startswith("conflict/"))
            out.setdefault((record, values["field"]), set()).add(canonical(values["loser_value"]))
    return {k: frozenset(v) for k, v in out.items()}


def note_ids(records: Sequence[Record]) -> set[str]:
    return {str(r.id) for r in records if isinstance(r, Note)}
