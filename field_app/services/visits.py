"""Home visits over the encrypted store: open the form, save it, read a visit with its reviews.

Plain functions over a ``LocalStore`` (no Flet); they block, so views call them through
``app.blocking``. The form itself is ``visit_form.VisitForm``; its draft lives in the store
(``draft_store``).

* ``open_new`` / ``open_amend`` — the form to show (restored from its draft when one exists);
* ``save`` — validate, store the visit (an amendment writes only the fields the worker
  changed, against the snapshot they loaded: ``save(model, since=...)``), move the family's
  next visit, delete the draft;
* ``details`` — a visit as the read-only screen shows it: family, who was present, the
  supervisor's decisions, whether it reached the server;
* ``family_visits`` — a family's visits, newest first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from field_app.dates import format_date
from field_app.services import cases
from field_app.services.cases import TaskLine
from field_app.services.draft_store import Draft, discard_draft, load_draft, save_draft, visit_key
from field_app.services.problem import Problem
from field_app.services.reviews import ReviewState, Status
from field_app.services.reviews import status as review_status
from field_app.services.visit_form import VisitForm
from field_app.store import LocalStore, Locked
from field_app.store.editing import Snapshot
from field_app.store.views import validate_despite_clock
from shared_models.enums import PersonRole, RecordKind
from shared_models.records import Family, Person, PlanTask, Review, Visit

__all__ = ["Locked", "Member", "NotAuthor", "NotFound", "OpenForm", "SaveResult",
           "VisitDetails", "details", "discard", "family_visits", "get_family", "is_id",
           "members", "open_amend", "open_new", "reviews_of", "save", "seen_of",
           "write_draft"]
#: ``Device.records()`` raises ``Locked`` while the store is locked; views catch it by
#: this name (they may not import the store).


class NotFound(LookupError):
    """The family or visit is not on this device (another community, purged, a bad link)."""


class NotAuthor(PermissionError):
    """Only the worker who recorded a visit may amend it."""


@dataclass(frozen=True, slots=True)
class Member:
    """A family member as the "who was present" list shows them."""

    id: str
    name: str            # "Прізвище Ім'я"
    role: PersonRole
    age: int | None


@dataclass
class OpenForm:
    """What the form screen needs: the family, its members, the form, a restored draft."""

    family: Family
    members: list[Member]
    form: VisitForm
    draft_key: str
    restored: Draft | None = None
    #: The open case's plan tasks the visit may tick or comment on (open ones, and those
    #: this visit already checked).
    tasks: list[TaskLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SaveResult:
    """A saved visit, or the problems that stopped the save (by form field, in order)."""

    visit: Visit | None
    problems: dict[str, Problem] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the visit was stored."""
        return self.visit is not None


@dataclass(frozen=True, slots=True)
class VisitDetails:
    """A stored visit as the read-only screen shows it."""

    visit: Visit
    family: Family | None
    present: list[str]           # names of the members ticked present
    reviews: list[Review]        # oldest first
    synced: bool                 # the server has every change of it
    can_amend: bool
    #: Where it stands with the reviewers now (approved, returned, amended, pending).
    status: Status = field(default_factory=lambda: Status(ReviewState.PENDING))
    #: ``family`` was deleted on another device; the visit is kept and shown as such.
    family_deleted: bool = False
    #: The plan tasks the visit checked, as their text (with "done" when it ticked them).
    plan_tasks: list[tuple[str, bool]] = field(default_factory=list)


def get_family(store: LocalStore, family_id: str) -> Family:
    """The family, or ``NotFound`` (a bad id, another community, purged)."""
    try:
        fam = store.get(Family, family_id)
    except ValueError:
        fam = None
    if fam is None:
        raise NotFound(family_id)
    return fam


def is_id(value: str) -> bool:
    """Whether ``value`` is a record id (a UUID) at all."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def members(store: LocalStore, family_id: str, *, today: date | None = None) -> list[Member]:
    """The family's members, children first (youngest first), then adults by name."""
    today = today or date.today()
    people = store.all(Person, family_id=family_id)
    rows = [Member(str(p.id), p.display_name(), p.role, p.age(today)) for p in people]
    return sorted(rows, key=lambda m: (m.role is not PersonRole.CHILD,
                                       m.age if m.age is not None else 999, m.name.casefold()))


def open_new(store: LocalStore, family_id: str, *, now: datetime | None = None) -> OpenForm:
    """The form for a new visit of a family: its draft if one was left, else a fresh one."""
    if not is_id(family_id):
        raise NotFound(family_id)
    fam = get_family(store, family_id)
    key = visit_key(family_id)
    draft = load_draft(store, key)
    if draft is not None:
        form = VisitForm.from_draft(draft.data)
    else:
        form = VisitForm.new(family_id=family_id, community=fam.community.value,
                             author=store.user, now=now or datetime.now(UTC))
    return OpenForm(fam, members(store, family_id), form, key, draft,
                    plan_tasks(store, family_id, form))


def plan_tasks(store: LocalStore, family_id: str, form: VisitForm) -> list[TaskLine]:
    """The tasks of the family's open case a visit shows: the open ones
    (``cases.visit_tasks``), and those this visit already ticked or commented on (an
    amendment, a restored draft)."""
    today = date.today()
    shown = list(cases.visit_tasks(store, family_id, today=today))
    mine = set(form.plan_tasks) - {t.id for t in shown}
    if mine:
        found = cases.load_cases(store, family_id, today=today).open
        shown += [t for t in (found.tasks if found else ()) if t.id in mine]
    return shown


def _apply_plan(store: LocalStore, form: VisitForm, visit: Visit) -> None:
    """Write what the visit did to the plan (``cases.record_visit_tasks``): ticked tasks done
    on the visit's day, each comment added to its task's progress, dated. Once: saving again
    after a crash adds no comment twice."""
    day = visit.visited_at.astimezone().date()
    comments: dict[str, str] = {}
    done: list[str] = []
    for task_id in form.plan_tasks:
        task = store.get(PlanTask, task_id)
        if task is None:
            continue   # removed on another device meanwhile: nothing to write
        comment = form.plan_comments.get(task_id, "").strip()
        if comment and f"{format_date(day)}: {comment}" not in task.progress:
            comments[task_id] = comment
        if task_id in form.plan_done:
            done.append(task_id)
    cases.record_visit_tasks(store, done=done, comments=comments, on=day)


def seen_of(snapshot: Snapshot[Visit]) -> dict[str, list[Any]]:
    """A loaded snapshot as the form (and its draft) keeps it: each field's value and clock."""
    values = snapshot.values()
    return {name: [values[name], clock] for name, clock in snapshot.clocks.items()
            if name in values}


def _snapshot(form: VisitForm) -> Snapshot[Visit]:
    """The snapshot an amendment was loaded from, back from the form (or its draft)."""
    seen = form.seen or {}
    data = {name: value for name, (value, _clock) in seen.items()}
    data.update(id=form.visit_id, community=form.community)
    try:
        model = Visit.model_validate(data)
    except ValidationError as exc:   # stored values "in the future" for this phone's clock
        fixed = validate_despite_clock(Visit, data, exc)
        if fixed is None:
            raise
        model = fixed
    return Snapshot(model, {name: clock for name, (_value, clock) in seen.items()})


def open_amend(store: LocalStore, family_id: str, visit_id: str) -> OpenForm:
    """The form on a stored visit, for its author: its draft if one was left."""
    if not (is_id(family_id) and is_id(visit_id)):
        raise NotFound(visit_id)
    fam = get_family(store, family_id)
    snapshot = store.snapshot(Visit, visit_id)
    if snapshot is None or str(snapshot.model.family_id) != family_id:
        raise NotFound(visit_id)
    visit = snapshot.model
    if visit.author != store.user:
        raise NotAuthor(visit_id)
    key = visit_key(family_id, visit_id)
    draft = load_draft(store, key)
    form = (VisitForm.from_draft(draft.data) if draft is not None
            else VisitForm.of_visit(visit, seen_of(snapshot)))
    return OpenForm(fam, members(store, family_id), form, key, draft,
                    plan_tasks(store, family_id, form))


def write_draft(store: LocalStore, key: str, data: dict[str, Any]) -> Draft:
    """Seal the form's values as its draft (called by the debounced ``DraftSaver``)."""
    return save_draft(store, key, data)


def discard(store: LocalStore, key: str) -> None:
    """Forget a form's draft (the worker chose to start over)."""
    discard_draft(store, key)


def save(store: LocalStore, form: VisitForm, draft_key: str) -> SaveResult:
    """Validate and store the visit, update the family's next visit, delete the draft.

    Saving is idempotent: the visit's id is fixed when the form opens, so saving again
    after a crash between these steps stores the same visit, not a second one.
    """
    known = {m.id for m in members(store, form.family_id)}
    visit, problems = form.build(known_people=known)
    if visit is None:
        return SaveResult(None, problems)
    if form.amending:
        store.save(visit, since=_snapshot(form))   # only what the worker changed
        stored = store.get(Visit, visit.id) or visit
    else:
        store.save(visit)
        stored = visit
    _apply_plan(store, form, stored)
    _move_next_visit(store, stored)
    discard_draft(store, draft_key)
    return SaveResult(stored)


def _move_next_visit(store: LocalStore, visit: Visit) -> None:
    """Plan the family's next visit from its latest visit.

    The latest visit (by when it took place) decides: its next-visit date becomes the
    family's; without one, a planned date on or before this visit is cleared (that visit has
    happened). Amending an older visit does not move the plan.
    """
    fam = store.get(Family, visit.family_id)
    if fam is None:
        return
    latest = max(store.all(Visit, family_id=visit.family_id),
                 key=lambda v: v.visited_at, default=visit)
    if latest.id != visit.id:
        return
    planned = fam.next_visit_date
    if visit.next_visit_date is not None:
        planned = visit.next_visit_date
    elif planned is not None and planned <= visit.visited_at.astimezone().date():
        planned = None
    if planned != fam.next_visit_date:
        fam.next_visit_date = planned
        store.save(fam)


def reviews_of(store: LocalStore, kind: RecordKind, record_id: str) -> list[Review]:
    """Supervisors' decisions on a visit or note, oldest first."""
    found = [r for r in store.all(Review, target_id=record_id) if r.target_kind is kind]
    return sorted(found, key=lambda r: r.reviewed_at)


def details(store: LocalStore, family_id: str, visit_id: str) -> VisitDetails:
    """A visit with its family, who was present, the reviews and its sync state."""
    if not (is_id(family_id) and is_id(visit_id)):
        raise NotFound(visit_id)
    visit = store.get(Visit, visit_id)
    if visit is None or str(visit.family_id) != family_id:
        raise NotFound(visit_id)
    fam = store.get(Family, family_id, include_deleted=True)
    names = {m.id: m.name for m in members(store, family_id)}
    present = [names[str(p)] for p in visit.present if str(p) in names]
    day = visit.visited_at.astimezone().date()
    checked = [t for t in (store.get(PlanTask, str(i)) for i in visit.plan_tasks)
               if t is not None]
    return VisitDetails(visit, fam, present, reviews_of(store, RecordKind.VISIT, visit_id),
                        synced=visit_id not in store.unsynced_ids(),
                        can_amend=visit.author == store.user,
                        status=review_status(store, RecordKind.VISIT, visit_id),
                        family_deleted=fam is not None and fam.deleted,
                        plan_tasks=[(t.task, t.done_on == day) for t in checked])


def family_visits(store: LocalStore, family_id: str) -> list[Visit]:
    """A family's visits, newest first."""
    return sorted(store.all(Visit, family_id=family_id), key=lambda v: v.visited_at,
                  reverse=True)
