"""Benchmark of the visit form, drafts and the due-visits place over a real encrypted store.

A worker's phone holding a big community, pulled as after a sync: 3,000 families (a tenth of
them overdue or due this week), 6,000 members and 9,000 visits. Prints the time to open the
visit form and to save a visit right after unlock (every member or visit decrypted once) and
again (models cached), one draft write (what the worker's typing costs every 0.7 s), an
amendment, and the due-visits list. Wall and CPU time, best of N (the machine is shared:
CPU time is the steadier figure). Run: ``python -m bench visit``.
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.review_bench import best
from field_app.services import visits
from field_app.services.cases import closed_family_ids
from field_app.services.due import due_visits
from field_app.services.families import FamilyFilter, list_families
from field_app.store import TEST_KDF, LocalStore
from shared_models.clock import HybridClock
from shared_models.protocol import RecordChange
from shared_models.records import Family, Person, Record, Visit

PIN = "483920"
COMMUNITY = "zhytomyrska"
FAMILIES, MEMBERS, VISITS = 3_000, 6_000, 9_000
RUNS = 5
TEXT = "Дитина відвідує школу; мати працює; домовились про консультацію психолога. "


def _change(model: Record, clock: str, position: int) -> RecordChange:
    values = model.model_dump(mode="json", exclude={"id", "community"})
    return RecordChange.of(model.id, model.KIND, COMMUNITY, position,
                           {n: (v, clock, "olena") for n, v in values.items()})


def build(path: Path) -> tuple[LocalStore, list[Family]]:
    """A worker's store with the community's records pulled into it."""
    rng = random.Random(11)
    today = date.today()
    now = datetime.now(UTC)
    server = HybridClock("server", max_drift_ms=None)
    store = LocalStore.create(path, PIN, kdf=TEST_KDF)
    store.set_user("olena")
    families = [Family(community=COMMUNITY, family_name=f"Родина {i}", settlement="Житомир",
                       assigned_worker="olena" if i % 3 == 0 else "petro",
                       next_visit_date=today + timedelta(days=rng.randint(-5, 70)))
                for i in range(FAMILIES)]
    members = [Person(community=COMMUNITY, family_id=families[i % FAMILIES].id,
                      last_name=f"Родина {i % FAMILIES}", first_name="Марія",
                      birth_date=date(2015, 1, 1) + timedelta(days=i % 3000))
               for i in range(MEMBERS)]
    visits_ = [Visit(community=COMMUNITY, family_id=families[i % FAMILIES].id,
                     visited_at=now - timedelta(days=10 + rng.randint(0, 300)),
                     risk_level=rng.choice(["low", "medium", "high"]), services=["002.0"],
                     child_needs=TEXT, next_steps=TEXT, author="olena")
               for i in range(VISITS)]
    changes = [_change(m, server.now().encode(), 0) for m in (*families, *members, *visits_)]
    for i in range(0, len(changes), 500):
        page = [c.model_copy(update={"position": i + j + 1})
                for j, c in enumerate(changes[i:i + 500])]
        store.apply_pull(page, {COMMUNITY: i + len(page)})
    return store, families


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as folder:
        store, families = build(Path(folder) / "olena.db")
        fids = iter(str(f.id) for f in families)

        def relock() -> None:
            store.lock()
            store.unlock(PIN)

        def record() -> visits.SaveResult:
            opened = visits.open_new(store, next(fids))
            opened.form.risk_level = "medium"
            opened.form.services = ["002.0", "010.1"]
            opened.form.child_needs = TEXT
            opened.form.next_visit_text = (date.today() + timedelta(days=14)).strftime(
                "%d.%m.%Y")
            result = visits.save(store, opened.form, opened.draft_key)
            assert result.ok, result.problems
            return result

        open_cold = best(lambda: visits.open_new(store, next(fids)), before=relock)
        open_warm = best(lambda: visits.open_new(store, next(fids)))
        save_cold = best(record, before=relock)
        save_warm = best(record)
        opened = visits.open_new(store, next(fids))
        opened.form.child_needs = TEXT * 10
        draft = best(lambda: visits.write_draft(store, opened.draft_key,
                                                opened.form.to_draft()), runs=20)
        vid = str(save_warm[2].visit.id)
        fid = str(save_warm[2].visit.family_id)

        def amend() -> None:
            form = visits.open_amend(store, fid, vid)
            form.form.risk_level = "high" if form.form.risk_level != "high" else "low"
            assert visits.save(store, form.form, form.draft_key).ok

        amend_t = best(amend)

        def due() -> int:
            rows = []
            for chosen in (FamilyFilter.OVERDUE, FamilyFilter.DUE):
                rows += list_families(store.all(Family), me="olena", today=date.today(),
                                      unsynced=store.unsynced_ids(),
                                      closed_ids=closed_family_ids(store), chosen=chosen,
                                      limit=100_000).rows
            return len(due_visits(rows, today=date.today()).rows)

        due_cold = best(due, before=relock)
        due_warm = best(due)
        store.close()
    print(f"visit form: {FAMILIES} families, {MEMBERS} members, {VISITS} visits "
          f"(best of {RUNS}); due list has {due_warm[2]} families")
    for label, (wall, cpu, _r) in (
            ("open form after unlock", open_cold), ("open form again", open_warm),
            ("save after unlock", save_cold), ("save again", save_warm),
            ("write a draft (4 KB)", draft), ("amend one field", amend_t),
            ("due list after unlock", due_cold), ("due list again", due_warm)):
        print(f"  {label:<24} {wall:8.1f} ms wall {cpu:8.1f} ms CPU")


if __name__ == "__main__":
    main()
