"""The family card, assembled from the store (no Flet): who the family is, and what happened.

``load_card(store, family_id, me=..., today=...)`` reads the family, its members, its visits
and notes, the supervisor's reviews of those, and the open conflicts on the family or its
members, and returns a ``FamilyCard`` the view only has to draw:

* members: children first (oldest first), then the adults by role, each with an ``Age``;
* the timeline: visits, notes and reviews, newest first; a note knows the later notes that
  correct it, a review knows what it reviewed;
* every record says whether it is only saved on this phone (``store.unsynced_ids()``) or has
  reached the server;
* each open conflict names the side that is the worker's own ("mine") when there is one.

``age_words`` and ``conflict_value_words`` turn the data into the worker's language.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from field_app.i18n import Translator, format_date
from field_app.services.cases import FamilyCases, load_cases
from field_app.services.families import DUE_WINDOW_DAYS
from field_app.store import LocalStore
from shared_models.enums import (
    ConflictStatus,
    PersonRole,
    RecordKind,
    ReviewDecision,
    RiskLevel,
    Sex,
    VisitPlace,
)
from shared_models.records import (
    Assessment,
    Case,
    Conflict,
    Family,
    Note,
    Person,
    PlanTask,
    Record,
    Review,
    Visit,
)

#: Characters of a note's text shown in the timeline.
PREVIEW_CHARS = 160
#: Order of adults on the card.
ROLE_ORDER = {role: i for i, role in enumerate(PersonRole)}


@dataclass(frozen=True, slots=True)
class Age:
    """Full years, and full months for a child under one."""

    years: int
    months: int = 0


def age_on(birth: date, today: date) -> Age:
    """The age of someone born on ``birth`` as of ``today`` (never negative)."""
    months = (today.year - birth.year) * 12 + today.month - birth.month
    if today.day < birth.day:
        months -= 1
    months = max(months, 0)
    return Age(months // 12, months % 12 if months < 12 else 0)


def age_words(tr: Translator, age: Age | None) -> str:
    """ "5 років", "1 рік", "22 роки"; under one "7 місяців"; under a month "до місяця"."""
    if age is None:
        return tr.t("family.age.unknown")
    if age.years >= 1:
        return tr.plural("family.age.years", age.years)
    if age.months >= 1:
        return tr.plural("family.age.months", age.months)
    return tr.t("family.age.newborn")


@dataclass(frozen=True, slots=True)
class NextVisit:
    """The family's next planned visit and whether it is due soon or overdue."""

    when: date | None
    due: bool = False
    overdue: bool = False


def next_visit(family: Family, today: date, *, closed: bool = False) -> NextVisit:
    """Due: within ``DUE_WINDOW_DAYS``; overdue: before today. A family whose cases are
    closed (``closed``, from ``cases``; not the retired flag) is neither."""
    when = family.next_visit_date
    if when is None or closed:
        return NextVisit(when)
    return NextVisit(when, due=today <= when <= today + timedelta(days=DUE_WINDOW_DAYS),
                     overdue=when < today)


@dataclass(frozen=True, slots=True)
class MemberLine:
    """One member as the card lists them."""

    id: str
    name: str
    role: PersonRole
    birth_date: date | None
    age: Age | None
    sex: Sex | None
    disability: bool
    special_educational_needs: bool
    unsynced: bool

    @property
    def child(self) -> bool:
        """Whether the member is one of the family's children."""
        return self.role is PersonRole.CHILD


@dataclass(frozen=True, slots=True)
class VisitItem:
    """A visit in the timeline."""

    id: str
    at: datetime
    author: str
    unsynced: bool
    risk: RiskLevel
    services: int
    place: VisitPlace


@dataclass(frozen=True, slots=True)
class NoteRef:
    """A note another item points at (a correction, a reviewed note)."""

    id: str
    at: datetime
    author: str


@dataclass(frozen=True, slots=True)
class NoteItem:
    """A note in the timeline; ``corrected_by`` lists later notes correcting it (newest first)."""

    id: str
    at: datetime
    author: str
    unsynced: bool
    preview: str
    corrects: NoteRef | None
    corrected_by: tuple[NoteRef, ...]


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A supervisor's decision on one of the family's visits or notes."""

    id: str
    at: datetime
    author: str
    unsynced: bool
    decision: ReviewDecision
    comment: str
    target_kind: RecordKind
    target_id: str
    target_at: datetime


TimelineItem = VisitItem | NoteItem | ReviewItem


@dataclass(frozen=True, slots=True)
class ConflictLine:
    """An open conflict on the family or a member: both values and whose each is.

    ``mine`` is "current" when the value shown now is the worker's, "other" when the losing
    value is theirs, ``None`` when neither is (a supervisor looking at two workers' edits).
    """

    id: str
    record_kind: RecordKind
    record_id: str
    record_name: str
    field: str
    current: Any
    current_author: str
    other: Any
    other_author: str
    mine: str | None

    @property
    def mine_value(self) -> Any:
        """The worker's own value (``None`` when neither is theirs)."""
        return {"current": self.current, "other": self.other}.get(self.mine or "")

    @property
    def theirs(self) -> tuple[Any, str]:
        """The other side's value and author (the current one when neither is mine)."""
        if self.mine == "current":
            return self.other, self.other_author
        return self.current, self.current_author


@dataclass(frozen=True, slots=True)
class FamilyCard:
    """Everything the family card shows."""

    family: Family
    mine: bool
    unsynced: bool
    next_visit: NextVisit
    members: list[MemberLine]
    timeline: list[TimelineItem]
    conflicts: list[ConflictLine]
    #: The family's cases (``services.cases``): the open one and the earlier ones.
    cases: FamilyCases | None = None

    @property
    def id(self) -> str:
        """The family's id as text (for routes)."""
        return str(self.family.id)

    @property
    def closed(self) -> bool:
        """The family's latest case is closed and none is open."""
        return self.cases is not None and self.cases.closed


def _member(p: Person, today: date, unsynced: set[str]) -> MemberLine:
    age = age_on(p.birth_date, today) if p.birth_date else None
    name = " ".join(x for x in (p.last_name, p.first_name, p.patronymic or "") if x)
    return MemberLine(str(p.id), name, p.role, p.birth_date, age, p.sex, p.disability,
                      p.special_educational_needs, str(p.id) in unsynced)


def _member_order(m: MemberLine) -> tuple[Any, ...]:
    # Children first, the eldest first (unknown birth dates after them); adults by role.
    if m.child:
        return (0, m.birth_date is None, m.birth_date or date.max, m.name.casefold())
    return (1, ROLE_ORDER[m.role], m.name.casefold())


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS - 1].rstrip() + "…"


def _timeline(visits: list[Visit], notes: list[Note], reviews: list[Review],
              unsynced: set[str]) -> list[TimelineItem]:
    refs = {str(n.id): NoteRef(str(n.id), n.written_at, n.author) for n in notes}
    corrections: dict[str, list[NoteRef]] = {}
    for n in notes:
        if n.corrects is not None and str(n.corrects) in refs:
            corrections.setdefault(str(n.corrects), []).append(refs[str(n.id)])
    items: list[TimelineItem] = [
        VisitItem(str(v.id), v.visited_at, v.author, str(v.id) in unsynced, v.risk_level,
                  len(v.services), v.place)
        for v in visits
    ]
    for n in notes:
        later = sorted(corrections.get(str(n.id), []), key=lambda r: r.at, reverse=True)
        corrects = refs.get(str(n.corrects)) if n.corrects is not None else None
        items.append(NoteItem(str(n.id), n.written_at, n.author, str(n.id) in unsynced,
                              _preview(n.text), corrects, tuple(later)))
    when = {str(v.id): v.visited_at for v in visits} | {k: r.at for k, r in refs.items()}
    for r in reviews:
        target = str(r.target_id)
        if target in when:
            items.append(ReviewItem(str(r.id), r.reviewed_at, r.reviewer, str(r.id) in unsynced,
                                    r.decision, r.comment, r.target_kind, target, when[target]))
    # Newest first; on the same instant a review after what it reviewed, then by id.
    rank = {VisitItem: 0, NoteItem: 0, ReviewItem: 1}
    items.sort(key=lambda i: (i.at, rank[type(i)], i.id), reverse=True)
    return items


def _conflicts(conflicts: list[Conflict], names: dict[str, str], me: str) -> list[ConflictLine]:
    out = []
    for c in conflicts:
        if c.status is not ConflictStatus.OPEN or str(c.record_id) not in names:
            continue
        mine = ("other" if me and c.loser_author == me else
                "current" if me and c.winner_author == me else None)
        out.append(ConflictLine(str(c.id), c.record_kind, str(c.record_id),
                                names[str(c.record_id)], c.field, c.winner_value,
                                c.winner_author, c.loser_value, c.loser_author, mine))
    # The family's own fields first, then each member's, in field order of the model.
    order = {n: i for i, n in enumerate([*Family.model_fields, *Person.model_fields])}
    out.sort(key=lambda c: (c.record_kind is not RecordKind.FAMILY, c.record_name,
                            order.get(c.field, 99), c.id))
    return out


def load_card(store: LocalStore, family_id: str | uuid.UUID, *, me: str,
              today: date) -> FamilyCard | None:
    """The card of a family, or ``None`` when it is not on this device (or deleted)."""
    family = store.get(Family, family_id)
    if family is None:
        return None
    fid = str(family.id)
    unsynced = store.unsynced_ids()
    people = store.all(Person, family_id=fid)
    members = sorted((_member(p, today, unsynced) for p in people), key=_member_order)
    visits = store.all(Visit, family_id=fid)
    notes = store.all(Note, family_id=fid)
    # Reviews and conflicts through the store's index by target and by record: the card
    # reads a handful of records, not every review and conflict of the community.
    targets = [str(v.id) for v in visits] + [str(n.id) for n in notes]
    reviews = [r for t in targets for r in store.all(Review, target_id=t)]
    names = {fid: family.family_name} | {m.id: m.name for m in members}
    open_conflicts = [c for rid in names for c in store.all(Conflict, record_id=rid)
                      if c.status is ConflictStatus.OPEN]
    cases = load_cases(store, fid, today=today, unsynced=unsynced)
    return FamilyCard(
        family=family,
        mine=bool(me) and family.assigned_worker == me,
        unsynced=fid in unsynced,
        next_visit=next_visit(family, today, closed=cases.closed),
        members=members,
        timeline=_timeline(visits, notes, reviews, unsynced),
        conflicts=_conflicts(open_conflicts, names, me),
        cases=cases,
    )


#: What the card reads besides the families, in the order the screens need it.
CARD_KINDS: tuple[type[Record], ...] = (Person, Visit, Note, Review, Conflict, Case,
                                        Assessment, PlanTask)


def warm_up(store: LocalStore) -> None:
    """Decrypt what the family card reads into the store's cache, one kind at a time.

    Called on a worker thread after unlock, so the first card opens as fast as the next
    (about 0.7 s of CPU for 5,000 families here otherwise). One kind per call: each holds
    the store's lock only while that kind is decrypted, so the list and a sync are not held
    up for the whole of it.
    """
    for cls in CARD_KINDS:
        if store.locked:
            return
        store.preload(cls)


#: Enum of the fields whose stored values are enum values, for their labels.
_ENUM_FIELDS: dict[str, type[Enum]] = {"role": PersonRole, "sex": Sex}
_DATE_FIELDS = {"consent_date", "next_visit_date", "birth_date"}


def field_label_key(record_kind: RecordKind, field: str) -> str:
    """The translation key of a family's or a member's field name."""
    return f"family.{'f' if record_kind is RecordKind.FAMILY else 'm'}.{field}"


def conflict_value_words(tr: Translator, field: str, value: Any) -> str:
    """A stored value as the worker reads it: dates 22.11.2026, yes/no, enum labels."""
    words = str(value)
    try:
        if value is None or value == "":
            words = tr.t("family.card.empty_value")
        elif isinstance(value, bool):
            words = tr.t("family.card.yes" if value else "family.card.no")
        elif field in _DATE_FIELDS:
            words = format_date(date.fromisoformat(str(value)))
        elif field in _ENUM_FIELDS:
            words = tr.label(_ENUM_FIELDS[field](value))
        elif field == "community":
            words = tr.community(str(value))
    except (ValueError, KeyError):
        pass  # a value this version cannot read: shown as it is
    return words
