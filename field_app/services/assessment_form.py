"""The needs-assessment act's form (акт оцінки потреб сім'ї/особи): values as typed, the
family's members it offers, its term, validation and saving (no Flet).

The act belongs to a case; one act per case (its id is fixed when the form first opens, so a
save after a crash stores the same act). Every value is kept flat in ``AssessmentForm.values``
under a name the form's widgets are keyed by (``record_form.FormBinder`` reads and writes
them as attributes), so a draft is one plain dict::

    adults_health, income, ...        a text of the act (str)
    harmful_habits, housing, ...      a choice: the enum's value, "yes" / "no", or "" (not given)
    threat_to_life                    a flag (bool)
    part.<person_id>                  the member took part (bool)
    child.<person_id>.<field>         a child's block: its texts, and ``threat_to_life`` (bool)
    circ.<circumstance>               a difficult life circumstance found (bool)
    svc.<service code>                a service needed (bool)

Saving keeps the act in progress (``completed_on`` empty, not yet the supervisor's);
submitting sets ``completed_on`` and so puts it in the supervisor's queue. Validation is the
shared model's (with its messages in both languages): a threat without details, or a
submitted act without its conclusion, is refused beside the field to fix.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from field_app.dates import BadDate, date_text, parse_date
from field_app.services.draft_store import Draft, load_draft
from field_app.services.problem import Problem
from field_app.store import LocalStore
from shared_models.cases import AssessmentTerm, assessment_term
from shared_models.enums import (
    AssessmentDecision,
    Circumstance,
    HousingCondition,
    PersonRole,
    ProblemDuration,
)
from shared_models.messages import field_errors
from shared_models.records import Assessment, Case, Family, Person
from shared_models.services import SERVICES, catalogue_order

#: Texts of the act, in the order of the official form.
ADULT_TEXTS = ("adults_health", "adults_emotional_state", "harmful_habits_details",
               "social_contacts", "employment", "self_care", "parenting")
FAMILY_TEXTS = ("housing_details", "income", "environment")
CONCLUSION_TEXTS = ("effect_on_child", "conclusion")
TEXTS = ("threat_details", *ADULT_TEXTS, *FAMILY_TEXTS, *CONCLUSION_TEXTS)
#: Yes / no / not given.
YES_NO = ("harmful_habits", "difficult_circumstances", "family_recognises",
          "family_cooperates")
#: One value of an enum, or not given.
CHOICES: dict[str, type[Any]] = {"housing": HousingCondition,
                                 "problem_duration": ProblemDuration,
                                 "decision": AssessmentDecision}
#: The texts of one child's block.
CHILD_TEXTS = ("health", "development", "education", "family_relations", "needs")


class NotFound(LookupError):
    """The family or case of the route is not on this device."""


def draft_key(case_id: str) -> str:
    """Draft key of a case's act (``draft_store`` prunes it when the case is gone)."""
    return f"assessment.case.{case_id}"


@dataclass
class Member:
    """One member of the family as the form names them."""

    id: str
    name: str
    child: bool


@dataclass
class AssessmentForm:
    """The act's values as the worker typed them (see the module docstring)."""

    community: str
    family_id: str
    case_id: str
    assessment_id: str
    assessor: str
    started_on: str
    completed_on: str = ""
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
        if name in ("started_on",):
            setattr(self, name, value)
        else:
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
    def children(self) -> list[Member]:
        """The family's children: one block of the act each."""
        return [m for m in self.members if m.child]

    @property
    def submitted(self) -> bool:
        """Whether the act was completed and sent for the supervisor's decision."""
        return bool(self.completed_on)

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


def _values_of(a: Assessment) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(a, name) for name in TEXTS}
    values.update({name: _yes_no(getattr(a, name)) for name in YES_NO})
    values.update({name: (getattr(a, name).value if getattr(a, name) else "")
                   for name in CHOICES})
    values["threat_to_life"] = a.threat_to_life
    values.update({f"part.{pid}": True for pid in a.participants})
    for c in a.children:
        for name in (*CHILD_TEXTS, "threat_to_life"):
            values[f"child.{c.person_id}.{name}"] = getattr(c, name)
    values.update({f"circ.{c.value}": True for c in a.circumstances})
    values.update({f"svc.{s}": True for s in a.services_needed})
    return values


def existing(store: LocalStore, case_id: str) -> Assessment | None:
    """The case's act on this device (the newest started, if two phones each began one)."""
    acts = store.all(Assessment, case_id=case_id)
    return max(acts, key=lambda a: (a.started_on, str(a.id))) if acts else None


def new_or_stored(store: LocalStore, family_id: str, case_id: str, *, me: str,
                  today: date) -> AssessmentForm:
    """The form of the case's act as stored, or a new act started today by ``me``."""
    family, case = store.get(Family, family_id), store.get(Case, case_id)
    if family is None or case is None or str(case.family_id) != family_id:
        raise NotFound(case_id)
    members = _members(store, family_id)
    act = existing(store, case_id)
    if act is None:
        return AssessmentForm(community=family.community.value, family_id=family_id,
                              case_id=case_id, assessment_id=str(uuid.uuid4()), assessor=me,
                              started_on=date_text(today), members=members,
                              values={f"part.{m.id}": False for m in members})
    return AssessmentForm(community=act.community.value, family_id=family_id, case_id=case_id,
                          assessment_id=str(act.id), assessor=act.assessor,
                          started_on=date_text(act.started_on),
                          completed_on=date_text(act.completed_on), members=members,
                          values=_values_of(act))


def form_data(form: AssessmentForm) -> dict[str, Any]:
    """What the act's draft holds: every typed value (the members are read again)."""
    return {"community": form.community, "family_id": form.family_id, "case_id": form.case_id,
            "assessment_id": form.assessment_id, "assessor": form.assessor,
            "started_on": form.started_on, "completed_on": form.completed_on,
            "values": dict(form.values), "checked": bool(form.errors)}


def open_assessment(store: LocalStore, family_id: str, case_id: str, *, me: str,
                    today: date) -> tuple[AssessmentForm, str, Draft | None]:
    """The act's form (from its draft when one was left), its draft key and that draft;
    raises ``NotFound`` when the family or case is not here."""
    form = new_or_stored(store, family_id, case_id, me=me, today=today)
    key = draft_key(case_id)
    draft = load_draft(store, key)
    if draft is not None:
        d = draft.data
        form.assessment_id = str(d.get("assessment_id") or form.assessment_id)
        form.started_on = str(d.get("started_on", form.started_on))
        form.completed_on = str(d.get("completed_on", form.completed_on))
        form.values = dict(d.get("values") or {})
        if d.get("checked"):    # problems shown before the lock are shown again
            validate(form, submit=form.submitted, today=today)
    return form, key, draft


def case_term(store: LocalStore, form: AssessmentForm, today: date) -> AssessmentTerm | None:
    """The act's term: due 5 working days after the case's request."""
    case = store.get(Case, form.case_id)
    if case is None:
        return None
    done = parse_date(form.completed_on) if form.completed_on else None
    return assessment_term(opened_on=case.opened_on, completed_on=done, today=today)


def services_offered() -> list[str]:
    """Codes of the classifier's services, in the catalogue's order."""
    return catalogue_order(SERVICES)


def _children(form: AssessmentForm) -> list[dict[str, Any]]:
    out = []
    for c in form.children:
        block = {name: str(form.values.get(f"child.{c.id}.{name}", "")) for name in CHILD_TEXTS}
        threat = bool(form.values.get(f"child.{c.id}.threat_to_life"))
        if threat or any(v.strip() for v in block.values()):
            out.append({"person_id": c.id, **block, "threat_to_life": threat})
    return out


def _model_values(form: AssessmentForm, errors: dict[str, Problem],
                  completed_on: date | None) -> dict[str, Any]:
    v = form.values
    values: dict[str, Any] = {name: str(v.get(name, "")) for name in TEXTS}
    values.update({name: {"yes": True, "no": False}.get(str(v.get(name, "")))
                   for name in YES_NO})
    values.update({name: (cls(v[name]) if v.get(name) else None)
                   for name, cls in CHOICES.items()})
    values["threat_to_life"] = bool(v.get("threat_to_life"))
    ids = {m.id for m in form.members}
    values["participants"] = [k[5:] for k, on in v.items()
                              if k.startswith("part.") and on and k[5:] in ids]
    values["children"] = _children(form)
    values["circumstances"] = [c for c in Circumstance if v.get(f"circ.{c.value}")]
    values["services_needed"] = [s for s in services_offered() if v.get(f"svc.{s}")]
    try:
        values["started_on"] = parse_date(form.started_on)
    except BadDate:
        errors["started_on"] = Problem("assessment.err.date")
    if values.get("started_on") is None and "started_on" not in errors:
        errors["started_on"] = Problem("err.required")
    values["completed_on"] = completed_on
    return values


def validate(form: AssessmentForm, *, submit: bool, today: date) -> Assessment | None:
    """The act the form describes (completed today when ``submit``), or ``None`` with
    ``form.errors`` filled."""
    errors: dict[str, Problem] = {}
    completed = (parse_date(form.completed_on) if form.completed_on else today) if submit \
        else None
    values = _model_values(form, errors, completed)
    model: Assessment | None = None
    if "started_on" not in errors:
        try:
            model = Assessment.model_validate({
                "id": form.assessment_id, "community": form.community,
                "case_id": form.case_id, "family_id": form.family_id,
                "assessor": form.assessor, **values})
        except ValidationError as exc:
            uk, en = field_errors(exc, "uk"), field_errors(exc, "en")
            for name, text in uk.items():
                errors.setdefault(name, Problem.literal(text, en.get(name, text)))
    form.errors = errors
    form.message = Problem("assessment.fix") if errors else None
    return model if not errors else None


def save(store: LocalStore, form: AssessmentForm, *, submit: bool,
         today: date) -> Assessment | None:
    """Validate and store the act (submitted for review when ``submit``); ``None`` with
    ``form.errors`` when something is to fix. An act already submitted stays submitted."""
    if store.get(Case, form.case_id) is None:
        raise NotFound(form.case_id)
    model = validate(form, submit=submit or form.submitted, today=today)
    if model is None:
        return None
    store.save(model)
    form.completed_on = date_text(model.completed_on)
    return model
