"""The needs-assessment act's form as the screen holds it (акт оцінки потреб сім'ї/особи):
values flat for the widgets, the family's members it offers, its term (no Flet).

The act itself — reading it, its draft's form, validation and saving against the snapshot it
loaded — is ``services.cases`` (``assessment_form``, ``save_assessment``): this module only
flattens ``cases.AssessmentForm`` for the screen and back. Every value is kept in
``AssessmentForm.values`` under the name its widget is keyed by (``record_form.FormBinder``
reads and writes them as attributes)::

    adults_health, income, ...        a text of the act (str)
    harmful_habits, housing, ...      a choice: the enum's value, "yes" / "no", or "" (not given)
    threat_to_life                    a flag (bool)
    part.<person_id>                  the member took part (bool)
    child.<person_id>.<field>         a child's block: its texts, and ``threat_to_life`` (bool)
    circ.<circumstance>               a difficult life circumstance found (bool)
    svc.<service code>                a service needed (bool)

Saving keeps the act in progress (``completed_on`` empty, not yet the supervisor's);
submitting sets ``completed_on`` and so puts it in the supervisor's queue; an act already
submitted stays submitted when saved again. The draft is ``cases.assessment_form_data`` of
the act with the flat values applied, so it holds the snapshot an edit loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from field_app.dates import parse_date
from field_app.services import cases
from field_app.services.draft_store import Draft, load_draft
from field_app.services.problem import Problem
from field_app.store import LocalStore
from field_app.sync.calendar import stored_calendar
from shared_models.cases import AssessmentTerm, assessment_term
from shared_models.enums import Circumstance, PersonRole
from shared_models.records import Case, Family, Person, Review
from shared_models.services import SERVICES, catalogue_order
from shared_models.work_calendar import WorkCalendar

#: Texts of the act, in the order of the official form.
ADULT_TEXTS = ("adults_health", "adults_emotional_state", "harmful_habits_details",
               "social_contacts", "employment", "self_care", "parenting")
FAMILY_TEXTS = ("housing_details", "income", "environment")
CONCLUSION_TEXTS = ("effect_on_child", "conclusion")
TEXTS = cases.ASSESSMENT_TEXT
#: Yes / no / not given.
YES_NO = ("harmful_habits", "difficult_circumstances", "family_recognises",
          "family_cooperates")
#: One value of an enum, or not given.
CHOICES = ("housing", "problem_duration", "decision")
#: The texts of one child's block.
CHILD_TEXTS = ("health", "development", "education", "family_relations", "needs")

NotFound = cases.NotFound


def draft_key(case_id: str) -> str:
    """Draft key of a case's act (``draft_store`` prunes it when the case is gone)."""
    return cases.assessment_key(case_id)


@dataclass
class Member:
    """One member of the family as the form names them."""

    id: str
    name: str
    child: bool


@dataclass
class AssessmentForm:
    """The act as the screen holds it: ``base`` (``cases.AssessmentForm``, with the
    snapshot an edit loaded) and the values as the widgets show them."""

    base: cases.AssessmentForm
    values: dict[str, Any] = field(default_factory=dict)
    #: What the form says about the family (not a value of the act).
    members: list[Member] = field(default_factory=list)
    errors: dict[str, Problem] = field(default_factory=dict)
    message: Problem | None = None
    busy: bool = False

    def __getattr__(self, name: str) -> Any:
        # ``FormBinder`` reads a widget's value as an attribute of its name.
        values = self.__dict__.get("values")
        if values is None or name.startswith("__"):
            raise AttributeError(name)
        if name in values:
            return values[name]
        return False if _is_flag(name) else ""

    def set(self, name: str, value: Any) -> None:
        """The worker changed ``name`` (a problem shown for it is cleared)."""
        self.values[name] = value
        self.errors.pop(name, None)
        self.message = None

    def first_error(self) -> str | None:
        """The first field with a problem, in screen order."""
        order = ["started_on", *(f"child.{m.id}.{n}" for m in self.children
                                 for n in (*CHILD_TEXTS, "threat_to_life")),
                 "threat_details", *ADULT_TEXTS, "harmful_habits", *FAMILY_TEXTS, "housing",
                 "difficult_circumstances", "decision", *CONCLUSION_TEXTS]
        return next((n for n in order if n in self.errors), next(iter(self.errors), None))

    @property
    def family_id(self) -> str:
        """The family whose card the act belongs to."""
        return self.base.family_id

    @property
    def case_id(self) -> str:
        """The act's case."""
        return self.base.case_id

    @property
    def children(self) -> list[Member]:
        """The family's children: one block of the act each."""
        return [m for m in self.members if m.child]

    @property
    def submitted(self) -> bool:
        """Whether the act was completed and sent for the supervisor's decision."""
        return bool(self.base.completed_on)

    @property
    def threat(self) -> bool:
        """Whether a threat to a child's life or health is marked anywhere in the act."""
        return bool(self.values.get("threat_to_life")) or any(
            bool(self.values.get(f"child.{c.id}.threat_to_life")) for c in self.children)


def _is_flag(name: str) -> bool:
    return (name.startswith(("part.", "circ.", "svc.")) or name == "threat_to_life"
            or name.endswith(".threat_to_life"))


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _members(store: LocalStore, family_id: str) -> list[Member]:
    people = store.all(Person, family_id=family_id)
    people.sort(key=lambda p: (p.role is not PersonRole.CHILD,
                               p.birth_date or date.max, p.last_name, p.first_name))
    return [Member(str(p.id), p.display_name(), p.role is PersonRole.CHILD) for p in people]


def flat_values(base: cases.AssessmentForm) -> dict[str, Any]:
    """The act's values as the widgets show them."""
    values: dict[str, Any] = {name: getattr(base, name) for name in TEXTS}
    values["started_on"] = base.started_on
    values.update({name: _yes_no(getattr(base, name)) for name in YES_NO})
    values.update({name: getattr(base, name) or "" for name in CHOICES})
    values["threat_to_life"] = base.threat_to_life
    values.update({f"part.{pid}": True for pid in base.participants})
    for c in base.children:
        for name in (*CHILD_TEXTS, "threat_to_life"):
            values[f"child.{c.person_id}.{name}"] = getattr(c, name)
    values.update({f"circ.{c}": True for c in base.circumstances})
    values.update({f"svc.{s}": True for s in base.services_needed})
    return values


def apply_values(form: AssessmentForm) -> cases.AssessmentForm:
    """``form.base`` with the values on screen written into it (and returned)."""
    base, v = form.base, form.values
    for name in TEXTS:
        setattr(base, name, str(v.get(name, "")))
    base.started_on = str(v.get("started_on", base.started_on))
    for name in YES_NO:
        setattr(base, name, {"yes": True, "no": False}.get(str(v.get(name, ""))))
    for name in CHOICES:
        setattr(base, name, str(v.get(name, "")))
    base.threat_to_life = bool(v.get("threat_to_life"))
    ids = {m.id for m in form.members}
    base.participants = [k[5:] for k, on in v.items()
                         if k.startswith("part.") and on and k[5:] in ids]
    children = []
    for c in form.children:
        block = {n: str(v.get(f"child.{c.id}.{n}", "")) for n in CHILD_TEXTS}
        threat = bool(v.get(f"child.{c.id}.threat_to_life"))
        if threat or any(text.strip() for text in block.values()):
            children.append(cases.ChildForm(c.id, **block, threat_to_life=threat))
    # A child no longer listed in the family keeps their block as it was.
    children += [c for c in base.children if c.person_id not in {m.id for m in form.children}]
    base.children = children
    base.circumstances = [c.value for c in Circumstance if v.get(f"circ.{c.value}")]
    base.services_needed = [s for s in services_offered() if v.get(f"svc.{s}")]
    return base


def form_data(form: AssessmentForm) -> dict[str, Any]:
    """What the act's draft holds (``cases.assessment_form_data`` of what is on screen)."""
    return cases.assessment_form_data(apply_values(form))


def open_assessment(store: LocalStore, family_id: str, case_id: str, *, me: str,
                    today: date) -> tuple[AssessmentForm, str, Draft | None]:
    """The act's form (from its draft when one was left), its draft key and that draft;
    raises ``NotFound`` when the family or case is not here."""
    family, case = store.get(Family, family_id), store.get(Case, case_id)
    if family is None or case is None or str(case.family_id) != family_id:
        raise NotFound(case_id)
    key = draft_key(case_id)
    draft = load_draft(store, key)
    base = (cases.assessment_from_draft(draft.data) if draft is not None
            else cases.assessment_form(store, case_id, me=me, today=today))
    return AssessmentForm(base, flat_values(base), _members(store, family_id)), key, draft


def case_term(store: LocalStore, form: AssessmentForm, today: date,
              calendar: WorkCalendar | None = None) -> AssessmentTerm | None:
    """The act's term: due 5 working days after the case's request (counted by
    ``calendar``; None: the one the device holds)."""
    case = store.get(Case, form.case_id)
    if case is None:
        return None
    done = parse_date(form.base.completed_on) if form.base.completed_on else None
    return assessment_term(opened_on=case.opened_on, completed_on=done, today=today,
                           calendar=stored_calendar(store) if calendar is None else calendar)


def review_of(store: LocalStore, form: AssessmentForm) -> cases.ReviewInfo | None:
    """The supervisor's current decision on the stored act (``None``: not stored yet)."""
    aid = form.base.assessment_id
    if aid is None:
        return None
    found = store.all(Review, target_id=aid)
    clocks = store.last_changed([aid, *(str(r.id) for r in found)])
    return cases.review_info(found, clocks, aid)


def services_offered() -> list[str]:
    """Codes of the classifier's services, in the catalogue's order."""
    return catalogue_order(SERVICES)


def _errors_to_widgets(form: AssessmentForm, errors: dict[str, Problem]) -> dict[str, Problem]:
    """The model's problems at the widgets' names (``children.0.health`` -> a child's)."""
    out: dict[str, Problem] = {}
    for name, problem in errors.items():
        parts, at = name.split("."), name
        if parts[0] == "children" and len(parts) >= 3 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(form.base.children):
                at = f"child.{form.base.children[index].person_id}.{parts[2]}"
        out.setdefault(at, problem)
    return out


def save(store: LocalStore, form: AssessmentForm, *, submit: bool,
         today: date) -> Any:
    """Store the act (submitted for review when ``submit``, or when it already was); ``None``
    with ``form.errors`` when something is to fix."""
    complete, was = submit or form.submitted, form.base.completed_on
    saved = cases.save_assessment(store, apply_values(form), complete=complete, today=today)
    if saved is None:
        form.base.completed_on = was      # a refused submit leaves the act in progress
    form.errors = _errors_to_widgets(form, form.base.errors)
    form.message = Problem("assessment.fix") if form.errors else None
    return saved
