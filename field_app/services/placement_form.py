"""The placement form: its values as typed, the choices it offers, validation, saving (no Flet).

Dates are typed as Ukrainians write them (22.11.2026). Validation is the shared model's
(the legal limits, with its plain messages in both languages) plus what only the device can
check: the child is a person of the community, the foster family is marked as one. A new
placement opened from a foster family's card has that foster family; opened from another
family's card, that family is the child's own family and the child is one of its children.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from field_app.dates import date_text, parse_date
from field_app.i18n import format_date, format_name
from field_app.services.cases import closed_family_ids
from field_app.services.problem import Problem
from field_app.store import LocalStore
from shared_models.enums import PersonRole, PlacementOutcome
from shared_models.foster_care import stay_limit
from shared_models.messages import MESSAGES, field_errors
from shared_models.records import Family, Person, Placement

DATE_FIELDS = ("start_date", "planned_end", "extension_decision_date", "extended_end",
               "ended_on")
TEXT_FIELDS = ("order_reference", "outcome_details")


class NotFound(LookupError):
    """The family or placement of the route is not on this device."""


def _shared(code: str, **ctx: Any) -> Problem:
    uk, en = MESSAGES[code]
    return Problem.literal(uk.format(**ctx), en.format(**ctx))


@dataclass
class Choice:
    """One option of a dropdown: the value stored and the words shown."""

    value: str
    label: str


@dataclass
class PlacementChoices:
    """What the form's dropdowns offer."""

    children: list[Choice]
    foster_families: list[Choice]
    birth_families: list[Choice]


@dataclass
class PlacementForm:
    """The values of the form as the worker typed them, and the problems to show."""

    community: str
    family_id: str                      # the family whose card the form was opened from
    placement_id: str | None = None     # None: a new placement
    child_id: str = ""
    foster_family_id: str = ""
    birth_family_id: str = ""           # "": not known / not recorded
    start_date: str = ""
    planned_end: str = ""
    order_reference: str = ""
    extension_decision_date: str = ""
    extended_end: str = ""
    ended_on: str = ""
    outcome: str = ""
    outcome_details: str = ""
    errors: dict[str, Problem] = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        """Whether saving creates a placement."""
        return self.placement_id is None

    def limit_hint(self) -> str | None:
        """The latest planned end the law allows for the typed start (or ``None``)."""
        try:
            start = parse_date(self.start_date)
        except ValueError:
            return None
        return format_date(stay_limit(start)) if start else None


def new_form(store: LocalStore, family_id: str, today: date) -> PlacementForm:
    """A new placement from a family's card, starting today, planned for the full 3 months."""
    family = store.get(Family, family_id)
    if family is None:
        raise NotFound(family_id)
    form = PlacementForm(community=family.community.value, family_id=family_id,
                         start_date=format_date(today),
                         planned_end=format_date(stay_limit(today)))
    if family.foster_family:
        form.foster_family_id = family_id
    else:
        form.birth_family_id = family_id
    return form


def edit_form(store: LocalStore, family_id: str, placement_id: str) -> PlacementForm:
    """The form of a stored placement."""
    p = store.get(Placement, placement_id)
    if p is None:
        raise NotFound(placement_id)

    return PlacementForm(
        community=p.community.value, family_id=family_id, placement_id=str(p.id),
        child_id=str(p.child_id), foster_family_id=str(p.foster_family_id),
        birth_family_id=str(p.birth_family_id or ""), start_date=date_text(p.start_date),
        planned_end=date_text(p.planned_end), order_reference=p.order_reference,
        extension_decision_date=date_text(p.extension_decision_date),
        extended_end=date_text(p.extended_end),
        ended_on=date_text(p.ended_on), outcome=p.outcome.value if p.outcome else "",
        outcome_details=p.outcome_details)


def choices(store: LocalStore, form: PlacementForm) -> PlacementChoices:
    """Children, foster families and own families of the form's community, by name.

    The children offered are those of the chosen own family when there is one, else every
    child of the community (a foster family may take a child whose family is elsewhere).
    """
    closed = closed_family_ids(store)
    families = [f for f in store.all(Family, community=form.community)
                if str(f.id) not in closed
                or str(f.id) in (form.foster_family_id, form.birth_family_id)]
    names = {str(f.id): f for f in families}

    def family_label(f: Family) -> str:
        return f"{f.family_name} ({f.settlement})"

    kids = [c for c in store.all(Person, community=form.community, role=PersonRole.CHILD)
            if not form.birth_family_id or str(c.family_id) == form.birth_family_id
            or str(c.id) == form.child_id]
    kids.sort(key=lambda c: (c.last_name.casefold(), c.first_name.casefold()))
    def child_label(c: Person) -> str:
        # The family is named only when its name is not the child's surname (short on phones).
        family = names.get(str(c.family_id))
        name = format_name(c.last_name, c.first_name)
        return name if family is None or family.family_name == c.last_name else (
            f"{name} ({family.family_name})")

    children = [Choice(str(c.id), child_label(c)) for c in kids]
    by_name = sorted(families, key=lambda f: (f.family_name.casefold(), f.settlement))
    return PlacementChoices(
        children=children,
        foster_families=[Choice(str(f.id), family_label(f)) for f in by_name if f.foster_family],
        birth_families=[Choice(str(f.id), family_label(f)) for f in by_name
                        if not f.foster_family])


def _references(store: LocalStore, form: PlacementForm) -> dict[str, Problem]:
    """What only the device can check: the records the placement names."""
    errors: dict[str, Problem] = {}
    if not form.child_id:
        errors["child_id"] = Problem("err.required")
    else:
        child = store.get(Person, form.child_id)
        if child is None or child.community.value != form.community:
            errors["child_id"] = _shared("placement_reference_missing")
    if not form.foster_family_id:
        errors["foster_family_id"] = Problem("err.required")
    else:
        foster = store.get(Family, form.foster_family_id)
        if foster is None or foster.community.value != form.community:
            errors["foster_family_id"] = _shared("placement_reference_missing")
        elif not foster.foster_family:
            errors["foster_family_id"] = _shared("placement_not_foster_family")
    if form.birth_family_id and store.get(Family, form.birth_family_id) is None:
        errors["birth_family_id"] = _shared("placement_reference_missing")
    return errors


def _values(form: PlacementForm, errors: dict[str, Problem]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in DATE_FIELDS:
        try:
            values[name] = parse_date(getattr(form, name))
        except ValueError:
            errors[name] = _shared("date_parsing")
    for name in TEXT_FIELDS:
        values[name] = getattr(form, name)
    values["outcome"] = PlacementOutcome(form.outcome) if form.outcome else None
    for name in ("child_id", "foster_family_id", "birth_family_id"):
        values[name] = getattr(form, name) or None
    return values


def validate(store: LocalStore, form: PlacementForm) -> Placement | None:
    """The placement the form describes, or ``None`` with ``form.errors`` filled."""
    errors = _references(store, form)
    values = _values(form, errors)
    model: Placement | None = None
    try:
        model = Placement.model_validate({
            "id": form.placement_id or uuid.uuid4(), "community": form.community,
            **{k: v for k, v in values.items() if k not in errors}})
    except ValidationError as exc:
        uk, en = field_errors(exc, "uk"), field_errors(exc, "en")
        for name, text in uk.items():
            errors.setdefault(name, Problem.literal(text, en.get(name, text)))
    form.errors = errors
    return model if not errors else None


def save(store: LocalStore, form: PlacementForm) -> Placement | None:
    """Validate and store; ``None`` (with ``form.errors``) when invalid.

    Every field of a placement is on the form, so an edit is the validated model itself: the
    store writes only the fields that differ from what is stored.
    """
    model = validate(store, form)
    if model is None:
        return None
    if not form.is_new and store.get(Placement, model.id) is None:
        raise NotFound(str(model.id))
    store.save(model)
    form.placement_id = str(model.id)
    return model
