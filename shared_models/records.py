"""The synced record kinds, one SQLModel definition each, validated on construction.

These are non-table models: the device validates with them and stores them encrypted; the
server subclasses them with ``table=True`` for its typed tables. Field names are English;
what users see comes from translations. ``id``, ``community`` identify a record and never
change; every other field (including the ``deleted`` tombstone) merges field by field.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any, ClassVar, Self

from pydantic import ConfigDict, field_validator, model_validator
from sqlmodel import JSON, Field, SQLModel

from shared_models.clock import CLOCK_PATTERN
from shared_models.communities import CommunityCode
from shared_models.dates import format_date
from shared_models.enums import (
    ConflictStatus,
    PersonRole,
    PlacementOutcome,
    RecordKind,
    ReviewDecision,
    RiskLevel,
    Sex,
    VisitPlace,
)
from shared_models.foster_care import (
    EXTENDED_STAY_MONTHS,
    STAY_MONTHS,
    extended_limit,
    stay_limit,
)
from shared_models.messages import custom_error, errors_at
from shared_models.services import SERVICES
from shared_models.validators import (
    USERNAME_MAX,
    AnyDate,
    Comment,
    Name,
    NoteText,
    OptionalLine,
    Paragraph,
    PastDate,
    PastInstant,
    Phone,
    Username,
)

_CLOCK_RE = re.compile(CLOCK_PATTERN)
#: Fields that identify a record rather than describe it; they are not merged.
IDENTITY_FIELDS = frozenset({"id", "community"})


class Record(SQLModel):
    """Fields every synced record has."""

    model_config = ConfigDict(  # type: ignore[assignment]
        str_strip_whitespace=True, extra="forbid", validate_assignment=True
    )
    KIND: ClassVar[RecordKind]

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    community: CommunityCode = Field(index=True)
    deleted: bool = False


class Family(Record):
    """A family with children that the community's social services work with."""

    KIND: ClassVar[RecordKind] = RecordKind.FAMILY

    family_name: Name
    settlement: Name
    address: OptionalLine = ""
    phone: Phone | None = None
    difficult_circumstances: bool = False
    displaced: bool = False
    foster_family: bool = False
    assigned_worker: Username | None = Field(default=None, max_length=USERNAME_MAX)
    consent_date: PastDate | None = None
    consent_by: Name | None = None
    next_visit_date: AnyDate | None = None
    closed: bool = False

    @model_validator(mode="after")
    def _consent_complete(self) -> Self:
        if (self.consent_date is None) != (self.consent_by is None):
            raise custom_error("consent_incomplete")
        return self


class Person(Record):
    """A member of a family: a child or an adult."""

    KIND: ClassVar[RecordKind] = RecordKind.PERSON

    family_id: uuid.UUID = Field(index=True)
    last_name: Name
    first_name: Name
    patronymic: Name | None = None
    birth_date: PastDate | None = None
    sex: Sex | None = None
    role: PersonRole = PersonRole.CHILD
    disability: bool = False
    special_educational_needs: bool = False

    def display_name(self) -> str:
        """Name as Ukrainians write it: "Прізвище Ім'я"."""
        return f"{self.last_name} {self.first_name}"

    def age(self, on: date) -> int | None:
        """Full years on the given date, or ``None`` when the birth date is unknown."""
        if self.birth_date is None:
            return None
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


class Visit(Record):
    """A home visit (or other contact) with a family, as the worker recorded it."""

    KIND: ClassVar[RecordKind] = RecordKind.VISIT

    family_id: uuid.UUID = Field(index=True)
    visited_at: PastInstant
    place: VisitPlace = VisitPlace.HOME
    place_details: OptionalLine = ""
    present: list[uuid.UUID] = Field(default_factory=list, max_length=30, sa_type=JSON)
    others_present: OptionalLine = ""
    services: list[str] = Field(default_factory=list, max_length=30, sa_type=JSON)
    child_needs: Paragraph = ""
    parenting_capacity: Paragraph = ""
    family_environment: Paragraph = ""
    risk_level: RiskLevel
    next_steps: Paragraph = ""
    next_visit_date: AnyDate | None = None
    author: Username

    @field_validator("services")
    @classmethod
    def _known_services(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for key in value:
            if key not in SERVICES:
                raise custom_error("unknown_service", service=key)
            if key in seen:
                raise custom_error("duplicate_service", service=key)
            seen.add(key)
        return value

    @model_validator(mode="after")
    def _next_after_visit(self) -> Self:
        if self.next_visit_date is not None and self.next_visit_date < self.visited_at.date():
            raise custom_error("next_visit_before_visit")
        return self


class Note(Record):
    """A social-support note on a family. Immutable: a correction is a new note."""

    KIND: ClassVar[RecordKind] = RecordKind.NOTE

    family_id: uuid.UUID = Field(index=True)
    text: NoteText
    written_at: PastInstant
    author: Username
    corrects: uuid.UUID | None = None

    @model_validator(mode="after")
    def _not_self(self) -> Self:
        if self.corrects is not None and self.corrects == self.id:
            raise custom_error("self_reference")
        return self


class Review(Record):
    """A supervisor's decision on a visit or a note. Immutable: a new review supersedes.

    ``target_clock`` is the clock of the target's latest change the reviewer had on screen:
    a change of the target with a higher clock was not seen by this decision (the target was
    amended after it, or amended on another phone before the reviewer had received it), so
    the target needs a decision again. Reviews written without it count from their own clock.
    """

    KIND: ClassVar[RecordKind] = RecordKind.REVIEW

    target_kind: RecordKind
    target_id: uuid.UUID = Field(index=True)
    decision: ReviewDecision
    comment: Comment = ""
    reviewer: Username
    reviewed_at: PastInstant
    target_clock: str | None = Field(default=None, max_length=100)

    @field_validator("target_kind")
    @classmethod
    def _reviewable(cls, value: RecordKind) -> RecordKind:
        if value not in (RecordKind.VISIT, RecordKind.NOTE):
            raise custom_error("enum", expected="visit, note")
        return value

    @field_validator("target_clock")
    @classmethod
    def _a_clock(cls, value: str | None) -> str | None:
        if value is not None and not _CLOCK_RE.match(value):
            raise custom_error("bad_clock")
        return value

    @model_validator(mode="after")
    def _comment_when_returned(self) -> Self:
        if self.decision is ReviewDecision.RETURNED and not self.comment.strip():
            raise custom_error("comment_required")
        return self


class Conflict(Record):
    """A value that lost a concurrent edit, kept until a person resolves it.

    Written by the server only; resolving means editing the record's field with a write that
    supersedes both sides, after which the server marks this conflict resolved.
    """

    KIND: ClassVar[RecordKind] = RecordKind.CONFLICT

    record_kind: RecordKind
    record_id: uuid.UUID = Field(index=True)
    field: str = Field(min_length=1, max_length=64)
    winner_value: Any = Field(default=None, sa_type=JSON)
    winner_clock: str = Field(max_length=100)
    winner_author: str = Field(default="", max_length=USERNAME_MAX)
    loser_value: Any = Field(default=None, sa_type=JSON)
    loser_clock: str = Field(max_length=100)
    loser_author: str = Field(default="", max_length=USERNAME_MAX)
    status: ConflictStatus = ConflictStatus.OPEN
    resolved_by: str | None = Field(default=None, max_length=USERNAME_MAX)


class Placement(Record):
    """A child's stay with a foster family (сімейний патронат), by the children's service's order.

    Recorded in the foster family's community. Up to 3 months from the start; the
    guardianship authority may extend it to at most 6 (``foster_care``). Dates are checked
    against each other here; that ``foster_family_id`` names a foster family and
    ``child_id`` a person of the same community is checked by the services and the server.
    """

    KIND: ClassVar[RecordKind] = RecordKind.PLACEMENT

    child_id: uuid.UUID = Field(index=True)
    foster_family_id: uuid.UUID = Field(index=True)
    birth_family_id: uuid.UUID | None = None
    start_date: PastDate
    planned_end: AnyDate
    extension_decision_date: PastDate | None = None
    extended_end: AnyDate | None = None
    ended_on: PastDate | None = None
    outcome: PlacementOutcome | None = None
    outcome_details: OptionalLine = ""
    order_reference: OptionalLine = ""

    @model_validator(mode="after")
    def _terms(self) -> Self:
        problems: list[tuple[str, str, Any, dict[str, Any]]] = []

        def fail(name: str, code: str, **ctx: Any) -> None:
            problems.append((name, code, getattr(self, name), ctx))

        start = self.start_date
        if self.planned_end <= start:
            fail("planned_end", "placement_planned_end")
        elif self.planned_end > stay_limit(start):
            fail("planned_end", "placement_over_limit", limit=format_date(stay_limit(start)),
                 months=STAY_MONTHS)
        if (self.extension_decision_date is None) != (self.extended_end is None):
            missing = ("extended_end" if self.extended_end is None
                       else "extension_decision_date")
            fail(missing, "placement_extension_incomplete")
        if self.extension_decision_date is not None and self.extension_decision_date < start:
            fail("extension_decision_date", "placement_decision_before_start")
        if self.extended_end is not None:
            if self.extended_end <= self.planned_end:
                fail("extended_end", "placement_extension_not_later")
            elif self.extended_end > extended_limit(start):
                fail("extended_end", "placement_over_limit",
                     limit=format_date(extended_limit(start)), months=EXTENDED_STAY_MONTHS)
        if self.ended_on is not None and self.ended_on < start:
            fail("ended_on", "placement_end_before_start")
        if (self.ended_on is None) != (self.outcome is None):
            fail("outcome" if self.outcome is None else "ended_on",
                 "placement_outcome_incomplete")
        if self.birth_family_id is not None and self.birth_family_id == self.foster_family_id:
            fail("birth_family_id", "placement_same_family")
        if problems:
            raise errors_at(type(self).__name__, problems)
        return self


KINDS: dict[RecordKind, type[Record]] = {
    cls.KIND: cls for cls in (Family, Person, Visit, Note, Review, Conflict, Placement)
}


def model_class(kind: str) -> type[Record]:
    """The model class of a kind; raises ``KeyError`` naming an unknown kind."""
    try:
        return KINDS[RecordKind(kind)]
    except ValueError:
        raise KeyError(f"unknown record kind: {kind!r}") from None


def field_names(kind: str) -> frozenset[str]:
    """Names of the fields of a kind that merge (everything but id and community)."""
    return frozenset(model_class(kind).model_fields) - IDENTITY_FIELDS
