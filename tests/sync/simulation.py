"""A seeded, replayable simulation of the region at work, against a real server.

Every community has two social workers and a supervisor, each with their own device (a real
encrypted store and sync client); a regional coordinator sees all 11. Devices go offline and
come back (partitions), sync at random moments, and between syncs workers create families,
members, visits and notes, edit the same visit text as a colleague (concurrent edits), delete
(visits, members, and whole families while a colleague offline still writes to them), and
supervisors review. The case cycle runs too (through ``services.cases``): a worker opens
cases on their families, writes the needs assessment (sometimes with a threat, which syncs
first), adds plan tasks that both workers of the community edit and tick offline (each task
its own record, so different tasks keep both changes), the supervisor returns an act that its
assessor then amends, and a case is closed while a colleague offline writes a visit to the
family (both kept). Now and then a worker is promoted to supervisor or demoted back (the
role decides which conflict records a device holds: the next pull reads the community again).
``check`` then compares every device with the server's database, by each one's final role,
checks that no member, visit or note written was lost, and that those of a deleted family are
kept and shown as such ("Сім'ю видалено") on every device holding them.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from field_app.services import case_reviews, reviews, visits
from field_app.services import cases as cs
from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Account, Backoff, SyncClient
from shared_models.changes import model_from_state
from shared_models.communities import CommunityCode
from shared_models.enums import AssessmentDecision, RecordKind, Role
from shared_models.records import (
    KINDS,
    Case,
    Conflict,
    Family,
    Note,
    Person,
    PlanTask,
    Review,
    Visit,
)
from sync_server.history import field_writes
from sync_server.statejson import state_from_json
from sync_server.tables import RecordRow
from tools.live_server import LiveServer

PIN = "482915"
PASSWORD = "simulation password"
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TEXTS = ("Консультація психолога", "Оформити допомогу", "Візит до школи", "Запис до лікаря",
         "Перевірити умови проживання", "Зустріч із класною керівницею")


@dataclass
class SimDevice:
    user: str
    role: Role
    communities: list[str]
    store: LocalStore
    client: SyncClient
    online: bool = True


@dataclass
class Tally:
    """What the simulation did, and every text value written to a watched field."""

    ops: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    notes: dict[str, str] = field(default_factory=dict)        # note id -> community
    # member, visit and note id -> (community, family id, its text as written)
    children: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    written: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    # (record id, field, value written, value the author saw and replaced)


def make_region(server: LiveServer, folder: Path) -> list[SimDevice]:
    """Accounts and one logged-in device per person; the server must be running."""
    people: list[tuple[str, Role, list[str]]] = []
    for c in CommunityCode:
        people += [(f"w1_{c.value}", Role.SOCIAL_WORKER, [c.value]),
                   (f"w2_{c.value}", Role.SOCIAL_WORKER, [c.value]),
                   (f"sup_{c.value}", Role.SUPERVISOR, [c.value])]
    people.append(("coordinator", Role.COORDINATOR, []))
    devices = []
    for user, role, communities in people:
        server.add_user(user, PASSWORD, role, communities)
        store = LocalStore.create(folder / f"{user}.db", PIN, kdf=TEST_KDF)
        client = SyncClient(store, server.base_url, backoff=Backoff(attempts=5, base=0.01,
                                                                    cap=0.05))
        client.login(user, PASSWORD)
        devices.append(SimDevice(user, role, communities or [c.value for c in CommunityCode],
                                 store, client))
    return devices


def run(server: LiveServer, devices: list[SimDevice], seed: int, ops: int) -> Tally:
    """``ops`` random steps, then everyone online and synced twice."""
    rng = random.Random(seed)
    tally = Tally()
    workers = [d for d in devices if d.role is Role.SOCIAL_WORKER]
    supervisors = [d for d in devices if d.role is Role.SUPERVISOR]

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def sync(d: SimDevice, *, count: bool = True) -> None:
        tally.ops["rescan"] += d.client.sync().rescanned
        tally.ops["sync"] += count

    for step in range(ops):
        when = BASE_TIME + timedelta(minutes=step)
        roll = rng.random()
        if roll < 0.004:   # a worker promoted, or a promoted worker demoted
            d = rng.choice(workers)
            d.role = (Role.SUPERVISOR if d.role is Role.SOCIAL_WORKER
                      else Role.SOCIAL_WORKER)
            server.set_role(d.user, d.role)
            tally.ops["role"] += 1
        elif roll < 0.03:
            d = rng.choice(devices)
            d.online = not d.online
            tally.ops["partition"] += 1
        elif roll < 0.11:
            d = rng.choice(devices)
            if d.online:
                sync(d)
        elif roll < 0.18:
            review(rng.choice(supervisors), rng, when, new_id, tally)
        elif roll < 0.19:
            if race_family_delete(rng, workers, when, new_id, tally):
                tally.ops["sync"] += 1
        elif roll < 0.315:   # the case cycle; now and then a closure racing a visit
            tally.ops["sync"] += (race_closure(rng, workers, when, new_id, tally)
                                  if roll >= 0.30 else case_work(
                                      rng.choice(workers), rng, when, step, new_id=new_id,
                                      tally=tally))
        else:
            work(rng.choice(workers), rng, when, step, new_id, tally=tally)
    settle(devices, rng, BASE_TIME + timedelta(minutes=ops), ops, new_id=new_id, tally=tally)
    return tally


def settle(devices: list[SimDevice], rng: random.Random, when: datetime, step: int, *,
           new_id: Any, tally: Tally) -> None:
    """The end of the run: everyone online hears the decisions, the assessors amend the acts
    returned to them (each then waits for a decision again on every supervisor's device),
    and everyone syncs twice more."""
    for _ in range(2):       # twice: a decision pushed late in the first round arrives
        for d in devices:
            d.online = True
            tally.ops["rescan"] += d.client.sync().rescanned
    for d in devices:
        amend_returned(d, rng, when, step, new_id=new_id, tally=tally)
    for _ in range(2):
        for d in devices:
            tally.ops["rescan"] += d.client.sync().rescanned


def work(d: SimDevice, rng: random.Random, when: datetime, step: int, new_id: Any, *,
         tally: Tally) -> None:
    """One action of a social worker in their community."""
    store, me, community = d.store, d.user, d.communities[0]
    families = store.all(Family)
    visits = store.all(Visit)
    roll = rng.random()
    if roll < 0.12 or not families:
        store.save(Family(id=new_id(), community=community, family_name=f"Родина {step}",
                          settlement=rng.choice(["Малин", "Ворсівка", "Пулини", "Чоповичі"]),
                          assigned_worker=me))
        tally.ops["family"] += 1
        return
    fam = rng.choice(families)
    if roll < 0.22:
        p = Person(id=new_id(), community=community, family_id=fam.id,
                   last_name=fam.family_name, first_name=rng.choice(["Оля", "Петро"]),
                   birth_date=(when - timedelta(days=rng.randint(400, 6000))).date())
        store.save(p)
        tally.children[str(p.id)] = (community, str(fam.id), p.first_name)
        tally.ops["person"] += 1
    elif roll < 0.40 or not visits:
        v = Visit(id=new_id(), community=community, family_id=fam.id, visited_at=when,
                  risk_level=rng.choice(["low", "medium", "high"]), author=me,
                  next_steps=rng.choice(TEXTS), services=["002.0"],
                  threat_to_life=rng.random() < 0.05)
        store.save(v)
        tally.children[str(v.id)] = (community, str(fam.id), v.next_steps)
        tally.ops["visit"] += 1
    elif roll < 0.70:
        v = rng.choice(visits)
        new = f"{rng.choice(TEXTS)} — {me}, крок {step}"
        store.save(v.model_copy(update={"next_steps": new}))
        tally.written.append((str(v.id), "next_steps", new, v.next_steps))
        tally.ops["edit"] += 1
    elif roll < 0.785:
        new = f"вул. Лісова, {step}"
        store.save(fam.model_copy(update={"address": new}))
        tally.written.append((str(fam.id), "address", new, fam.address))
        tally.ops["edit"] += 1
    elif roll < 0.80:
        # A family deleted (a duplicate, entered by mistake): colleagues whose phones have not
        # heard yet go on writing members, visits and notes to it, which must be kept.
        store.delete(Family, fam.id)
        tally.ops["family_delete"] += 1
    elif roll < 0.93:
        notes = store.all(Note)
        corrects = rng.choice(notes).id if notes and rng.random() < 0.2 else None
        n = Note(id=new_id(), community=community, family_id=fam.id, text=f"Нотатка {step}",
                 written_at=when, author=me, corrects=corrects)
        store.save(n)
        tally.notes[str(n.id)] = community
        tally.children[str(n.id)] = (community, str(fam.id), n.text)
        tally.ops["note"] += 1
    elif roll < 0.97:
        store.delete(Visit, rng.choice(visits).id)
        tally.ops["delete"] += 1
    else:
        people = store.all(Person)
        if people:
            store.delete(Person, rng.choice(people).id)
            tally.ops["delete"] += 1


def race_family_delete(rng: random.Random, workers: list[SimDevice], when: datetime,
                       new_id: Any, tally: Tally) -> bool:
    """A worker deletes a family and syncs; a colleague whose phone has not heard of it yet
    writes a visit and a note to it (sent at their next sync). Returns whether it happened."""
    d = rng.choice(workers)
    colleagues = [w for w in workers if w is not d and w.communities == d.communities]
    if not d.online or not colleagues:
        return False
    other = rng.choice(colleagues)
    theirs = {f.id for f in other.store.all(Family)}
    shared = [f for f in d.store.all(Family) if f.id in theirs]
    if not shared:
        return False
    fam = rng.choice(shared)
    d.store.delete(Family, fam.id)
    d.client.sync()                      # the delete is on the server now
    community = d.communities[0]
    v = Visit(id=new_id(), community=community, family_id=fam.id, visited_at=when,
              risk_level="medium", author=other.user, services=["002.0"],
              next_steps=f"Візит після видалення — {other.user}")
    n = Note(id=new_id(), community=community, family_id=fam.id, written_at=when,
             author=other.user, text=f"Нотатка до видаленої сім'ї — {other.user}")
    other.store.save(v)
    other.store.save(n)
    tally.children[str(v.id)] = (community, str(fam.id), v.next_steps)
    tally.children[str(n.id)] = (community, str(fam.id), n.text)
    tally.notes[str(n.id)] = community
    tally.ops["family_delete"] += 1
    tally.ops["race"] += 1
    return True


def case_work(d: SimDevice, rng: random.Random, when: datetime, step: int, *, new_id: Any,
              tally: Tally) -> bool:
    """One step of the case cycle by a social worker: open a case on one of their families
    (or reopen a closed one), write or amend the assessment, add a plan task, or edit and
    tick a task — any task of the community, as a colleague may be editing it offline.
    Never syncs (``False``)."""
    store, me, today = d.store, d.user, when.date()
    if d.role is not Role.SOCIAL_WORKER:
        return False
    account = Account(username=me, role=d.role.value, communities=d.communities,
                      device_id="sim")
    returned = case_reviews.returned_cases(store, account)
    mine = [f for f in store.all(Family) if f.assigned_worker == me]
    with_case = {str(c.family_id) for c in store.all(Case) if c.closed_on is None}
    roll = rng.random()
    tasks = store.all(PlanTask)
    if returned:
        amend_returned(d, rng, when, step, new_id=new_id, tally=tally)
    elif roll < 0.4 and tasks:
        _edit_task(d, rng.choice(tasks), rng, when, step, tally=tally)
    elif mine:
        busy = [f for f in mine if str(f.id) in with_case]
        fam = rng.choice(busy if busy and rng.random() < 0.75 else mine)
        cases = cs.load_cases(store, fam.id, today=today)
        case = cases.open
        if case is None:
            if cases.earlier and rng.random() < 0.5:
                form = cs.new_reopen(store, cases.earlier[0].id, today=today, me=me)
            else:
                form = cs.new_intake(store, str(fam.id), today=today, me=me)
            form.new_id = str(new_id())
            form.request_summary = f"Звернення, крок {step}"
            assert cs.open_new_case(store, form) is not None, form.errors
            tally.ops["case_open"] += 1
        elif (case.assessment is None or case.assessment.draft
              or case.assessment.review.returned):   # a submitted act waits for its review
            _assess(d, case, rng, when, step, new_id=new_id, tally=tally)
        else:
            t = cs.new_task_form(store, case.id, goal=rng.choice(["Школа", "Здоров'я"]))
            t.new_id, t.task = str(new_id()), f"{rng.choice(TEXTS)}, крок {step}"
            t.due_date = (today + timedelta(days=rng.randint(-5, 30))).strftime("%d.%m.%Y")
            assert cs.save_task(store, t) is not None, t.errors
            tally.ops["task"] += 1
    return False


def amend_returned(d: SimDevice, rng: random.Random, when: datetime, step: int, *,
                   new_id: Any, tally: Tally) -> None:
    """The worker amends each of their acts that a supervisor returned."""
    if d.role is not Role.SOCIAL_WORKER:
        return
    account = Account(username=d.user, role=d.role.value, communities=d.communities,
                      device_id="sim")
    for row in case_reviews.returned_cases(d.store, account):
        if row.kind is RecordKind.CASE:          # a closure: say more about the result
            form = cs.closure_form(d.store, row.id, today=when.date())
            form.closure_notes = f"Результат уточнено, крок {step}"
            assert cs.close_case(d.store, form) is not None, form.errors
            tally.ops["closure_amended"] += 1
            continue
        cases = cs.load_cases(d.store, row.family_id, today=when.date())
        view = next((v for v in (cases.open, *cases.earlier) if v is not None
                     and v.assessment is not None and v.assessment.id == row.id), None)
        if view is not None:      # its case may have been closed meanwhile: amended all the same
            _assess(d, view, rng, when, step, new_id=new_id, tally=tally)


def _edit_task(d: SimDevice, t: PlanTask, rng: random.Random, when: datetime, step: int, *,
               tally: Tally) -> None:
    """Write a task's progress, or tick it (untick a done one), as the task form does."""
    today = when.date()
    form = cs.task_form(d.store, str(t.id))
    if rng.random() < 0.5:
        form.progress = f"{rng.choice(TEXTS)} — {d.user}, крок {step}"
        tally.written.append((str(t.id), "progress", form.progress, t.progress))
    else:
        form.done_on = "" if t.done_on else today.strftime("%d.%m.%Y")
        tally.written.append((str(t.id), "done_on",
                              None if t.done_on else today.isoformat(),
                              t.done_on.isoformat() if t.done_on else None))
    assert cs.save_task(d.store, form) is not None, form.errors
    tally.ops["task_edit"] += 1


def _assess(d: SimDevice, case: cs.CaseView, rng: random.Random, when: datetime, step: int,
            *, new_id: Any, tally: Tally) -> None:
    """Write the case's act, or amend it after the supervisor returned it (its assessor
    only: the server takes an act from its assessor)."""
    act = cs.assessment_form(d.store, case.id, me=d.user, today=when.date())
    if act.assessor != d.user:
        return
    if act.is_new:
        act.new_id = str(new_id())
    amended = case.assessment is not None and case.assessment.review.returned
    act.income = f"Доходи, крок {step}"
    act.difficult_circumstances = True
    act.decision = AssessmentDecision.SUPPORT.value
    if rng.random() < 0.1:
        act.threat_to_life, act.threat_details = True, f"Загроза, крок {step}"
    assert cs.save_assessment(d.store, act, complete=amended or rng.random() < 0.9,
                              today=when.date()) is not None, act.errors
    tally.ops["assessment_amended" if amended else "assessment"] += 1


def race_closure(rng: random.Random, workers: list[SimDevice], when: datetime,
                 new_id: Any, tally: Tally) -> bool:
    """A worker closes a case on their family and syncs; a colleague whose phone has not
    heard yet writes a visit to that family (sent at their next sync): both are kept."""
    ready = [w for w in workers if w.online and w.role is Role.SOCIAL_WORKER
             and any(c.closed_on is None for c in w.store.all(Case))]
    if not ready:
        return False
    d = rng.choice(ready)
    colleagues = [w for w in workers if w is not d and w.communities == d.communities]
    if not colleagues:
        return False
    other = rng.choice(colleagues)
    theirs = {f.id for f in other.store.all(Family)}
    open_cases = [c for c in d.store.all(Case) if c.closed_on is None
                  and c.family_id in theirs and c.opened_on <= when.date()]
    if not open_cases:
        return False
    case = rng.choice(open_cases)
    form = cs.closure_form(d.store, str(case.id), today=when.date())
    form.closure_reason = rng.choice([r.value for r in cs.CLOSURE_REASONS])
    form.closure_result = "partly"
    if cs.close_case(d.store, form) is None:
        return False
    d.client.sync()
    community = d.communities[0]
    v = Visit(id=new_id(), community=community, family_id=case.family_id, visited_at=when,
              risk_level="medium", author=other.user, services=["002.0"],
              next_steps=f"Візит під час закриття — {other.user}")
    other.store.save(v)
    tally.children[str(v.id)] = (community, str(case.family_id), v.next_steps)
    tally.ops["closure_race"] += 1
    return True


def review(d: SimDevice, rng: random.Random, when: datetime, new_id: Any, tally: Tally) -> None:
    """A supervisor approves or returns a visit or note they have, or (mostly, when there is
    one) a completed assessment or closure waiting in the case queue."""
    if d.role is not Role.SOCIAL_WORKER and rng.random() < 0.8:
        account = Account(username=d.user, role=d.role.value, communities=d.communities,
                          device_id="sim")
        waiting = case_reviews.case_queue(d.store, account)
        if waiting:
            acts = [r for r in waiting if r.kind is RecordKind.ASSESSMENT]
            row = rng.choice(acts if acts and rng.random() < 0.7 else waiting)
            returned = rng.random() < 0.6
            case_reviews.decide_case(d.store, account, row.kind, row.id, approved=not returned,
                                     comment="Уточніть висновок" if returned else "",
                                     now=when)
            tally.ops["case_review"] += 1
            tally.ops["case_returned"] += returned
            return
    targets: list[Visit | Note] = [*d.store.all(Visit), *d.store.all(Note)]
    if not targets:
        return
    target = rng.choice(targets)
    returned = rng.random() < 0.3
    d.store.save(Review(id=new_id(), community=target.community, target_kind=target.KIND,
                        target_id=target.id, decision="returned" if returned else "approved",
                        comment="Уточніть план дій" if returned else "", reviewer=d.user,
                        reviewed_at=when))
    tally.ops["review"] += 1


def server_records(server: LiveServer) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every record on the server: id -> (community, values as the device would show them)."""
    out = {}
    table = RecordRow.__table__  # type: ignore[attr-defined]
    with server.engine.connect() as conn:
        for row in conn.execute(select(table)):
            rs = state_from_json(str(row.id), row.kind, row.community, row.state)
            out[str(row.id)] = (row.community, model_from_state(rs).model_dump(mode="json"))
    return out


def history_values(server: LiveServer) -> set[tuple[str, str, str]]:
    """(record id, field, repr(value)) of every write the server ever accepted."""
    with server.engine.connect() as conn:
        return {(w.record_id, w.field, repr(w.value)) for w in field_writes(conn)}


def device_records(d: SimDevice) -> dict[str, dict[str, Any]]:
    out = {}
    for cls in KINDS.values():
        for rec in d.store.all(cls, include_deleted=True):
            out[str(rec.id)] = rec.model_dump(mode="json")
    return out


def sees_conflict(d: SimDevice, values: dict[str, Any]) -> bool:
    """Whether ``d`` pulls this record if it is a conflict: reviewers see every conflict of
    their communities, a social worker only those they wrote a side of."""
    if "loser_value" not in values or d.role is not Role.SOCIAL_WORKER:
        return True
    return d.user in (values["winner_author"], values["loser_author"])


def check(server: LiveServer, devices: list[SimDevice], tally: Tally) -> dict[str, int]:
    """Assert the convergence guarantees; return figures for the report."""
    on_server = server_records(server)
    held: dict[str, dict[str, dict[str, Any]]] = {}
    for d in devices:
        assert d.client.attention() == [], f"{d.user}: refused changes {d.client.attention()}"
        assert d.store.pending_count() == 0, f"{d.user} still has unsynced changes"
        scope = set(d.communities)
        expected = {rid: values for rid, (c, values) in on_server.items()
                    if c in scope and sees_conflict(d, values)}
        got = held[d.user] = device_records(d)
        assert got.keys() == expected.keys(), f"{d.user}: records differ from the server's"
        for rid, values in expected.items():
            assert got[rid] == values, f"{d.user}: record {rid} differs from the server's"
    # No note missing, anywhere it should be.
    for nid, community in tally.notes.items():
        assert nid in on_server, f"note {nid} never reached the server"
        for d in devices:
            if community in d.communities:
                assert nid in held[d.user], f"note {nid} is missing on {d.user}'s device"
    # Every text written is current, or kept in a conflict, or was replaced by someone who saw
    # it; and every accepted value is in the server's history.
    history = history_values(server)
    conflicts = [v for _, v in on_server.values() if "loser_value" in v]
    kept = {(c["record_id"], c["field"], repr(c["loser_value"])) for c in conflicts}
    replaced_seen = {(rid, f, repr(saw)) for rid, f, _, saw in tally.written}
    for rid, f, value, _ in tally.written:
        current = on_server[rid][1][f]
        key = (rid, f, repr(value))
        assert key in history, f"{f}={value!r} of {rid} is not in the history"
        assert current == value or key in kept or key in replaced_seen, (
            f"{f}={value!r} of {rid} was lost without a conflict")
    orphans, late = check_children(server, devices, on_server, held, tally)
    return {"records": len(on_server), "conflicts": len(conflicts),
            "notes": len(tally.notes), "kept_of_deleted_family": orphans,
            "written_after_family_delete": late, **tally.ops}


_TEXT_FIELD = {"person": "first_name", "visit": "next_steps", "note": "text"}


def check_children(server: LiveServer, devices: list[SimDevice],
                   on_server: dict[str, tuple[str, dict[str, Any]]],
                   held: dict[str, dict[str, dict[str, Any]]], tally: Tally) -> tuple[int, int]:
    """Members, visits and notes written are all kept, on the server and on every device of
    their community, whatever became of their family; those of a deleted family are shown
    as such. Returns how many were written to a family deleted by the end, and how many of
    those were written after the server had accepted the delete (the race)."""
    gone = {rid for rid, (_, v) in on_server.items() if "family_name" in v and v["deleted"]}
    with server.engine.connect() as conn:
        writes = field_writes(conn)
    deleted_at = {w.record_id: w.recorded_at for w in writes
                  if w.record_id in gone and w.field == "deleted" and w.value is True}
    created = {w.record_id: w.clock for w in writes if w.field == "family_id"}
    late = 0
    orphans = 0
    for cid, (community, fid, text) in tally.children.items():
        assert cid in on_server, f"{cid} written to family {fid} never reached the server"
        values = on_server[cid][1]
        kind = next(k for k, f in _TEXT_FIELD.items() if f in values)
        # The text as written, or as later edited by someone (visits' next steps are edited).
        assert values[_TEXT_FIELD[kind]] == text or kind == "visit", f"{cid} lost its text"
        orphans += fid in gone
        if fid in deleted_at:
            written_ms = int(created[cid].split("-")[0])
            late += written_ms > deleted_at[fid].timestamp() * 1000
        for d in devices:
            if community in d.communities:
                assert cid in held[d.user], f"{cid} is missing on {d.user}'s device"
    for d in devices:
        for v in d.store.all(Visit):
            shown = visits.details(d.store, str(v.family_id), str(v.id))
            assert shown.family_deleted == (str(v.family_id) in gone), (d.user, str(v.id))
        if d.role is not Role.SOCIAL_WORKER:
            account = Account(username=d.user, role=d.role.value,
                              communities=d.communities, device_id="sim")
            for row in reviews.queue(d.store, account):
                assert row.family_deleted == (row.family_id in gone), (d.user, row.id)
    return orphans, late


__all__ = ["Conflict", "check", "make_region", "run"]
