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
    CASE = "case"
    ASSESSMENT = "assessment"
    PLAN_TASK = "plan_task"


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


class ReporterKind(StrEnum):
    """Who brought the family to the social services' attention (the request, звернення)."""

    FAMILY = "family"                      # the family or the person itself
    RELATIVE = "relative"
    NEIGHBOUR = "neighbour"                # another resident of the community
    SCHOOL = "school"                      # a kindergarten, school or other place of study
    HEALTH = "health"                      # a health-care institution
    POLICE = "police"
    CHILDRENS_SERVICE = "childrens_service"  # служба у справах дітей
    STAROSTA = "starosta"                  # the village head (староста) or the hromada council
    OTHER = "other"


class Circumstance(StrEnum):
    """Difficult life circumstances (складні життєві обставини), Law 2671-VIII art. 1."""

    DISABILITY = "disability"              # інвалідність, втрата рухової активності
    ILLNESS = "illness"                    # хвороба, зокрема невиліковна
    HOMELESSNESS = "homelessness"
    UNEMPLOYMENT = "unemployment"
    POVERTY = "poverty"                    # малозабезпеченість
    PARENTAL_NEGLECT = "parental_neglect"  # ухилення батьків від виконання обов'язків
    CHILD_BEHAVIOUR = "child_behaviour"    # поведінкові розлади у дітей (e.g. after divorce)
    LOST_TIES = "lost_ties"                # втрата соціальних зв'язків (incl. after prison)
    CHILD_ABUSE = "child_abuse"            # жорстоке поводження з дитиною
    DOMESTIC_VIOLENCE = "domestic_violence"
    GENDER_VIOLENCE = "gender_violence"
    TRAFFICKING = "trafficking"
    DISASTER_OR_WAR = "disaster_or_war"    # пожежа, стихійне лихо, бойові дії, окупація
    DISPLACEMENT = "displacement"          # внутрішнє переміщення
    OTHER = "other"


class ProblemDuration(StrEnum):
    """How long the family's problems have lasted (the act's conclusion)."""

    UNDER_3_MONTHS = "under_3_months"
    UNDER_6_MONTHS = "under_6_months"
    UNDER_1_YEAR = "under_1_year"
    OVER_1_YEAR = "over_1_year"


class HousingCondition(StrEnum):
    """The housing as the assessor found it."""

    SATISFACTORY = "satisfactory"
    UNSATISFACTORY = "unsatisfactory"
    NO_HOUSING = "no_housing"


class AssessmentDecision(StrEnum):
    """What the needs assessment concludes should happen next."""

    SUPPORT = "support"                    # соціальний супровід with a support plan
    OTHER_SERVICES = "other_services"      # services without social support
    CLOSE = "close"                        # no need found: the case is closed


class TaskResponsible(StrEnum):
    """Who carries out a task of the support plan."""

    WORKER = "worker"                      # the social worker (фахівець)
    FAMILY_MEMBER = "family_member"
    SERVICE = "service"                    # another service or agency


class ClosureReason(StrEnum):
    """Why a case was closed (припинення надання послуги)."""

    GOALS_ACHIEVED = "goals_achieved"      # the difficult circumstances were overcome
    NO_NEED = "no_need"                    # the assessment found no need of support
    FAMILY_REFUSED = "family_refused"
    MOVED_AWAY = "moved_away"
    REFERRED = "referred"                  # handed to another service or provider
    CHILD_PLACED = "child_placed"          # the child was placed in care
    TERM_ENDED = "term_ended"              # the support's term ran out
    DEATH = "death"
    OTHER = "other"
    LEGACY = "legacy"                      # closed with the old "closed" flag, before cases


class CaseResult(StrEnum):
    """The worker's assessment of what the support achieved, recorded at closure."""

    ACHIEVED = "achieved"
    PARTLY = "partly"
    NOT_ACHIEVED = "not_achieved"
