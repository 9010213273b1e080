"""Closed vocabularies of the domain, stored as their ASCII values, labelled via translations."""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    """Kinds of synced records."""

    FAMILY = "family"
    PERSON = "person"
    VISIT = "visit"
    NOTE = "note"
    REVIEW = "review"
    CONFLICT = "conflict"
    PLACEMENT = "placement"


class Role(StrEnum):
    """Account roles on the server."""

    SOCIAL_WORKER = "social_worker"
    SUPERVISOR = "supervisor"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class RiskLevel(StrEnum):
    """Risk to the child as the worker assesses it; always shown by word and colour."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class PersonRole(StrEnum):
    """A member's place in the family."""

    CHILD = "child"
    PARENT = "parent"
    GUARDIAN = "guardian"
    FOSTER_CARER = "foster_carer"
    RELATIVE = "relative"
    OTHER = "other"


class Sex(StrEnum):
    """Sex as recorded in documents."""

    FEMALE = "female"
    MALE = "male"


class VisitPlace(StrEnum):
    """Where a contact with the family took place."""

    HOME = "home"
    CENTRE = "centre"
    SCHOOL = "school"
    PHONE = "phone"
    OTHER = "other"


class ReviewDecision(StrEnum):
    """A supervisor's decision on a visit or note."""

    APPROVED = "approved"
    RETURNED = "returned"


class ConflictStatus(StrEnum):
    """Whether a conflict still waits for someone to resolve it."""

    OPEN = "open"
    RESOLVED = "resolved"


class PlacementOutcome(StrEnum):
    """How a foster-care placement ended."""

    RETURNED_HOME = "returned_home"
    NEXT_PLACEMENT = "next_placement"     # adoption, guardianship, a family-type home...
    OTHER = "other"
