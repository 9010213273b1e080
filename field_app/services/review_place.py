"""What the review place's screens read (no Flet): one list, and an act's or closure's detail.

The supervisor's queue is one list of visits and notes (``reviews.queue``) and of needs-
assessment acts and closures (``case_reviews.case_queue``). Order: threats to a child's life
or health first — visits and acts that found one — the longest open first (days from
``case_reviews.open_threats``); then acts and closures, as the case queue orders them; then
the visits and notes in their own order. A worker's list holds their returned acts and
closures, then their returned visits and notes.

The detail of an act or a closure (``CaseDetail``): the record, its family and the names of
its people, every decision on it (newest first), how long its threat has been open, and
whether the user may decide now (the record waits for this reviewer: ``case_queue``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from field_app.services import case_reviews, reviews
from field_app.services.case_reviews import CaseReviewRow
from field_app.services.cases import ReviewInfo, review_info
from field_app.services.problem import Problem
from field_app.services.reviews import Decision, ReviewRefused, Row
from shared_models.enums import RecordKind
from shared_models.records import Assessment, Case, Family, Person, Review

if TYPE_CHECKING:
    from field_app.services.device import Device
    from field_app.store import LocalStore
    from field_app.sync import Account

#: One line of the review list.
Entry = Row | CaseReviewRow


@dataclass(frozen=True, slots=True)
class Listing:
    """The review list: whose it is, its entries, and the days each open threat has waited
    (by the id of the visit or act that found it)."""

    reviewer: bool
    entries: list[Entry]
    threat_days: dict[str, int]


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """Everything the review screen shows of one act or closure."""

    kind: RecordKind
    assessment: Assessment | None
    case: Case
    family: Family | None
    names: dict[str, str]          # person id -> "Прізвище Ім'я"
    author: str
    review: ReviewInfo
    decisions: tuple[Decision, ...]
    threat: bool
    threat_days: int | None        # days open without a decision (None: no open threat)
    unsynced: bool
    may_decide: bool               # waits for this reviewer (not the author's, their community)
    own: bool

    @property
    def on(self) -> date | None:
        """The act's completion or the closure's date."""
        if self.assessment is not None:
            return self.assessment.completed_on
        return self.case.closed_on


def combined(case_rows: list[CaseReviewRow], rows: list[Row],
             threat_days: dict[str, int]) -> list[Entry]:
    """One queue (see the module docstring)."""
    def days(e: Entry) -> int | None:
        if not e.threat:
            return None
        # A closure row is marked for its act's threat: it waits as long as the case did.
        return threat_days.get(e.id, 0)

    indexed: list[tuple[int, Entry]] = list(enumerate([*case_rows, *rows]))
    indexed.sort(key=lambda p: (days(p[1]) is None, -(days(p[1]) or 0), p[0]))
    return [e for _, e in indexed]


def threat_days(store: LocalStore, today: date) -> dict[str, int]:
    """Days each open threat has waited, by the id of the visit or act that found it."""
    return {t.record_id: t.days_open for t in case_reviews.open_threats(store, today=today)}


def listing(store: LocalStore, account: Account | None, today: date) -> Listing:
    """The reviewer's combined queue, or the user's returned records."""
    days = threat_days(store, today)
    if reviews.is_reviewer(account):
        return Listing(True, combined(case_reviews.case_queue(store, account),
                                      reviews.queue(store, account), days), days)
    return Listing(False, [*case_reviews.returned_cases(store, account),
                           *reviews.returned_to_me(store, account)], days)


def _target(store: LocalStore, kind: str, target_id: str) -> Assessment | Case:
    try:
        rk = RecordKind(kind)
        uuid.UUID(str(target_id))
    except ValueError:
        raise ReviewRefused(Problem("review.err.not_found")) from None
    found: Assessment | Case | None
    if rk is RecordKind.ASSESSMENT:
        found = store.get(Assessment, target_id)
    elif rk is RecordKind.CASE:
        found = store.get(Case, target_id)
    else:
        found = None
    if found is None:
        raise ReviewRefused(Problem("review.err.not_found"))
    return found


def detail(store: LocalStore, account: Account | None, kind: str, target_id: str, *,
           today: date) -> CaseDetail:
    """The act or closure with its family, names, decisions and what the user may do."""
    target = _target(store, kind, target_id)
    case = target if isinstance(target, Case) else store.get(Case, target.case_id)
    if case is None:
        raise ReviewRefused(Problem("review.err.not_found"))
    tid = str(target.id)
    found = store.all(Review, target_id=tid)
    clocks = store.last_changed([tid] + [str(r.id) for r in found])
    unsynced = store.unsynced_ids()
    known = sorted((r for r in found if str(r.id) in clocks),
                   key=lambda r: clocks[str(r.id)], reverse=True)
    decisions = tuple(Decision(str(r.id), r.decision, r.comment, r.reviewer, r.reviewed_at,
                               str(r.id) in unsynced) for r in known)
    family = store.get(Family, target.family_id, include_deleted=True)
    names = {str(p.id): p.display_name()
             for p in store.all(Person, family_id=target.family_id)}
    waiting = ({r.id: r for r in case_reviews.case_queue(store, account)}
               if reviews.is_reviewer(account) else {})
    me = account.username if account is not None else ""
    if isinstance(target, Assessment):
        author, threat, act = target.assessor, target.threat, target
    else:
        row = waiting.get(tid) or next(
            (r for r in case_reviews.returned_cases(store, account) if r.id == tid), None)
        author = row.author if row is not None else (target.assigned_worker or "")
        threat, act = bool(row and row.threat), None
    days = threat_days(store, today).get(tid) if isinstance(target, Assessment) else None
    return CaseDetail(target.KIND, act, case, family, names, author,
                      review_info(found, clocks, tid), decisions, threat, days,
                      tid in unsynced, tid in waiting, author == me)


# ---- what the screens call (blocking: through ``asyncio.to_thread``) --------------------------
def _open(device: Device) -> tuple[LocalStore, Account | None]:
    from field_app.store import Locked  # noqa: PLC0415  (the store is only needed here)

    try:
        return device.records(), device.account()
    except Locked:
        raise ReviewRefused(Problem("err.locked")) from None


def load_list(device: Device) -> Listing:
    """``listing`` for the signed-in user, today."""
    store, account = _open(device)
    return listing(store, account, date.today())


def load_detail(device: Device, kind: str, target_id: str) -> CaseDetail:
    """``detail`` for the signed-in user."""
    store, account = _open(device)
    return detail(store, account, kind, target_id, today=date.today())


def decide(device: Device, kind: str, target_id: str, *, approved: bool,
           comment: str) -> Review:
    """Approve, or return with ``comment``, an act or a closure as the signed-in user."""
    store, account = _open(device)
    try:
        return case_reviews.decide_case(store, account, kind, target_id, approved=approved,
                                        comment=comment)
    except ReviewRefused as exc:
        # An empty comment belongs next to the comment field.
        if exc.problem.key == "review.err.comment_required":
            raise ReviewRefused(exc.problem, on_comment=True) from None
        raise
