"""A family's cases (ведення випадку) for the screens: the read model and its writes (no Flet).

Read: ``load_cases(store, family_id, today=...)`` gives a ``FamilyCases``: the open case (or
none) as a ``CaseView`` and the earlier, closed ones. A ``CaseView`` has everything the card
and the case screens draw: the stage (``shared_models.cases.case_stage``, derived, never
stored), the assessment's term (due date and working days left, ``assessment_term`` over the
work calendar), the assessment (in progress or completed, and the supervisor's decision), the
threat flag, the plan's tasks (open, done, overdue), the support's term and its warning
(``support_term``), the closure and its review.

Write: each step has a small form object holding the values as typed (dates as Ukrainians
write them), a ``new_*``/``*_form`` function to fill it and a function that validates and
saves through the store, like ``placement_form``: ``None`` back with ``form.errors`` filled
when something is wrong. Edits of a stored case, assessment or task are saved against the
snapshot the form loaded, so only what the worker changed is written and a colleague's
change of another field meanwhile is kept (``LocalStore.save(since=...)``). Each task of a
plan is its own ``PlanTask`` record, so two people ticking or editing different tasks offline
both keep their work.

"Closed" replaces the retired ``Family.closed`` flag: a family is closed when every case of
it is closed and each closure stands, approved by the supervisor (``family_closed``,
``closed_family_ids``): a closure waiting for approval, or returned, keeps the family in the
worker's lists. A family closed with the old flag has a closed case from the store's
migration (``legacy_case_id``), which needs no approval.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from field_app.dates import BAD_DATE, date_text, parse_date
from field_app.services.problem import Problem
from field_app.store import LocalStore, Snapshot
from field_app.sync.calendar import stored_calendar
from shared_models.cases import (
    AssessmentTerm,
    CaseStage,
    SupportTerm,
    TermLevel,
    assessment_term,
    case_stage,
    extended_support_limit,
    support_limit,
    support_term,
)
from shared_models.enums import (
    AssessmentDecision,
    CaseResult,
    ClosureReason,
    ReporterKind,
    ReviewDecision,
    TaskResponsible,
)
from shared_models.messages import field_errors
from shared_models.records import Assessment, Case, Family, PlanTask, Record, Review, Visit
from shared_models.work_calendar import DEFAULT_CALENDAR, WorkCalendar

R = TypeVar("R", bound=Record)


class NotFound(LookupError):
    """The family, case, assessment or task of the route is not on this device."""


# ---- read model -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReviewInfo:
    """The supervisor's current decision on an assessment or a closure.

    ``decision`` is ``None`` before the first decision; ``amended`` is true when the record
    changed after the latest decision (it waits for a decision again).
    """

    decision: ReviewDecision | None
    comment: str = ""
    reviewer: str = ""
    reviewed_at: datetime | None = None
    amended: bool = False

    @property
    def approved(self) -> bool:
        """Approved, and unchanged since."""
        return self.decision is ReviewDecision.APPROVED and not self.amended

    @property
    def returned(self) -> bool:
        """Returned with a comment, and not yet changed: the author has to fix it."""
        return self.decision is ReviewDecision.RETURNED and not self.amended

    @property
    def waiting(self) -> bool:
        """Waiting for a decision (none yet, or changed after the latest one)."""
        return self.decision is None or self.amended


NO_REVIEW = ReviewInfo(None)


@dataclass(frozen=True, slots=True)
class AssessmentInfo:
    """A case's needs assessment as the card shows it."""

    id: str
    assessor: str
    started_on: date
    completed_on: date | None
    threat: bool
    decision: AssessmentDecision | None     # what the act concludes (support, close...)
    review: ReviewInfo
    unsynced: bool

    @property
    def draft(self) -> bool:
        """Still being written (not completed, so not sent for a decision)."""
        return self.completed_on is None

    @property
    def submitted(self) -> bool:
        """Completed: sent to the supervisor."""
        return self.completed_on is not None


class TaskState:
    """Where a plan task stands (plain strings, so the views can key labels on them)."""

    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class TaskLine:
    """One task of the support plan."""

    id: str
    goal: str
    task: str
    responsible: TaskResponsible
    responsible_person_id: str | None
    responsible_name: str
    due_date: date
    done_on: date | None
    progress: str
    cancelled: bool
    state: str              # ``TaskState``
    days_left: int          # calendar days from today to the due date (negative: overdue)
    unsynced: bool

    @property
    def open(self) -> bool:
        """Still to do (overdue tasks are open too)."""
        return self.state in (TaskState.OPEN, TaskState.OVERDUE)

    @property
    def overdue(self) -> bool:
        """Past its due date and not done."""
        return self.state == TaskState.OVERDUE


@dataclass(frozen=True, slots=True)
class ClosureInfo:
    """A recorded closure and the supervisor's decision on it."""

    closed_on: date
    reason: ClosureReason
    result: CaseResult | None
    notes: str
    review: ReviewInfo

    @property
    def legacy(self) -> bool:
        """Closed with the old flag, before cases existed (no approval needed)."""
        return self.reason is ClosureReason.LEGACY


@dataclass(frozen=True, slots=True)
class CaseView:
    """One case with everything the family card and the case screens draw."""

    id: str
    family_id: str
    community: str
    opened_on: date
    reporter_kind: ReporterKind
    reporter_name: str
    reporter_consent: bool
    request_summary: str
    assigned_worker: str | None
    reopens: str | None
    stage: CaseStage
    assessment_term: AssessmentTerm
    assessment: AssessmentInfo | None
    threat: bool                          # the assessment or a visit found a threat
    tasks: tuple[TaskLine, ...]           # overdue first, then open by due date, then done
    plan_agreed_on: date | None
    plan_agreed_by: str
    support_start: date | None
    planned_end: date | None
    extension_decision_date: date | None
    extension_reason: str
    extended_end: date | None
    support: SupportTerm | None           # ``None`` while support has not started
    closure: ClosureInfo | None
    unsynced: bool

    @property
    def is_open(self) -> bool:
        """No closure recorded (a closure waiting for approval is not open)."""
        return self.closure is None

    @property
    def open_tasks(self) -> tuple[TaskLine, ...]:
        """Tasks still to do, overdue ones included."""
        return tuple(t for t in self.tasks if t.open)

    @property
    def done_tasks(self) -> tuple[TaskLine, ...]:
        """Tasks ticked off."""
        return tuple(t for t in self.tasks if t.state == TaskState.DONE)

    @property
    def overdue_tasks(self) -> tuple[TaskLine, ...]:
        """Open tasks past their due date."""
        return tuple(t for t in self.tasks if t.overdue)

    @property
    def assessment_overdue(self) -> bool:
        """The assessment was not completed by its due date."""
        return self.assessment_term.level is TermLevel.OVERDUE

    @property
    def may_extend(self) -> bool:
        """Support runs and has not been extended yet."""
        return self.support is not None and self.support.can_extend


@dataclass(frozen=True, slots=True)
class FamilyCases:
    """A family's cases: the open one (or none) and the earlier ones, the latest first."""

    family_id: str
    open: CaseView | None
    earlier: tuple[CaseView, ...]

    @property
    def latest(self) -> CaseView | None:
        """The open case, else the latest closed one (``None``: no case yet)."""
        return self.open or (self.earlier[0] if self.earlier else None)

    @property
    def closed(self) -> bool:
        """No case is open and the latest one's closure is approved (or came from the old
        "closed" flag): a closure still waiting for the supervisor is not closed yet."""
        return (self.open is None and bool(self.earlier)
                and self.earlier[0].stage is CaseStage.CLOSED)

    @property
    def may_open(self) -> bool:
        """A new case may be opened (a family has at most one open case)."""
        return self.open is None


def review_info(reviews: Iterable[Review], clocks: Mapping[str, str],
                target_id: str) -> ReviewInfo:
    """The current decision among ``reviews`` of one record, by clock (``reviews`` rule).

    ``clocks`` holds the last-changed clock of the target and of each review
    (``LocalStore.last_changed``); a review whose clock is unknown is left out.
    """
    known = [r for r in reviews if str(r.id) in clocks]
    if not known:
        return NO_REVIEW
    latest = max(known, key=lambda r: clocks[str(r.id)])
    seen = latest.target_clock or clocks[str(latest.id)]
    return ReviewInfo(latest.decision, latest.comment, latest.reviewer, latest.reviewed_at,
                      amended=clocks.get(target_id, "") > seen)


def _task_line(t: PlanTask, today: date, unsynced: set[str]) -> TaskLine:
    if t.cancelled:
        state = TaskState.CANCELLED
    elif t.done_on is not None:
        state = TaskState.DONE
    elif t.due_date < today:
        state = TaskState.OVERDUE
    else:
        state = TaskState.OPEN
    return TaskLine(str(t.id), t.goal, t.task, t.responsible,
                    str(t.responsible_person_id) if t.responsible_person_id else None,
                    t.responsible_name, t.due_date, t.done_on, t.progress, t.cancelled, state,
                    (t.due_date - today).days, str(t.id) in unsynced)


_TASK_ORDER = {TaskState.OVERDUE: 0, TaskState.OPEN: 1, TaskState.DONE: 2,
               TaskState.CANCELLED: 3}


def _latest_assessment(assessments: Iterable[Assessment]) -> Assessment | None:
    """The case's current act: a completed one before one in progress, then the latest."""
    return max(assessments, key=lambda a: (a.completed_on is not None,
                                           a.completed_on or a.started_on, str(a.id)),
               default=None)


def case_view(case: Case, *, assessment: Assessment | None, tasks: Iterable[PlanTask],
              reviews: Mapping[str, list[Review]], clocks: Mapping[str, str],
              unsynced: set[str], today: date, visit_threat: bool = False,
              calendar: WorkCalendar = DEFAULT_CALENDAR) -> CaseView:
    """A ``CaseView`` from the records already read (the due list and dashboard call this
    over many cases; ``load_cases`` over one family's)."""
    cid = str(case.id)
    a_info = None
    if assessment is not None:
        aid = str(assessment.id)
        a_review = (review_info(reviews.get(aid, ()), clocks, aid)
                    if assessment.completed_on is not None else NO_REVIEW)
        a_info = AssessmentInfo(aid, assessment.assessor, assessment.started_on,
                                assessment.completed_on, assessment.threat,
                                assessment.decision, a_review, aid in unsynced)
    closure = None
    if case.closed_on is not None and case.closure_reason is not None:
        closure = ClosureInfo(case.closed_on, case.closure_reason, case.closure_result,
                              case.closure_notes, review_info(reviews.get(cid, ()), clocks, cid))
    legacy = closure is not None and closure.legacy
    stage = case_stage(closed_on=case.closed_on,
                       closure_approved=closure is not None and closure.review.approved,
                       legacy=legacy,
                       assessment_completed=a_info is not None and a_info.submitted,
                       assessment_approved=a_info is not None and a_info.review.approved)
    lines = sorted((_task_line(t, today, unsynced) for t in tasks),
                   key=lambda t: (_TASK_ORDER[t.state], t.due_date, t.goal, t.task, t.id))
    a_term = assessment_term(opened_on=case.opened_on,
                             completed_on=a_info.completed_on if a_info else None,
                             today=today, calendar=calendar)
    s_term = support_term(start=case.support_start, planned_end=case.planned_end,
                          extended_end=case.extended_end, closed_on=case.closed_on, today=today)
    return CaseView(
        id=cid, family_id=str(case.family_id), community=case.community.value,
        opened_on=case.opened_on, reporter_kind=case.reporter_kind,
        reporter_name=case.reporter_name, reporter_consent=case.reporter_consent,
        request_summary=case.request_summary, assigned_worker=case.assigned_worker,
        reopens=str(case.reopens) if case.reopens else None, stage=stage,
        assessment_term=a_term, assessment=a_info,
        threat=(a_info is not None and a_info.threat) or visit_threat,
        tasks=tuple(lines), plan_agreed_on=case.plan_agreed_on,
        plan_agreed_by=case.plan_agreed_by, support_start=case.support_start,
        planned_end=case.planned_end, extension_decision_date=case.extension_decision_date,
        extension_reason=case.extension_reason, extended_end=case.extended_end,
        support=s_term, closure=closure, unsynced=cid in unsynced)


def _case_order(c: Case) -> tuple[date, date, str]:
    return (c.closed_on or date.max, c.opened_on, str(c.id))


def _visit_threat(case: Case, threat_days: Iterable[date]) -> bool:
    """A visit during the case (from its request to its closure) found a threat."""
    end = case.closed_on or date.max
    return any(case.opened_on <= day <= end for day in threat_days)


def _threat_days(visits: Iterable[Visit]) -> dict[str, list[date]]:
    out: dict[str, list[date]] = {}
    for v in visits:
        if v.threat_to_life:
            out.setdefault(str(v.family_id), []).append(v.visited_at.date())
    return out


class _CaseIndex:
    """Cases, acts, tasks, reviews and clocks read once (one family's or the device's)."""

    def __init__(self, store: LocalStore, cases: list[Case], *,
                 assessments: Iterable[Assessment], tasks: Iterable[PlanTask],
                 visits: Iterable[Visit],
                 reviews: Iterable[Review] | None, unsynced: set[str] | None) -> None:
        by_case: dict[str, list[Assessment]] = {}
        for a in assessments:
            by_case.setdefault(str(a.case_id), []).append(a)
        self.tasks: dict[str, list[PlanTask]] = {}
        for t in tasks:
            self.tasks.setdefault(str(t.case_id), []).append(t)
        self.chosen = {str(c.id): _latest_assessment(by_case.get(str(c.id), ())) for c in cases}
        targets = [str(c.id) for c in cases] + [str(a.id) for a in self.chosen.values() if a]
        self.reviews: dict[str, list[Review]] = {}
        if reviews is None:     # one family: ask per target (the store scans its cache)
            for tid in targets:
                found = store.all(Review, target_id=tid)
                if found:
                    self.reviews[tid] = found
        else:
            wanted = set(targets)
            for r in reviews:
                if str(r.target_id) in wanted:
                    self.reviews.setdefault(str(r.target_id), []).append(r)
        self.clocks = store.last_changed(
            targets + [str(r.id) for rs in self.reviews.values() for r in rs])
        self.unsynced = store.unsynced_ids() if unsynced is None else unsynced
        self.threats = _threat_days(visits)

    def view(self, case: Case, today: date, calendar: WorkCalendar) -> CaseView:
        cid = str(case.id)
        return case_view(case, assessment=self.chosen[cid], tasks=self.tasks.get(cid, ()),
                         reviews=self.reviews, clocks=self.clocks, unsynced=self.unsynced,
                         today=today, calendar=calendar,
                         visit_threat=_visit_threat(case, self.threats.get(
                             str(case.family_id), ())))


def work_calendar(store: LocalStore) -> WorkCalendar:
    """The calendar this device counts working days by: the operator's, as fetched at the
    last sync, or the built-in one (blocking: it is read from the sealed store)."""
    return stored_calendar(store)


def load_cases(store: LocalStore, family_id: str | uuid.UUID, *, today: date,
               calendar: WorkCalendar | None = None,
               unsynced: set[str] | None = None) -> FamilyCases:
    """The family's cases as the card shows them (``unsynced`` may be passed when the caller
    has read ``LocalStore.unsynced_ids()`` already; ``calendar`` None: the store's)."""
    fid = str(family_id)
    cases = store.all(Case, family_id=fid)
    if not cases:
        return FamilyCases(fid, None, ())
    index = _CaseIndex(store, cases, assessments=store.all(Assessment, family_id=fid),
                       tasks=store.all(PlanTask, family_id=fid),
                       visits=store.all(Visit, family_id=fid), reviews=None,
                       unsynced=unsynced)
    calendar = stored_calendar(store) if calendar is None else calendar
    views = [index.view(c, today, calendar)
             for c in sorted(cases, key=_case_order, reverse=True)]
    open_ = next((v for v in views if v.is_open), None)
    return FamilyCases(fid, open_, tuple(v for v in views if v is not open_))


def case_views(store: LocalStore, *, today: date, communities: Iterable[str] | None = None,
               include_closed: bool = False,
               calendar: WorkCalendar | None = None) -> list[CaseView]:
    """Every case on the device (of ``communities`` when given) as a ``CaseView``: open
    ones and those waiting for the closure's approval; approved closures too with
    ``include_closed``. For the due list, the dashboard and the review queue.
    ``calendar`` None: the one the device holds (``work_calendar``)."""
    wanted = set(communities) if communities is not None else None

    def mine(r: Record) -> bool:
        return wanted is None or r.community.value in wanted

    cases = [c for c in store.all(Case) if mine(c)]
    if not cases:
        return []
    index = _CaseIndex(store, cases, assessments=[a for a in store.all(Assessment) if mine(a)],
                       tasks=[t for t in store.all(PlanTask) if mine(t)],
                       visits=[v for v in store.all(Visit) if v.threat_to_life and mine(v)],
                       reviews=store.all(Review), unsynced=None)
    calendar = stored_calendar(store) if calendar is None else calendar
    views = [index.view(c, today, calendar) for c in cases]
    return [v for v in views if include_closed or v.stage is not CaseStage.CLOSED]


def _settled(store: LocalStore, cases: Iterable[Case]) -> set[str]:
    """Ids of the closed ``cases`` whose closure stands: approved by the supervisor (the
    current decision on the current closure, ``review_info``) or closed with the old flag."""
    out: set[str] = set()
    for c in cases:
        if c.closed_on is None:
            continue
        cid = str(c.id)
        if c.closure_reason is ClosureReason.LEGACY:
            out.add(cid)
            continue
        reviews = store.all(Review, target_id=cid)
        if not reviews:
            continue
        clocks = store.last_changed([cid, *(str(r.id) for r in reviews)])
        if review_info(reviews, clocks, cid).approved:
            out.add(cid)
    return out


def is_closed(store: LocalStore, cases: Iterable[Case]) -> bool:
    """A family with these cases is closed: it has a case, and every case's closure stands
    (approved, or from the old flag). One waiting for the supervisor keeps it in the lists."""
    cases = list(cases)
    return bool(cases) and all(c.closed_on is not None for c in cases) and \
        len(_settled(store, cases)) == len(cases)


def closed_family_ids(store: LocalStore) -> set[str]:
    """Ids of the families that are closed (the lists' and dashboard's "closed" test)."""
    by_family: dict[str, list[Case]] = {}
    for c in store.all(Case):
        by_family.setdefault(str(c.family_id), []).append(c)
    candidates = [c for cs in by_family.values() if all(c.closed_on is not None for c in cs)
                  for c in cs]
    settled = _settled(store, candidates)
    return {fid for fid, cs in by_family.items()
            if all(str(c.id) in settled for c in cs)}


def family_closed(store: LocalStore, family_id: str | uuid.UUID) -> bool:
    """Whether one family is closed (``closed_family_ids`` for one family)."""
    return is_closed(store, store.all(Case, family_id=str(family_id)))


def open_case(store: LocalStore, family_id: str | uuid.UUID) -> Case | None:
    """The family's open case, or ``None``."""
    return next((c for c in store.all(Case, family_id=str(family_id)) if c.closed_on is None),
                None)


# ---- writing: shared pieces ------------------------------------------------------------------
def _read_date(form: Any, name: str, errors: dict[str, Problem]) -> date | None:
    try:
        return parse_date(getattr(form, name))
    except ValueError:
        errors[name] = Problem(BAD_DATE)
        return None


def _model_errors(exc: ValidationError, errors: dict[str, Problem]) -> None:
    uk, en = field_errors(exc, "uk"), field_errors(exc, "en")
    for name, text in uk.items():
        errors.setdefault(name, Problem.literal(text, en.get(name, text)))


def _validated(cls: type[R], values: dict[str, Any], errors: dict[str, Problem]) -> R | None:
    try:
        model = cls.model_validate(values)
    except ValidationError as exc:
        _model_errors(exc, errors)
        return None
    return model if not errors else None


def _snapshot(store: LocalStore, cls: type[R], record_id: str) -> Snapshot[R]:
    snap = store.snapshot(cls, record_id)
    if snap is None:
        raise NotFound(record_id)
    return snap


def _edit(store: LocalStore, snap: Snapshot[R], changes: dict[str, Any],
          errors: dict[str, Problem]) -> R | None:
    """Validate the snapshot's record with ``changes`` and save only what changed since the
    snapshot; ``None`` (``errors`` filled) when invalid."""
    values = {**snap.model.model_dump(), **changes}
    model = _validated(type(snap.model), values, errors)
    if model is None:
        return None
    store.save(model, since=snap)
    return model


def _save_form(store: LocalStore, cls: type[R], form: Any, id_field: str, *,
               values: dict[str, Any], errors: dict[str, Problem]) -> R | None:
    """Create the form's record (first save) or save what changed since the form's snapshot;
    the form then holds the record's id (``id_field``) and a fresh snapshot. ``None`` with
    ``form.errors`` when invalid."""
    if form.is_new:
        model = _validated(cls, {"id": form.new_id, "community": form.community, **values},
                           errors)
        form.errors = errors
        if model is None:
            return None
        store.save(model)
        setattr(form, id_field, str(model.id))
        form.snapshot = _snapshot(store, cls, str(model.id))
        return model
    snap = form.snapshot or _snapshot(store, cls, str(getattr(form, id_field)))
    saved = _edit(store, snap, values, errors)
    form.errors = errors
    if saved is not None:
        form.snapshot = _snapshot(store, cls, str(saved.id))
    return saved


def _case(store: LocalStore, case_id: str) -> Case:
    case = store.get(Case, case_id)
    if case is None:
        raise NotFound(case_id)
    return case


# ---- intake: opening a case ------------------------------------------------------------------
@dataclass
class IntakeForm:
    """A request (звернення) that opens a case, as typed."""

    family_id: str
    community: str
    opened_on: str = ""
    reporter_kind: str = ReporterKind.FAMILY.value
    reporter_name: str = ""
    reporter_consent: bool = False
    request_summary: str = ""
    assigned_worker: str = ""
    reopens: str = ""                   # "" or the closed case this one reopens
    new_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    errors: dict[str, Problem] = field(default_factory=dict)


def new_intake(store: LocalStore, family_id: str, *, today: date, me: str = "",
               reopens: str | None = None) -> IntakeForm:
    """An empty request on a family dated today (``reopens``: the closed case it reopens)."""
    family = store.get(Family, family_id)
    if family is None:
        raise NotFound(family_id)
    return IntakeForm(family_id=str(family.id), community=family.community.value,
                      opened_on=date_text(today),
                      assigned_worker=family.assigned_worker or me, reopens=reopens or "")


def new_reopen(store: LocalStore, case_id: str, *, today: date, me: str = "") -> IntakeForm:
    """A new request reopening a closed case: a new case naming the old one in ``reopens``."""
    old = _case(store, case_id)
    form = new_intake(store, str(old.family_id), today=today, me=me, reopens=str(old.id))
    form.reporter_kind = old.reporter_kind.value
    return form


def open_new_case(store: LocalStore, form: IntakeForm) -> Case | None:
    """Open the case the form describes; ``None`` with ``form.errors`` when it cannot be.

    Refused (``errors["case"]``, ``cases.err.open_exists``) when the family already has an
    open case: a family has at most one; ``cases.err.reopens_open`` when the case named in
    ``reopens`` is not closed.
    """
    errors: dict[str, Problem] = {}
    if store.get(Family, form.family_id) is None:
        raise NotFound(form.family_id)
    existing = open_case(store, form.family_id)
    if existing is not None:
        errors["case"] = Problem("cases.err.open_exists",
                                 {"date": date_text(existing.opened_on)})
    if form.reopens:
        old = store.get(Case, form.reopens)
        if old is None or str(old.family_id) != form.family_id:
            errors["reopens"] = Problem("cases.err.not_found")
        elif old.closed_on is None:
            errors["reopens"] = Problem("cases.err.reopens_open")
    opened = _read_date(form, "opened_on", errors)
    if opened is None and "opened_on" not in errors:
        errors["opened_on"] = Problem("err.required")
    values = {"id": form.new_id, "community": form.community, "family_id": form.family_id,
              "opened_on": opened, "reporter_kind": form.reporter_kind or ReporterKind.OTHER,
              "reporter_name": form.reporter_name,
              "reporter_consent": form.reporter_consent,
              "request_summary": form.request_summary,
              "assigned_worker": form.assigned_worker or None,
              "reopens": form.reopens or None}
    model = _validated(Case, {k: v for k, v in values.items() if k not in errors}, errors)
    form.errors = errors
    if model is None:
        return None
    store.save(model)
    return model


# ---- the needs assessment -------------------------------------------------------------------
@dataclass
class ChildForm:
    """One child's section of the act."""

    person_id: str
    health: str = ""
    development: str = ""
    education: str = ""
    family_relations: str = ""
    needs: str = ""
    threat_to_life: bool = False


#: The act's text fields, as on the form (``Assessment``'s names).
ASSESSMENT_TEXT = ("threat_details", "adults_health", "adults_emotional_state",
                   "harmful_habits_details", "social_contacts", "employment", "self_care",
                   "parenting", "housing_details", "income", "environment", "effect_on_child",
                   "conclusion")


@dataclass
class AssessmentForm:
    """The needs-assessment act as typed. Choices hold the enum's value or ""; yes/no
    questions hold ``None`` until answered."""

    case_id: str
    family_id: str
    community: str
    assessor: str
    assessment_id: str | None = None     # None: not saved yet
    new_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started_on: str = ""
    completed_on: str = ""
    participants: list[str] = field(default_factory=list)
    children: list[ChildForm] = field(default_factory=list)
    threat_to_life: bool = False
    threat_details: str = ""
    adults_health: str = ""
    adults_emotional_state: str = ""
    harmful_habits: bool | None = None
    harmful_habits_details: str = ""
    social_contacts: str = ""
    employment: str = ""
    self_care: str = ""
    parenting: str = ""
    housing: str = ""
    housing_details: str = ""
    income: str = ""
    environment: str = ""
    difficult_circumstances: bool | None = None
    circumstances: list[str] = field(default_factory=list)
    effect_on_child: str = ""
    problem_duration: str = ""
    family_recognises: bool | None = None
    family_cooperates: bool | None = None
    services_needed: list[str] = field(default_factory=list)
    decision: str = ""
    conclusion: str = ""
    errors: dict[str, Problem] = field(default_factory=dict)
    snapshot: Snapshot[Assessment] | None = None

    @property
    def is_new(self) -> bool:
        """Whether saving creates the act."""
        return self.assessment_id is None

    @property
    def threat(self) -> bool:
        """A threat to a child's life or health is marked anywhere in the act."""
        return self.threat_to_life or any(c.threat_to_life for c in self.children)


def assessment_form(store: LocalStore, case_id: str, *, me: str,
                    today: date) -> AssessmentForm:
    """The case's act to edit (the current one), or a new one started today by ``me``."""
    case = _case(store, case_id)
    current = _latest_assessment(store.all(Assessment, case_id=str(case.id)))
    if current is None:
        return AssessmentForm(case_id=str(case.id), family_id=str(case.family_id),
                              community=case.community.value, assessor=me,
                              started_on=date_text(today))
    snap = _snapshot(store, Assessment, str(current.id))
    a = snap.model
    form = AssessmentForm(
        case_id=str(a.case_id), family_id=str(a.family_id), community=a.community.value,
        assessor=a.assessor, assessment_id=str(a.id), new_id=str(a.id),
        started_on=date_text(a.started_on), completed_on=date_text(a.completed_on),
        participants=[str(p) for p in a.participants],
        children=[ChildForm(str(c.person_id), c.health, c.development, c.education,
                            c.family_relations, c.needs, c.threat_to_life) for c in a.children],
        threat_to_life=a.threat_to_life, harmful_habits=a.harmful_habits,
        housing=a.housing.value if a.housing else "",
        difficult_circumstances=a.difficult_circumstances,
        circumstances=[c.value for c in a.circumstances],
        problem_duration=a.problem_duration.value if a.problem_duration else "",
        family_recognises=a.family_recognises, family_cooperates=a.family_cooperates,
        services_needed=list(a.services_needed),
        decision=a.decision.value if a.decision else "", snapshot=snap)
    for name in ASSESSMENT_TEXT:
        setattr(form, name, getattr(a, name))
    return form


def _assessment_values(form: AssessmentForm, errors: dict[str, Problem]) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(form, name) for name in ASSESSMENT_TEXT}
    values.update(
        case_id=form.case_id, family_id=form.family_id, assessor=form.assessor,
        started_on=_read_date(form, "started_on", errors),
        completed_on=_read_date(form, "completed_on", errors),
        participants=list(form.participants),
        children=[{f.name: getattr(c, f.name) for f in fields(ChildForm)}
                  for c in form.children],
        threat_to_life=form.threat_to_life, harmful_habits=form.harmful_habits,
        housing=form.housing or None,
        difficult_circumstances=form.difficult_circumstances,
        circumstances=list(form.circumstances),
        problem_duration=form.problem_duration or None,
        family_recognises=form.family_recognises, family_cooperates=form.family_cooperates,
        services_needed=list(form.services_needed), decision=form.decision or None)
    if values["started_on"] is None and "started_on" not in errors:
        errors["started_on"] = Problem("err.required")
    return {k: v for k, v in values.items() if k not in errors}


def save_assessment(store: LocalStore, form: AssessmentForm, *, complete: bool = False,
                    today: date | None = None) -> Assessment | None:
    """Save the act as work in progress, or (``complete``) completed and sent to the
    supervisor: dated ``today`` when no completion date was typed. ``None`` with
    ``form.errors`` when invalid (completing asks for the conclusion as well)."""
    if complete and not form.completed_on.strip():
        form.completed_on = date_text(today or date.today())
    if not complete:
        form.completed_on = ""
    errors: dict[str, Problem] = {}
    values = _assessment_values(form, errors)
    return _save_form(store, Assessment, form, "assessment_id", values=values, errors=errors)


def assessment_key(case_id: str) -> str:
    """Draft key (``draft_store``) of the act of a case being typed."""
    return f"assessment.edit.{case_id}"


_ASSESSMENT_TRANSIENT = {"errors", "snapshot"}


def assessment_form_data(form: AssessmentForm) -> dict[str, Any]:
    """What the act's draft holds: every typed value and the snapshot an edit loaded."""
    data: dict[str, Any] = {}
    for f in fields(form):
        if f.name in _ASSESSMENT_TRANSIENT:
            continue
        value = getattr(form, f.name)
        if f.name == "children":
            value = [{c.name: getattr(child, c.name) for c in fields(ChildForm)}
                     for child in value]
        elif isinstance(value, list):
            value = list(value)
        data[f.name] = value
    snap = form.snapshot
    data["snapshot"] = (None if snap is None or not snap.clocks else
                        {"model": snap.model.model_dump(mode="json"),
                         "clocks": dict(snap.clocks)})
    return data


def assessment_from_draft(data: dict[str, Any]) -> AssessmentForm:
    """The act's form a draft holds."""
    names = {f.name for f in fields(AssessmentForm)} - _ASSESSMENT_TRANSIENT
    values = {k: v for k, v in data.items() if k in names}
    values["children"] = [ChildForm(**c) for c in values.get("children", [])]
    snap = data.get("snapshot")
    form = AssessmentForm(**values)
    if snap:
        form.snapshot = Snapshot(Assessment.model_validate(snap["model"]), dict(snap["clocks"]))
    return form


# ---- the support plan: its tasks and the family's agreement ----------------------------------
@dataclass
class TaskForm:
    """One plan task as typed."""

    case_id: str
    family_id: str
    community: str
    task_id: str | None = None
    new_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    goal: str = ""
    task: str = ""
    responsible: str = TaskResponsible.WORKER.value
    responsible_person_id: str = ""
    responsible_name: str = ""
    due_date: str = ""
    done_on: str = ""
    progress: str = ""
    cancelled: bool = False
    errors: dict[str, Problem] = field(default_factory=dict)
    snapshot: Snapshot[PlanTask] | None = None

    @property
    def is_new(self) -> bool:
        """Whether saving adds the task."""
        return self.task_id is None


def new_task_form(store: LocalStore, case_id: str, *, goal: str = "") -> TaskForm:
    """An empty task of the case's plan (``goal``: the goal it serves, to add a second task
    to the same goal)."""
    case = _case(store, case_id)
    return TaskForm(case_id=str(case.id), family_id=str(case.family_id),
                    community=case.community.value, goal=goal)


def task_form(store: LocalStore, task_id: str) -> TaskForm:
    """A stored task's form."""
    snap = _snapshot(store, PlanTask, task_id)
    t = snap.model
    return TaskForm(case_id=str(t.case_id), family_id=str(t.family_id),
                    community=t.community.value, task_id=str(t.id), new_id=str(t.id),
                    goal=t.goal, task=t.task, responsible=t.responsible.value,
                    responsible_person_id=str(t.responsible_person_id or ""),
                    responsible_name=t.responsible_name, due_date=date_text(t.due_date),
                    done_on=date_text(t.done_on), progress=t.progress, cancelled=t.cancelled,
                    snapshot=snap)


def save_task(store: LocalStore, form: TaskForm) -> PlanTask | None:
    """Add or edit the task; ``None`` with ``form.errors`` when invalid."""
    errors: dict[str, Problem] = {}
    values: dict[str, Any] = {
        "case_id": form.case_id, "family_id": form.family_id, "goal": form.goal,
        "task": form.task, "responsible": form.responsible,
        "responsible_person_id": form.responsible_person_id or None,
        "responsible_name": form.responsible_name,
        "due_date": _read_date(form, "due_date", errors),
        "done_on": _read_date(form, "done_on", errors),
        "progress": form.progress, "cancelled": form.cancelled}
    if values["due_date"] is None and "due_date" not in errors:
        errors["due_date"] = Problem("err.required")
    values = {k: v for k, v in values.items() if k not in errors}
    return _save_form(store, PlanTask, form, "task_id", values=values, errors=errors)


def tick_task(store: LocalStore, task_id: str, *, done_on: date | None,
              progress: str | None = None) -> PlanTask:
    """Tick a task off on ``done_on`` (``None``: not done after all), optionally with the
    progress text as it should read now (a visit's comment). Only those fields are written."""
    snap = _snapshot(store, PlanTask, task_id)
    changes: dict[str, Any] = {"done_on": done_on}
    if progress is not None:
        changes["progress"] = progress
    errors: dict[str, Problem] = {}
    saved = _edit(store, snap, changes, errors)
    if saved is None:
        raise CaseRefused(next(iter(errors.values())))
    return saved


def cancel_task(store: LocalStore, task_id: str, cancelled: bool = True) -> PlanTask:
    """Mark a task as no longer applying (kept, so the plan's history stays readable)."""
    snap = _snapshot(store, PlanTask, task_id)
    errors: dict[str, Problem] = {}
    saved = _edit(store, snap, {"cancelled": cancelled}, errors)
    if saved is None:
        raise CaseRefused(next(iter(errors.values())))
    return saved


def visit_tasks(store: LocalStore, family_id: str | uuid.UUID, *,
                today: date) -> tuple[TaskLine, ...]:
    """The open tasks of the family's open case, for the visit form to tick or comment
    (overdue first); empty when the family has no open case."""
    case = open_case(store, family_id)
    if case is None:
        return ()
    unsynced = store.unsynced_ids()
    lines = (_task_line(t, today, unsynced) for t in store.all(PlanTask, case_id=str(case.id)))
    return tuple(sorted((t for t in lines if t.open),
                        key=lambda t: (_TASK_ORDER[t.state], t.due_date, t.goal, t.task)))


def record_visit_tasks(store: LocalStore, *, done: Iterable[str],
                       comments: Mapping[str, str], on: date) -> list[PlanTask]:
    """What a visit did to the plan: tick the ``done`` tasks off on the visit's day ``on``,
    and add each comment (task id -> text) to its task's progress as a new line dated
    ``on``. Each task is its own record, written alone: a colleague's change to another task
    or another field is kept. The saved tasks (the visit's ``plan_tasks`` names them)."""
    done = set(done)
    saved = []
    for tid in sorted(done | set(comments)):
        snap = _snapshot(store, PlanTask, tid)
        changes: dict[str, Any] = {}
        if tid in done and snap.model.done_on is None:
            changes["done_on"] = on
        text = comments.get(tid, "").strip()
        if text:
            line = f"{date_text(on)}: {text}"
            changes["progress"] = (f"{snap.model.progress}\n{line}" if snap.model.progress
                                   else line)
        if not changes:
            continue
        errors: dict[str, Problem] = {}
        task = _edit(store, snap, changes, errors)
        if task is None:
            raise CaseRefused(next(iter(errors.values())))
        saved.append(task)
    return saved


class CaseRefused(Exception):
    """A one-step write that cannot be done; ``problem`` says why in the user's words."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.key)
        self.problem = problem


@dataclass
class PlanForm:
    """The plan's agreement with the family and the support's term, as typed."""

    case_id: str
    plan_agreed_on: str = ""
    plan_agreed_by: str = ""
    support_start: str = ""
    planned_end: str = ""
    errors: dict[str, Problem] = field(default_factory=dict)
    snapshot: Snapshot[Case] | None = None

    def limit_hint(self) -> date | None:
        """The latest planned end the law allows for the typed start (or ``None``)."""
        try:
            start = parse_date(self.support_start)
        except ValueError:
            return None
        return support_limit(start) if start else None


def plan_form(store: LocalStore, case_id: str, *, today: date) -> PlanForm:
    """The case's plan agreement: as stored, or today and the full 6 months when not yet."""
    snap = _snapshot(store, Case, case_id)
    c = snap.model
    if c.support_start is None:
        start = max(today, c.opened_on)
        return PlanForm(str(c.id), date_text(c.plan_agreed_on or start), c.plan_agreed_by,
                        date_text(start), date_text(support_limit(start)), snapshot=snap)
    return PlanForm(str(c.id), date_text(c.plan_agreed_on), c.plan_agreed_by,
                    date_text(c.support_start), date_text(c.planned_end), snapshot=snap)


def save_plan(store: LocalStore, form: PlanForm) -> Case | None:
    """Record the plan's agreement and the support's term; ``None`` with ``form.errors``."""
    errors: dict[str, Problem] = {}
    changes: dict[str, Any] = {name: _read_date(form, name, errors)
                               for name in ("plan_agreed_on", "support_start", "planned_end")}
    for name in ("plan_agreed_on", "support_start", "planned_end"):
        if changes[name] is None and name not in errors:
            errors[name] = Problem("err.required")
    changes["plan_agreed_by"] = form.plan_agreed_by
    snap = form.snapshot or _snapshot(store, Case, form.case_id)
    if snap.model.closed_on is not None:
        errors["case"] = Problem("cases.err.closed")
    saved = _edit(store, snap, {k: v for k, v in changes.items() if k not in errors}, errors)
    form.errors = errors
    return saved


# ---- extension of the term ------------------------------------------------------------------
@dataclass
class ExtensionForm:
    """The recorded decision to extend support, as typed."""

    case_id: str
    extension_decision_date: str = ""
    extension_reason: str = ""
    extended_end: str = ""
    errors: dict[str, Problem] = field(default_factory=dict)
    snapshot: Snapshot[Case] | None = None

    def limit_hint(self) -> date | None:
        """The latest end an extension may reach (12 months from the start)."""
        start = self.snapshot.model.support_start if self.snapshot else None
        return extended_support_limit(start) if start else None


def extension_form(store: LocalStore, case_id: str, *, today: date) -> ExtensionForm:
    """The extension's form: as recorded, or decided today up to the 12-month limit."""
    snap = _snapshot(store, Case, case_id)
    c = snap.model
    if c.extended_end is not None:
        return ExtensionForm(str(c.id), date_text(c.extension_decision_date),
                             c.extension_reason, date_text(c.extended_end), snapshot=snap)
    end = extended_support_limit(c.support_start) if c.support_start else None
    return ExtensionForm(str(c.id), date_text(today), "", date_text(end), snapshot=snap)


def extend_term(store: LocalStore, form: ExtensionForm) -> Case | None:
    """Record the extension (decision date, reason, new end at most 12 months from the
    start); ``None`` with ``form.errors`` when it cannot be."""
    errors: dict[str, Problem] = {}
    snap = form.snapshot or _snapshot(store, Case, form.case_id)
    c = snap.model
    if c.closed_on is not None:
        errors["case"] = Problem("cases.err.closed")
    elif c.support_start is None:
        errors["case"] = Problem("cases.err.no_support")
    changes: dict[str, Any] = {
        "extension_decision_date": _read_date(form, "extension_decision_date", errors),
        "extended_end": _read_date(form, "extended_end", errors),
        "extension_reason": form.extension_reason}
    for name in ("extension_decision_date", "extended_end"):
        if changes[name] is None and name not in errors:
            errors[name] = Problem("err.required")
    if not form.extension_reason.strip():
        errors["extension_reason"] = Problem("err.required")
    saved = None if errors else _edit(store, snap, changes, errors)
    form.errors = errors
    return saved


# ---- closure and reopening ------------------------------------------------------------------
@dataclass
class ClosureForm:
    """A case's closure as typed."""

    case_id: str
    closed_on: str = ""
    closure_reason: str = ""
    closure_result: str = ""
    closure_notes: str = ""
    errors: dict[str, Problem] = field(default_factory=dict)
    snapshot: Snapshot[Case] | None = None


def closure_form(store: LocalStore, case_id: str, *, today: date) -> ClosureForm:
    """The case's closure: as recorded (to amend after a return), or dated today."""
    snap = _snapshot(store, Case, case_id)
    c = snap.model
    return ClosureForm(str(c.id), date_text(c.closed_on or today),
                       c.closure_reason.value if c.closure_reason else "",
                       c.closure_result.value if c.closure_result else "",
                       c.closure_notes, snapshot=snap)


#: Reasons a worker may choose (``legacy`` is the old flag's, set by the migration only).
CLOSURE_REASONS = tuple(r for r in ClosureReason if r is not ClosureReason.LEGACY)


def close_case(store: LocalStore, form: ClosureForm) -> Case | None:
    """Record the closure (date, reason, result, notes): it waits for the supervisor's
    approval (``CaseStage.CLOSING``). ``None`` with ``form.errors`` when invalid."""
    errors: dict[str, Problem] = {}
    closed_on = _read_date(form, "closed_on", errors)
    if closed_on is None and "closed_on" not in errors:
        errors["closed_on"] = Problem("err.required")
    if not form.closure_reason:
        errors["closure_reason"] = Problem("err.required")
    elif form.closure_reason == ClosureReason.LEGACY.value:
        errors["closure_reason"] = Problem("cases.err.legacy_reason")
    snap = form.snapshot or _snapshot(store, Case, form.case_id)
    changes: dict[str, Any] = {"closed_on": closed_on,
                               "closure_reason": form.closure_reason or None,
                               "closure_result": form.closure_result or None,
                               "closure_notes": form.closure_notes}
    saved = None if errors else _edit(store, snap, changes, errors)
    form.errors = errors
    return saved


__all__ = [
    "ASSESSMENT_TEXT",
    "CLOSURE_REASONS",
    "NO_REVIEW",
    "AssessmentForm",
    "AssessmentInfo",
    "CaseRefused",
    "CaseView",
    "ChildForm",
    "ClosureForm",
    "ClosureInfo",
    "ExtensionForm",
    "FamilyCases",
    "IntakeForm",
    "NotFound",
    "PlanForm",
    "ReviewInfo",
    "TaskForm",
    "TaskLine",
    "TaskState",
    "assessment_form",
    "assessment_form_data",
    "assessment_from_draft",
    "assessment_key",
    "cancel_task",
    "case_view",
    "case_views",
    "close_case",
    "closed_family_ids",
    "closure_form",
    "extend_term",
    "extension_form",
    "family_closed",
    "is_closed",
    "load_cases",
    "new_intake",
    "new_reopen",
    "new_task_form",
    "open_case",
    "open_new_case",
    "plan_form",
    "record_visit_tasks",
    "review_info",
    "save_assessment",
    "save_plan",
    "save_task",
    "task_form",
    "tick_task",
    "visit_tasks",
]
