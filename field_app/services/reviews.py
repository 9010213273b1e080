"""Supervisor review over the local store: the queue, each record's status, decisions (no Flet).

A decision is a ``Review`` record, saved on the phone and synced like any edit: the worker
sees it after the supervisor's phone and then theirs have synced. Reviews are immutable; the
one with the highest clock is the current decision, earlier ones stay as history.

Status of a visit or note (``ReviewState``)::

    PENDING    no decision yet
    APPROVED   approved, unchanged since
    RETURNED   returned with a comment, unchanged since: the author has to fix it
    AMENDED    changed after the latest decision: waits for a decision again
    CORRECTED  a returned note that a newer note corrects (notes are immutable: the fix is a
               new note whose ``corrects`` names it, and that new note is what waits)

"Changed after the decision" compares clocks, not wall times: a review records the clock of
the target's latest change the reviewer had on screen (``Review.target_clock``); a change
with a higher clock — an amendment, or an edit made on another phone that the reviewer had not
received yet — was not seen by that decision. (Reviews without it count from their own clock.)

The queue (supervisors of the record's community, coordinators, admins) holds visits and
notes that wait for a decision — PENDING or AMENDED — except the reviewer's own records, which
someone else reviews. Order: highest risk first, then newest (by the visit's or note's own
time). Notes have no risk of their own: a note ranks with the risk of its family's latest
visit (shown as the family's risk), and below every assessed risk when the family has no
visit yet. The worker's list holds their own records that were returned: still to fix first,
then those fixed and waiting for a new decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import ValidationError

from field_app.services.problem import Problem
from shared_models.enums import RecordKind, ReviewDecision, RiskLevel, Role
from shared_models.messages import field_errors
from shared_models.records import Family, Note, Person, Review, Visit

if TYPE_CHECKING:
    from field_app.services.device import Device
    from field_app.store import LocalStore
    from field_app.sync import Account

#: Roles that may decide (a supervisor only in their own communities).
REVIEWER_ROLES = frozenset({Role.SUPERVISOR.value, Role.COORDINATOR.value, Role.ADMIN.value})
ALL_SEEING = frozenset({Role.COORDINATOR.value, Role.ADMIN.value})
RISK_RANK = {RiskLevel.HIGH: 3, RiskLevel.MEDIUM: 2, RiskLevel.LOW: 1}
Target = Visit | Note
KIND_CLASS: dict[RecordKind, type[Visit] | type[Note]] = {RecordKind.VISIT: Visit,
                                                          RecordKind.NOTE: Note}


class ReviewState(StrEnum):
    """Where a visit or note stands with its reviewers (see the module docstring)."""

    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    AMENDED = "amended"
    CORRECTED = "corrected"


class ReviewRefused(Exception):
    """A decision or a look that cannot be done; ``problem`` says why in the user's words.

    ``on_comment`` is true when the problem belongs next to the comment field.
    """

    def __init__(self, problem: Problem, on_comment: bool = False) -> None:
        super().__init__(problem.key)
        self.problem = problem
        self.on_comment = on_comment


@dataclass(frozen=True, slots=True)
class Decision:
    """One review as shown: what was decided, by whom, when, and whether it left the phone."""

    id: str
    decision: ReviewDecision
    comment: str
    reviewer: str
    reviewed_at: datetime
    unsynced: bool


@dataclass(frozen=True, slots=True)
class Status:
    """A record's review state and every decision on it, newest first."""

    state: ReviewState
    decisions: tuple[Decision, ...] = ()

    @property
    def latest(self) -> Decision | None:
        """The current decision (``None`` before the first)."""
        return self.decisions[0] if self.decisions else None


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the queue or of the worker's returned list."""

    kind: RecordKind
    id: str
    family_id: str
    family_name: str | None      # None: the family is not on this phone
    when: datetime               # the visit's or note's own time
    author: str
    risk: RiskLevel | None
    risk_of_family: bool         # a note: the risk of its family's latest visit
    amended: bool                # a visit changed after a decision, or a correcting note
    status: Status
    unsynced: bool               # the record has changes not sent yet
    #: The family was deleted (on another device, after or while this was written): the
    #: record is kept and shown with "Сім'ю видалено" (docs/sync-protocol.md, Deletes).
    family_deleted: bool = False
    #: A visit that found a threat to a child's life or health: first in the queue, and
    #: marked (``cases.threat``).
    threat: bool = False


@dataclass(frozen=True, slots=True)
class Detail:
    """Everything the review screen shows of one visit or note."""

    kind: RecordKind
    target: Target
    family: Family | None
    names: dict[str, str]        # person id -> "Прізвище Ім'я", for the visit's ``present``
    risk: RiskLevel | None
    risk_of_family: bool
    status: Status
    unsynced: bool
    may_decide: bool             # a reviewer of this community, and not the author
    own: bool                    # the signed-in user wrote it
    corrects: Note | None        # the note this note corrects
    corrected_by: str | None     # id of the newer note that corrects this one
    family_deleted: bool = False  # ``family`` is a deleted family (kept, shown as such)


def is_reviewer(account: Account | None) -> bool:
    """Whether the signed-in user decides on others' records (else: sees own returned ones)."""
    return account is not None and account.role in REVIEWER_ROLES


def is_reviewer_role(role: str | None) -> bool:
    """``is_reviewer`` for a role name (the session keeps the role, not the account)."""
    return role in REVIEWER_ROLES


def _may_decide(account: Account | None, target: Target) -> bool:
    if account is None or account.role not in REVIEWER_ROLES:
        return False
    if target.author == account.username:
        return False
    return account.role in ALL_SEEING or target.community.value in account.communities


class _Index:
    """Reviews, clocks and family risks of the store, read once for one screen."""

    def __init__(self, store: LocalStore, targets: Iterable[Target],
                 only: str | None = None) -> None:
        self.store = store
        self.unsynced = store.unsynced_ids()
        self.reviews: dict[str, list[Review]] = {}
        # One record's screen reads the clocks of its own reviews only.
        for r in (store.all(Review, target_id=only) if only else store.all(Review)):
            self.reviews.setdefault(str(r.target_id), []).append(r)
        ids = [str(r.id) for rs in self.reviews.values() for r in rs] + list(self.reviews)
        self.clocks = store.last_changed(ids)
        self.corrected: dict[str, str] = {}
        for t in targets:
            if isinstance(t, Note) and t.corrects is not None:
                self.corrected[str(t.corrects)] = str(t.id)

    def status(self, target: Target) -> Status:
        tid = str(target.id)
        reviews = [r for r in self.reviews.get(tid, []) if str(r.id) in self.clocks]
        if not reviews:
            return Status(ReviewState.PENDING)
        reviews.sort(key=lambda r: self.clocks[str(r.id)], reverse=True)
        decisions = tuple(Decision(str(r.id), r.decision, r.comment, r.reviewer,
                                   r.reviewed_at, str(r.id) in self.unsynced) for r in reviews)
        latest = reviews[0]
        seen = latest.target_clock or self.clocks[str(latest.id)]
        if self.clocks.get(tid, "") > seen:
            state = ReviewState.AMENDED
        elif latest.decision is ReviewDecision.APPROVED:
            state = ReviewState.APPROVED
        elif isinstance(target, Note) and tid in self.corrected:
            state = ReviewState.CORRECTED
        else:
            state = ReviewState.RETURNED
        return Status(state, decisions)


def _family_risks(visits: Iterable[Visit]) -> dict[str, RiskLevel]:
    """Each family's risk as its latest visit assessed it."""
    latest: dict[str, Visit] = {}
    for v in visits:
        key = str(v.family_id)
        if key not in latest or v.visited_at > latest[key].visited_at:
            latest[key] = v
    return {fid: v.risk_level for fid, v in latest.items()}


def _when(target: Target) -> datetime:
    return target.visited_at if isinstance(target, Visit) else target.written_at


def _rows(store: LocalStore, keep: Callable[[Target, Status], bool]) -> list[Row]:
    visits, notes = store.all(Visit), store.all(Note)
    index = _Index(store, notes)
    families = store.all(Family, include_deleted=True)
    names = {str(f.id): f.family_name for f in families}
    deleted = {str(f.id) for f in families if f.deleted}
    risks = _family_risks(visits)
    rows = []
    targets: list[Target] = [*visits, *notes]
    for target in targets:
        status = index.status(target)
        if not keep(target, status):
            continue
        is_visit = isinstance(target, Visit)
        fid = str(target.family_id)
        risk = target.risk_level if isinstance(target, Visit) else risks.get(fid)
        amended = status.state is ReviewState.AMENDED or (
            isinstance(target, Note) and target.corrects is not None)
        rows.append(Row(target.KIND, str(target.id), fid, names.get(fid), _when(target),
                        target.author, risk, not is_visit, amended, status,
                        str(target.id) in index.unsynced, fid in deleted,
                        isinstance(target, Visit) and target.threat_to_life))
    return rows


def queue(store: LocalStore, account: Account | None) -> list[Row]:
    """Visits and notes waiting for this reviewer's decision: visits that found a threat to
    a child's life or health first, then highest risk, then newest.

    Raises ``ReviewRefused`` for a user who does not review.
    """
    if account is None or not is_reviewer(account):
        raise ReviewRefused(Problem("review.err.not_reviewer"))
    waiting = (ReviewState.PENDING, ReviewState.AMENDED)
    rows = _rows(store, lambda t, s: s.state in waiting and _may_decide(account, t))
    rows.sort(key=lambda r: (not r.threat, -RISK_RANK.get(r.risk, 0) if r.risk else 0,
                             -r.when.timestamp(), r.id))
    return rows


def returned_to_me(store: LocalStore, account: Account | None) -> list[Row]:
    """The signed-in user's visits and notes returned for changes: still to fix first, then
    fixed and waiting for a new decision; the newest decision first within each."""
    if account is None:
        return []

    def returned(t: Target, s: Status) -> bool:
        latest = s.latest
        return (t.author == account.username and latest is not None
                and latest.decision is ReviewDecision.RETURNED
                and s.state in (ReviewState.RETURNED, ReviewState.AMENDED))

    rows = _rows(store, returned)
    rows.sort(key=lambda r: (r.status.state is not ReviewState.RETURNED,
                             -_decided_at(r).timestamp(), r.id))
    return rows


def _decided_at(row: Row) -> datetime:
    latest = row.status.latest
    return latest.reviewed_at if latest is not None else datetime.min.replace(tzinfo=UTC)


def _target(store: LocalStore, kind: RecordKind | str, target_id: str) -> Target:
    try:
        cls = KIND_CLASS[RecordKind(kind)]
        uuid.UUID(str(target_id))
    except (ValueError, KeyError):
        raise ReviewRefused(Problem("review.err.not_found")) from None
    target = store.get(cls, target_id)
    if target is None:
        raise ReviewRefused(Problem("review.err.not_found"))
    return target


def status(store: LocalStore, kind: RecordKind | str, target_id: str) -> Status:
    """The review status of one visit or note (``ReviewRefused`` when it is not here)."""
    target = _target(store, kind, target_id)
    notes = store.all(Note, family_id=target.family_id)
    return _Index(store, notes, only=str(target.id)).status(target)


def detail(store: LocalStore, account: Account | None, kind: RecordKind | str,
           target_id: str) -> Detail:
    """The visit or note with its family, people's names, status and what the user may do."""
    target = _target(store, kind, target_id)
    notes = store.all(Note, family_id=target.family_id)
    index = _Index(store, notes, only=str(target.id))
    family = store.get(Family, target.family_id, include_deleted=True)
    names = {str(p.id): p.display_name()
             for p in store.all(Person, family_id=target.family_id)}
    risk: RiskLevel | None
    if isinstance(target, Visit):
        risk, of_family, corrects = target.risk_level, False, None
    else:
        risk = _family_risks(store.all(Visit, family_id=target.family_id)).get(
            str(target.family_id))
        of_family = True
        corrects = store.get(Note, target.corrects) if target.corrects else None
    me = account.username if account is not None else ""
    return Detail(target.KIND, target, family, names, risk, of_family, index.status(target),
                  str(target.id) in index.unsynced, _may_decide(account, target),
                  target.author == me, corrects, index.corrected.get(str(target.id)),
                  family is not None and family.deleted)


def _decide(store: LocalStore, account: Account | None, kind: RecordKind | str,
            target_id: str, *, decision: ReviewDecision, comment: str,
            now: datetime | None) -> Review:
    target = _target(store, kind, target_id)
    if account is None or account.role not in REVIEWER_ROLES:
        raise ReviewRefused(Problem("review.err.not_reviewer"))
    if target.author == account.username:
        raise ReviewRefused(Problem("review.err.own"))
    if not _may_decide(account, target):
        raise ReviewRefused(Problem("review.err.not_your_community"))
    seen = store.last_changed([str(target.id)]).get(str(target.id))
    try:
        review = Review(community=target.community, target_kind=target.KIND,
                        target_id=target.id, decision=decision, comment=comment,
                        reviewer=account.username, reviewed_at=now or datetime.now(UTC),
                        target_clock=seen)
    except ValidationError as exc:
        uk, en = field_errors(exc, "uk"), field_errors(exc, "en")
        name = next(iter(uk))
        raise ReviewRefused(Problem.literal(uk[name], en[name]),
                            on_comment=name in ("comment", "__root__")) from None
    store.save(review)
    return review


def approve(store: LocalStore, account: Account | None, kind: RecordKind | str,
            target_id: str, *, comment: str = "", now: datetime | None = None) -> Review:
    """Approve the visit or note as the user has it on screen (a comment is optional)."""
    return _decide(store, account, kind, target_id, decision=ReviewDecision.APPROVED,
                   comment=comment, now=now)


def return_for_changes(store: LocalStore, account: Account | None, kind: RecordKind | str,
                       target_id: str, comment: str, *, now: datetime | None = None) -> Review:
    """Return the visit or note to its author with a comment saying what to change.

    An empty comment is refused next to the comment field, in the user's language.
    """
    if not comment.strip():
        raise ReviewRefused(Problem("review.err.comment_required"), on_comment=True)
    return _decide(store, account, kind, target_id, decision=ReviewDecision.RETURNED,
                   comment=comment, now=now)


# ---- what the screens call (blocking: through ``asyncio.to_thread``) --------------------------
def _open(device: Device) -> tuple[LocalStore, Account | None]:
    from field_app.store import Locked  # noqa: PLC0415  (the store is only needed here)

    try:
        return device.records(), device.account()
    except Locked:
        raise ReviewRefused(Problem("err.locked")) from None


def load_list(device: Device) -> tuple[bool, list[Row]]:
    """(is a reviewer, rows): the queue for reviewers, the returned list for everyone else."""
    store, account = _open(device)
    if is_reviewer(account):
        return True, queue(store, account)
    return False, returned_to_me(store, account)


def load_detail(device: Device, kind: str, target_id: str) -> Detail:
    """``detail`` for the signed-in user."""
    store, account = _open(device)
    return detail(store, account, kind, target_id)


def decide(device: Device, kind: str, target_id: str, *, approved: bool,
           comment: str) -> Review:
    """Approve, or return with ``comment``, as the signed-in user."""
    store, account = _open(device)
    if approved:
        return approve(store, account, kind, target_id, comment=comment)
    return return_for_changes(store, account, kind, target_id, comment)
