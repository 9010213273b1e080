"""The supervisor's review of needs-assessment acts and case closures (no Flet).

Beside the visits and notes of ``reviews``, the review place holds two more kinds of
decision, made through the same ``Review`` record (four eyes, synced like any edit):

* a needs-assessment act (``Assessment``) that its assessor completed (sent for approval),
  and any act that marks a threat to a child's life or health, completed or not: a threat
  must reach the supervisor at once (an act still in progress can be returned with a
  comment, not approved);
* a case whose closure was recorded (``Case.closed_on``), except closures made from the old
  "closed" flag, which need no approval.

The author who may not decide is the act's ``assessor``, and for a closure the case's
``assigned_worker`` (a case records no other author of its closure).

Order of the combined queue (``load_list``): threats first — acts with a threat and visits
that marked one — the longest open first; then acts and closures waiting for a decision
(they are due by law), oldest first; then the visits and notes in ``reviews``' order.
A threat is "open" from the day its act was started (or its visit made) until a decision.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError

from field_app.services import reviews
from field_app.services.cases import ReviewInfo, review_info
from field_app.services.problem import Problem
from field_app.services.reviews import REVIEWER_ROLES, Decision, ReviewRefused, Row
from shared_models.enums import ClosureReason, RecordKind, ReviewDecision
from shared_models.messages import field_errors
from shared_models.records import Assessment, Case, Family, Person, Review, Visit

if TYPE_CHECKING:
    from field_app.services.device import Device
    from field_app.store import LocalStore
    from field_app.sync import Account

CASE_KINDS = (RecordKind.ASSESSMENT, RecordKind.CASE)


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One act or closure in the queue (or in the worker's returned list)."""

    kind: RecordKind
    id: str
    case_id: str
    family_id: str
    family_name: str | None
    author: str
    submitted_on: date | None     # the act's completion / the closure's date (None: in progress)
    threat: bool
    threat_since: date | None     # when the threat was recorded (the act's start)
    review: ReviewInfo
    unsynced: bool
    closure_reason: ClosureReason | None = None

    def threat_days(self, today: date) -> int:
        """Days the threat has been open without a decision (0: since today)."""
        return (today - self.threat_since).days if self.threat_since else 0


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """Everything the review screen shows of one act or closure."""

    kind: RecordKind
    row: CaseRow
    assessment: Assessment | None
    case: Case
    family: Family | None
    names: dict[str, str]          # person id -> "Прізвище Ім'я"
    decisions: tuple[Decision, ...]
    may_decide: bool               # a reviewer of this community, and not the author
    may_approve: bool              # ... and the act is completed
    own: bool


Entry = Row | CaseRow


def _author(target: Assessment | Case) -> str:
    return target.assessor if isinstance(target, Assessment) else (target.assigned_worker or "")


def _may_decide(account: Account | None, target: Assessment | Case) -> bool:
    if account is None or account.role not in REVIEWER_ROLES:
        return False
    if _author(target) == account.username:
        return False
    return account.role in reviews.ALL_SEEING or target.community.value in account.communities


def _waiting(store: LocalStore) -> list[tuple[Assessment | Case, ReviewInfo]]:
    """Acts (completed, or marking a threat) and recorded closures, with their decisions."""
    targets: list[Assessment | Case] = [
        a for a in store.all(Assessment) if a.completed_on is not None or a.threat]
    targets += [c for c in store.all(Case)
                if c.closed_on is not None and c.closure_reason is not ClosureReason.LEGACY]
    ids = [str(t.id) for t in targets]
    found: dict[str, list[Review]] = {}
    for r in store.all(Review):
        if str(r.target_id) in ids:
            found.setdefault(str(r.target_id), []).append(r)
    clocks = store.last_changed(ids + [str(r.id) for rs in found.values() for r in rs])
    return [(t, review_info(found.get(str(t.id), ()), clocks, str(t.id))) for t in targets]


def _row(target: Assessment | Case, info: ReviewInfo, names: dict[str, str],
         unsynced: set[str]) -> CaseRow:
    fid = str(target.family_id)
    if isinstance(target, Assessment):
        return CaseRow(RecordKind.ASSESSMENT, str(target.id), str(target.case_id), fid,
                       names.get(fid), target.assessor, target.completed_on, target.threat,
                       target.started_on if target.threat else None, info,
                       str(target.id) in unsynced)
    return CaseRow(RecordKind.CASE, str(target.id), str(target.id), fid, names.get(fid),
                   target.assigned_worker or "", target.closed_on, False, None, info,
                   str(target.id) in unsynced, target.closure_reason)


def _family_names(store: LocalStore) -> dict[str, str]:
    return {str(f.id): f.family_name for f in store.all(Family, include_deleted=True)}


def queue(store: LocalStore, account: Account | None) -> list[CaseRow]:
    """Acts and closures waiting for this reviewer's decision (threats first, then the
    oldest); ``ReviewRefused`` for a user who does not review."""
    if account is None or not reviews.is_reviewer(account):
        raise ReviewRefused(Problem("review.err.not_reviewer"))
    names, unsynced = _family_names(store), store.unsynced_ids()
    rows = [_row(t, info, names, unsynced) for t, info in _waiting(store)
            if info.waiting and _may_decide(account, t)]
    rows.sort(key=lambda r: (not r.threat, r.threat_since or date.max,
                             r.submitted_on or date.max, r.id))
    return rows


def returned_to_me(store: LocalStore, account: Account | None) -> list[CaseRow]:
    """The user's acts and closures returned with a comment (still to fix first)."""
    if account is None:
        return []
    names, unsynced = _family_names(store), store.unsynced_ids()
    rows = [_row(t, info, names, unsynced) for t, info in _waiting(store)
            if _author(t) == account.username and info.decision is ReviewDecision.RETURNED]
    rows.sort(key=lambda r: (not r.review.returned, r.id))
    return rows


def visit_threats(store: LocalStore) -> dict[str, date]:
    """Visits that marked a threat to a child's life or health, and the day of each."""
    return {str(v.id): v.visited_at.date() for v in store.all(Visit) if v.threat_to_life}


def combined(case_rows: list[CaseRow], rows: list[Row], visit_threats: dict[str, date],
             ) -> list[Entry]:
    """One queue: threats (acts and visits) longest open first, then acts and closures,
    then visits and notes in their own order (see the module docstring)."""
    def threat_since(e: Entry) -> date | None:
        if isinstance(e, CaseRow):
            return e.threat_since if e.threat else None
        return visit_threats.get(e.id) if e.kind is RecordKind.VISIT else None

    indexed: list[tuple[int, Entry]] = list(enumerate([*case_rows, *rows]))
    indexed.sort(key=lambda p: (threat_since(p[1]) is None, threat_since(p[1]) or date.max,
                                p[0]))
    return [e for _, e in indexed]


# ---- one act or closure ----------------------------------------------------------------------
def _target(store: LocalStore, kind: str, target_id: str) -> Assessment | Case:
    try:
        rk = RecordKind(kind)
        uuid.UUID(str(target_id))
    except ValueError:
        raise ReviewRefused(Problem("review.err.not_found")) from None
    cls = {RecordKind.ASSESSMENT: Assessment, RecordKind.CASE: Case}.get(rk)
    found = store.get(cls, target_id) if cls is not None else None
    if found is None:
        raise ReviewRefused(Problem("review.err.not_found"))
    return found


def detail(store: LocalStore, account: Account | None, kind: str,
           target_id: str) -> CaseDetail:
    """The act or closure with its family, names, decisions and what the user may do."""
    target = _target(store, kind, target_id)
    case = target if isinstance(target, Case) else store.get(Case, target.case_id)
    if case is None:
        raise ReviewRefused(Problem("review.err.not_found"))
    found = store.all(Review, target_id=str(target.id))
    clocks = store.last_changed([str(target.id)] + [str(r.id) for r in found])
    info = review_info(found, clocks, str(target.id))
    unsynced = store.unsynced_ids()
    family = store.get(Family, target.family_id, include_deleted=True)
    names = {str(p.id): p.display_name()
             for p in store.all(Person, family_id=target.family_id)}
    row = _row(target, info, {str(target.family_id): family.family_name} if family else {},
               unsynced)
    known = sorted((r for r in found if str(r.id) in clocks),
                   key=lambda r: clocks[str(r.id)], reverse=True)
    decisions = tuple(Decision(str(r.id), r.decision, r.comment, r.reviewer, r.reviewed_at,
                               str(r.id) in unsynced) for r in known)
    may = _may_decide(account, target)
    complete = not isinstance(target, Assessment) or target.completed_on is not None
    me = account.username if account is not None else ""
    return CaseDetail(row.kind, row, target if isinstance(target, Assessment) else None, case,
                      family, names, decisions, may, may and complete, _author(target) == me)


def decide(store: LocalStore, account: Account | None, kind: str, target_id: str, *,
           approved: bool, comment: str, now: datetime | None = None) -> Review:
    """Approve, or return with ``comment``, an act or a closure (four eyes)."""
    target = _target(store, kind, target_id)
    if account is None or account.role not in REVIEWER_ROLES:
        raise ReviewRefused(Problem("review.err.not_reviewer"))
    if _author(target) == account.username:
        raise ReviewRefused(Problem("review.err.own"))
    if not _may_decide(account, target):
        raise ReviewRefused(Problem("review.err.not_your_community"))
    if not approved and not comment.strip():
        raise ReviewRefused(Problem("review.err.comment_required"), on_comment=True)
    if approved and isinstance(target, Assessment) and target.completed_on is None:
        raise ReviewRefused(Problem("casereview.err.not_completed"))
    seen = store.last_changed([str(target.id)]).get(str(target.id))
    try:
        review = Review(community=target.community, target_kind=target.KIND,
                        target_id=target.id,
                        decision=ReviewDecision.APPROVED if approved else
                        ReviewDecision.RETURNED,
                        comment=comment, reviewer=account.username,
                        reviewed_at=now or datetime.now(UTC), target_clock=seen)
    except ValidationError as exc:
        uk, en = field_errors(exc, "uk"), field_errors(exc, "en")
        name = next(iter(uk))
        raise ReviewRefused(Problem.literal(uk[name], en[name]),
                            on_comment=name in ("comment", "__root__")) from None
    store.save(review)
    return review


# ---- what the screens call (blocking: through ``asyncio.to_thread``) --------------------------
def _open(device: Device) -> tuple[LocalStore, Account | None]:
    from field_app.store import Locked  # noqa: PLC0415  (the store is only needed here)

    try:
        return device.records(), device.account()
    except Locked:
        raise ReviewRefused(Problem("err.locked")) from None


def load_list(device: Device) -> tuple[bool, list[Entry]]:
    """(is a reviewer, entries): the combined queue for reviewers, else the user's returned
    visits, notes, acts and closures."""
    store, account = _open(device)
    if reviews.is_reviewer(account):
        return True, combined(queue(store, account), reviews.queue(store, account),
                              visit_threats(store))
    mine: list[Entry] = [*returned_to_me(store, account),
                         *reviews.returned_to_me(store, account)]
    return False, mine


def load_detail(device: Device, kind: str, target_id: str) -> CaseDetail:
    """``detail`` for the signed-in user."""
    store, account = _open(device)
    return detail(store, account, kind, target_id)


def decide_as_me(device: Device, kind: str, target_id: str, *, approved: bool,
                 comment: str) -> Review:
    """``decide`` as the signed-in user."""
    store, account = _open(device)
    return decide(store, account, kind, target_id, approved=approved, comment=comment)
