"""The synced record kinds, one SQLModel definition each, validated on construction.

These are non-table models: the device validates with them and stores them encrypted; the
server subclasses them with ``table=True`` for its typed tables. Field names are English;
what users see comes from translations. ``id``, ``community`` identify a record and never
change; every other field (including the ``deleted`` tombstone) merges field by field.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from sqlmodel import JSON, Field, SQLModel

from shared_models.cases import (
    EXTENDED_SUPPORT_MONTHS,
    SUPPORT_MONTHS,
    extended_support_limit,
    support_limit,
)
from shared_models.clock import CLOCK_PATTERN
from shared_models.communities import CommunityCode
from shared_models.dates import format_date
from shared_models.enums import (
    AssessmentDecision,
    CaseResult,
    Circumstance,
    ClosureReason,
    ConflictStatus,
    HousingCondition,
    PersonRole,
    PlacementOutcome,
    ProblemDuration,
    RecordKind,
    ReporterKind,
    ReviewDecision,
    RiskLevel,
    Sex,
    TaskResponsible,
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
    TaskText,
    Username,
)

_CLOCK_RE = re.compile(CLOCK_PATTERN)
#: Fields that identify a record rather than describe it; they are not merged.
IDENTITY_FIELDS = frozenset({"id", "community"})


def known_services(value: list[str]) -> list[str]:
    """Service codes of the classifier (``services``), each once; a coded error otherwise."""
    seen: set[str] = set()
    for key in value:
        if key not in SERVICES:
            raise custom_error("unknown_service", service=key)
        if key in seen:
            raise custom_error("duplicate_service", service=key)
        seen.add(key)
    return value


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
    address: OptionalLine = ""            # where the family actually lives
    registered_address: OptionalLine = ""  # where it is registered, when that differs
    phone: Phone | None = None
    difficult_circumstances: bool = False
    displaced: bool = False
    foster_family: bool = False
    assigned_worker: Username | None = Field(default=None, max_length=USERNAME_MAX)
    consent_date: PastDate | None = None
    consent_by: Name | None = None
    next_visit_date: AnyDate | None = None
    # Retired by the case cycle (a case is closed, not the family): being removed, with
    # server migration 0006 and the device's store migration turning a closed family into
    # a closed case (``cases.legacy_case_id``). Do not use in new code.
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
    citizenship: OptionalLine = ""
    study_or_work: OptionalLine = ""      # the place of study (a child) or of work (an adult)
    idp: bool = False                     # has the status of an internally displaced person
    idp_certificate: OptionalLine = ""    # number and date of the IDP certificate (довідка)

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
    threat_to_life: bool = False          # a threat to a child's life or health was found
    plan_tasks: list[uuid.UUID] = Field(default_factory=list, max_length=50, sa_type=JSON)

    @field_validator("services")
    @classmethod
    def _known_services(cls, value: list[str]) -> list[str]:
        return known_services(value)

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


#: What a supervisor decides on: visits, notes, needs assessments, and cases (a case is
#: reviewed when its closure is recorded: approving it closes the case).
REVIEWABLE_KINDS = (RecordKind.VISIT, RecordKind.NOTE, RecordKind.ASSESSMENT, RecordKind.CASE)


class Review(Record):
    """A supervisor's decision on a visit, a note, an assessment or a case's closure.
    Immutable: a new review supersedes.

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
        if value not in REVIEWABLE_KINDS:
            raise custom_error("enum", expected=", ".join(REVIEWABLE_KINDS))
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


class Case(Record):
    """A case (випадок) of a family: from the request through support to closure.

    A family has at most one open case (``closed_on`` empty); that is checked by the services
    and the server, which see the family's other cases. The support plan is the case's
    ``plan_*`` fields plus its ``PlanTask`` records (one record per task, so two people editing
    different tasks offline both keep their changes). Closing records ``closed_on`` and the
    reason; the supervisor's approving ``Review`` of the case closes it (``cases.case_stage``).
    A reopened case is a new case naming the earlier one in ``reopens``.
    """

    KIND: ClassVar[RecordKind] = RecordKind.CASE

    family_id: uuid.UUID = Field(index=True)
    opened_on: PastDate                   # the date of the request (звернення)
    reporter_kind: ReporterKind = ReporterKind.FAMILY
    reporter_name: OptionalLine = ""
    reporter_consent: bool = False        # the reporter agreed to their data being recorded
    request_summary: Paragraph = ""
    assigned_worker: Username | None = Field(default=None, max_length=USERNAME_MAX)
    reopens: uuid.UUID | None = None
    plan_agreed_on: PastDate | None = None  # the plan was agreed with the family on
    plan_agreed_by: OptionalLine = ""       # who of the family agreed to it
    support_start: PastDate | None = None
    planned_end: AnyDate | None = None
    extension_decision_date: PastDate | None = None
    extension_reason: OptionalLine = ""
    extended_end: AnyDate | None = None
    closed_on: PastDate | None = None
    closure_reason: ClosureReason | None = None
    closure_result: CaseResult | None = None
    closure_notes: Paragraph = ""

    @model_validator(mode="after")
    def _terms(self) -> Self:
        problems: list[tuple[str, str, Any, dict[str, Any]]] = []

        def fail(name: str, code: str, **ctx: Any) -> None:
            problems.append((name, code, getattr(self, name), ctx))

        opened = self.opened_on
        if self.reopens is not None and self.reopens == self.id:
            fail("reopens", "self_reference")
        for name in ("support_start", "plan_agreed_on", "closed_on"):
            value = getattr(self, name)
            if value is not None and value < opened:
                fail(name, "case_before_request")
        self._support_terms(fail)
        if (self.closed_on is None) != (self.closure_reason is None):
            fail("closure_reason" if self.closure_reason is None else "closed_on",
                 "case_closure_incomplete")
        if problems:
            raise errors_at(type(self).__name__, problems)
        return self

    def _support_terms(self, fail: Callable[..., None]) -> None:
        start, planned = self.support_start, self.planned_end
        if (start is None) != (planned is None):
            fail("planned_end" if planned is None else "support_start",
                 "case_support_incomplete")
        if start is not None and planned is not None:
            if planned <= start:
                fail("planned_end", "case_end_before_start")
            elif planned > support_limit(start):
                fail("planned_end", "case_over_limit",
                     limit=format_date(support_limit(start)), months=SUPPORT_MONTHS)
        if (self.extension_decision_date is None) != (self.extended_end is None):
            fail("extended_end" if self.extended_end is None else "extension_decision_date",
                 "case_extension_incomplete")
        if self.extended_end is not None:
            if start is None or planned is None:
                fail("extended_end", "case_extension_without_support")
            elif self.extended_end <= planned:
                fail("extended_end", "case_extension_not_later")
            elif self.extended_end > extended_support_limit(start):
                fail("extended_end", "case_over_limit",
                     limit=format_date(extended_support_limit(start)),
                     months=EXTENDED_SUPPORT_MONTHS)
        if (self.extension_decision_date is not None and start is not None
                and self.extension_decision_date < start):
            fail("extension_decision_date", "case_before_support")

    @property
    def is_open(self) -> bool:
        """Whether no closure is recorded (a closure waiting for approval is not open)."""
        return self.closed_on is None


class ChildAssessment(BaseModel):
    """One child's condition and needs, a section of the needs-assessment act."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    person_id: uuid.UUID
    health: Paragraph = ""
    development: Paragraph = ""           # physical, emotional and social development
    education: Paragraph = ""
    family_relations: Paragraph = ""      # relations with parents and others in the family
    needs: Paragraph = ""
    threat_to_life: bool = False


class Assessment(Record):
    """The needs-assessment act (акт оцінки потреб сім'ї/особи) of a case.

    Saved with ``completed_on`` empty it is work in progress; completing it sends it to the
    supervisor, who approves it or returns it (a ``Review``) — four eyes. The sections follow
    the official form (order No. 1005): the members who took part, each child's condition and
    needs, the adults, the family and environment factors, and the conclusion.
    """

    KIND: ClassVar[RecordKind] = RecordKind.ASSESSMENT

    case_id: uuid.UUID = Field(index=True)
    family_id: uuid.UUID = Field(index=True)
    assessor: Username
    started_on: PastDate
    completed_on: PastDate | None = None
    participants: list[uuid.UUID] = Field(default_factory=list, max_length=30, sa_type=JSON)
    children: list[ChildAssessment] = Field(default_factory=list, max_length=20, sa_type=JSON)
    threat_to_life: bool = False
    threat_details: Paragraph = ""
    adults_health: Paragraph = ""
    adults_emotional_state: Paragraph = ""
    harmful_habits: bool | None = None
    harmful_habits_details: Paragraph = ""
    social_contacts: Paragraph = ""
    employment: Paragraph = ""
    self_care: Paragraph = ""
    parenting: Paragraph = ""             # how the parents meet the children's needs
    housing: HousingCondition | None = None
    housing_details: Paragraph = ""
    income: Paragraph = ""
    environment: Paragraph = ""           # the community, neighbours, access to services
    difficult_circumstances: bool | None = None
    circumstances: list[Circumstance] = Field(default_factory=list, max_length=20,
                                              sa_type=JSON)
    effect_on_child: Paragraph = ""
    problem_duration: ProblemDuration | None = None
    family_recognises: bool | None = None
    family_cooperates: bool | None = None
    services_needed: list[str] = Field(default_factory=list, max_length=30, sa_type=JSON)
    decision: AssessmentDecision | None = None
    conclusion: Paragraph = ""

    @field_validator("services_needed")
    @classmethod
    def _known_services(cls, value: list[str]) -> list[str]:
        return known_services(value)

    @field_validator("circumstances")
    @classmethod
    def _distinct(cls, value: list[Circumstance]) -> list[Circumstance]:
        if len(set(value)) != len(value):
            raise custom_error("duplicate_choice")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Self:
        problems: list[tuple[str, str, Any, dict[str, Any]]] = []

        def fail(name: str, code: str, **ctx: Any) -> None:
            problems.append((name, code, getattr(self, name), ctx))

        threat = self.threat_to_life or any(c.threat_to_life for c in self.children)
        if threat and not self.threat_details.strip():
            fail("threat_details", "threat_details_required")
        if len({c.person_id for c in self.children}) != len(self.children):
            fail("children", "duplicate_child")
        if self.completed_on is not None:
            if self.completed_on < self.started_on:
                fail("completed_on", "assessment_completed_before_start")
            if self.difficult_circumstances is None:
                fail("difficult_circumstances", "assessment_conclusion_required")
            if self.decision is None:
                fail("decision", "assessment_conclusion_required")
        if problems:
            raise errors_at(type(self).__name__, problems)
        return self

    @property
    def threat(self) -> bool:
        """Whether the act records a threat to a child's life or health anywhere."""
        return self.threat_to_life or any(c.threat_to_life for c in self.children)


class PlanTask(Record):
    """One task of a case's support plan: what, for which goal, who does it, by when.

    Visits tick tasks off (``done_on``) and add to ``progress``; a task that no longer applies
    is ``cancelled`` (kept, so the plan's history stays readable).
    """

    KIND: ClassVar[RecordKind] = RecordKind.PLAN_TASK

    case_id: uuid.UUID = Field(index=True)
    family_id: uuid.UUID = Field(index=True)
    goal: Name
    task: TaskText
    responsible: TaskResponsible = TaskResponsible.WORKER
    responsible_person_id: uuid.UUID | None = None   # the family member, for FAMILY_MEMBER
    responsible_name: OptionalLine = ""              # the service, or the worker's name
    due_date: AnyDate
    done_on: PastDate | None = None
    progress: Paragraph = ""
    cancelled: bool = False

    @model_validator(mode="after")
    def _who(self) -> Self:
        if (self.responsible is TaskResponsible.FAMILY_MEMBER
                and self.responsible_person_id is None):
            raise errors_at(type(self).__name__, [
                ("responsible_person_id", "task_member_required", None, {})])
        if self.responsible is TaskResponsible.SERVICE and not self.responsible_name.strip():
            raise errors_at(type(self).__name__, [
                ("responsible_name", "task_service_required", self.responsible_name, {})])
        return self


KINDS: dict[RecordKind, type[Record]] = {
    cls.KIND: cls for cls in (Family, Person, Visit, Note, Review, Conflict, Placement,
                              Case, Assessment, PlanTask)
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
