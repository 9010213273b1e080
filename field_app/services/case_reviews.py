"""The supervisor's side of the case cycle (no Flet): threats open without a decision, the
queue of needs assessments and closures, and the decisions on them.

A threat to a child's life or health (``Visit.threat_to_life``, ``Assessment.threat``) is
"open" until a supervisor has decided on the record that found it (approved or returned,
and the record not changed since): ``open_threats`` lists them with how many days they have
waited, the longest first, for the dashboard and the top of the queue.

The queue (``case_queue``) holds completed assessments and recorded closures that wait for a
decision (none yet, or changed after the last one), except the reviewer's own; threats
first (``threat``: the UI marks them), then the oldest. A closure with the old flag's reason
(``legacy``) needs no approval. Decisions are ordinary ``Review`` records
(``decide_case``), synced like every edit, with the clock of the target the reviewer saw
(``Review.target_clock``), so a later amendment waits for a decision again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError

from field_app.services.cases import ReviewInfo, review_info
from field_app.services.problem import Problem
from field_app.services.reviews import (
    ALL_SEEING,
    REVIEWER_ROLES,
    ReviewRefused,
    _open,
    is_reviewer,
)
from field_app.store import LocalStore
from shared_models.enums import ClosureReason, RecordKind, ReviewDecision
from shared_models.messages import field_errors
from shared_models.records import Assessment, Case, Family, Review, Visit

if TYPE_CHECKING:
    from field_app.services.device import Device
    from field_app.sync import Account


@dataclass(frozen=True, slots=True)
class OpenThreat:
    """A threat to a child's life or health that no supervisor has decided on yet."""

    kind: RecordKind            # VISIT or ASSESSMENT: the record that found it
    record_id: str
    family_id: str
    family_name: str
    community: str
    since: date                 # the visit's day, or the day the act was started
    days_open: int              # calendar days from ``since`` to today
    review: ReviewInfo          # returned (and not fixed) counts as decided: the worker acts


def _reviews_by_target(store: LocalStore, targets: set[str]) -> dict[str, list[Review]]:
    out: dict[str, list[Review]] = {}
    for r in store.all(Review):
        if str(r.target_id) in targets:
            out.setdefault(str(r.target_id), []).append(r)
    return out


def _decided(info: ReviewInfo) -> bool:
    return info.decision is not None and not info.amended


def open_threats(store: LocalStore, *, today: date,
                 communities: Iterable[str] | None = None) -> list[OpenThreat]:
    """Threats without a supervisor's decision, the longest waiting first."""
    wanted = set(communities) if communities is not None else None
    visits = [v for v in store.all(Visit) if v.threat_to_life
              and (wanted is None or v.community.value in wanted)]
    acts = [a for a in store.all(Assessment) if a.threat
            and (wanted is None or a.community.value in wanted)]
    if not visits and not acts:
        return []
    targets = {str(v.id) for v in visits} | {str(a.id) for a in acts}
    reviews = _reviews_by_target(store, targets)
    clocks = store.last_changed([*targets, *(str(r.id) for rs in reviews.values()
                                             for r in rs)])
    names = {str(f.id): f.family_name for f in store.all(Family, include_deleted=True)}
    out = []
    found: list[tuple[RecordKind, Visit | Assessment, date]] = [
        *((RecordKind.VISIT, v, v.visited_at.date()) for v in visits),
        *((RecordKind.ASSESSMENT, a, a.started_on) for a in acts)]
    for kind, record, since in found:
        rid = str(record.id)
        info = review_info(reviews.get(rid, ()), clocks, rid)
        if _decided(info):
            continue
        fid = str(record.family_id)
        out.append(OpenThreat(kind, rid, fid, names.get(fid, "—"), record.community.value,
                              since, (today - since).days, info))
    out.sort(key=lambda t: (-t.days_open, t.family_name.casefold(), t.record_id))
    return out


@dataclass(frozen=True, slots=True)
class CaseReviewRow:
    """A completed assessment or a recorded closure waiting for a decision."""

    kind: RecordKind            # ASSESSMENT or CASE (the closure)
    id: str                     # the act's or the case's id (the review's target)
    case_id: str
    family_id: str
    family_name: str
    community: str
    author: str                 # the assessor, or who recorded the closure
    on: date                    # completed or closed on
    threat: bool                # a threat to a child's life or health: the UI marks it
    review: ReviewInfo          # ``amended``: changed after a decision (it was returned)
    unsynced: bool


def _closure_author(store: LocalStore, case: Case) -> str:
    state = store.local_state(case.id)
    write = state.fields.get("closed_on") if state is not None else None
    return write.current.author if write is not None else (case.assigned_worker or "")


def _may_decide(account: Account | None, community: str, author: str) -> bool:
    if account is None or account.role not in REVIEWER_ROLES or author == account.username:
        return False
    return account.role in ALL_SEEING or community in account.communities


def _candidates(store: LocalStore) -> list[CaseReviewRow]:
    """Every completed act and recorded closure with its current decision."""
    acts = [a for a in store.all(Assessment) if a.completed_on is not None]
    closures = [c for c in store.all(Case)
                if c.closed_on is not None and c.closure_reason is not ClosureReason.LEGACY]
    if not acts and not closures:
        return []
    targets = {str(a.id) for a in acts} | {str(c.id) for c in closures}
    reviews = _reviews_by_target(store, targets)
    clocks = store.last_changed([*targets, *(str(r.id) for rs in reviews.values()
                                             for r in rs)])
    names = {str(f.id): f.family_name for f in store.all(Family, include_deleted=True)}
    unsynced = store.unsynced_ids()
    threat_cases = {str(a.case_id) for a in store.all(Assessment) if a.threat}
    rows = []
    for a in acts:
        aid = str(a.id)
        rows.append(CaseReviewRow(
            RecordKind.ASSESSMENT, aid, str(a.case_id), str(a.family_id),
            names.get(str(a.family_id), "—"), a.community.value, a.assessor,
            a.completed_on or a.started_on, a.threat, review_info(reviews.get(aid, ()),
                                                                  clocks, aid),
            aid in unsynced))
    for c in closures:
        cid = str(c.id)
        rows.append(CaseReviewRow(
            RecordKind.CASE, cid, cid, str(c.family_id), names.get(str(c.family_id), "—"),
            c.community.value, _closure_author(store, c), c.closed_on or c.opened_on,
            cid in threat_cases, review_info(reviews.get(cid, ()), clocks, cid),
            cid in unsynced))
    return rows


def case_queue(store: LocalStore, account: Account | None) -> list[CaseReviewRow]:
    """Assessments and closures waiting for this reviewer's decision: threats first, then
    the longest waiting. ``ReviewRefused`` for a user who does not review."""
    if account is None or account.role not in REVIEWER_ROLES:
        raise ReviewRefused(Problem("review.err.not_reviewer"))
    rows = [r for r in _candidates(store)
            if r.review.waiting and _may_decide(account, r.community, r.author)]
    rows.sort(key=lambda r: (not r.threat, r.on, r.family_name.casefold(), r.id))
    return rows


def returned_cases(store: LocalStore, account: Account | None) -> list[CaseReviewRow]:
    """The signed-in worker's acts and closures returned for changes and not fixed yet."""
    if account is None:
        return []
    rows = [r for r in _candidates(store)
            if r.author == account.username and r.review.returned]
    rows.sort(key=lambda r: (not r.threat, r.on, r.id))
    return rows


def decide_case(store: LocalStore, account: Account | None, kind: RecordKind | str,
                target_id: str, *, approved: bool, comment: str = "",
                now: datetime | None = None) -> Review:
    """Approve, or return with ``comment``, an assessment or a case's closure.

    Approving a closure closes the case (``CaseStage.CLOSED``); returning it leaves it in
    ``CLOSING`` for the worker to amend. Refusals are ``ReviewRefused`` in the user's words.
    """
    try:
        kind = RecordKind(kind)
    except ValueError:
        raise ReviewRefused(Problem("review.err.not_found")) from None
    target: Assessment | Case | None
    if kind is RecordKind.ASSESSMENT:
        target = store.get(Assessment, target_id)
        author = target.assessor if target is not None else ""
        ready = target is not None and target.completed_on is not None
    elif kind is RecordKind.CASE:
        target = store.get(Case, target_id)
        author = _closure_author(store, target) if target is not None else ""
        ready = target is not None and target.closed_on is not None
    else:
        raise ReviewRefused(Problem("review.err.not_found"))
    if target is None or not ready:
        raise ReviewRefused(Problem("review.err.not_found"))
    if account is None or account.role not in REVIEWER_ROLES:
        raise ReviewRefused(Problem("review.err.not_reviewer"))
    if author == account.username:
        raise ReviewRefused(Problem("review.err.own"))
    if not _may_decide(account, target.community.value, author):
        raise ReviewRefused(Problem("review.err.not_your_community"))
    if not approved and not comment.strip():
        raise ReviewRefused(Problem("review.err.comment_required"))
    seen = store.last_changed([str(target.id)]).get(str(target.id))
    try:
        review = Review(community=target.community, target_kind=kind, target_id=target.id,
                        decision=ReviewDecision.APPROVED if approved else
                        ReviewDecision.RETURNED, comment=comment, reviewer=account.username,
                        reviewed_at=now or datetime.now(UTC), target_clock=seen)
    except ValidationError as exc:
        uk, en = field_errors(exc, "uk"), field_errors(exc, "en")
        name = next(iter(uk))
        raise ReviewRefused(Problem.literal(uk[name], en[name])) from None
    store.save(review)
    return review


# ---- what the screens call (blocking: through ``asyncio.to_thread``) --------------------------
def load_case_list(device: Device) -> tuple[bool, list[CaseReviewRow]]:
    """(is a reviewer, rows): the case queue for reviewers, the worker's returned acts and
    closures for everyone else."""
    store, account = _open(device)
    if is_reviewer(account):
        return True, case_queue(store, account)
    return False, returned_cases(store, account)


def decide(device: Device, kind: str, target_id: str, *, approved: bool,
           comment: str) -> Review:
    """``decide_case`` as the signed-in user."""
    store, account = _open(device)
    return decide_case(store, account, kind, target_id, approved=approved, comment=comment)
