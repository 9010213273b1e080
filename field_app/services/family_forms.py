"""The family and member forms as plain objects (no Flet): values, checks, saving.

A form holds what the worker typed as text and flags, so a language switch, a resize or a
lock and unlock rebuild the widgets from it without losing a character. ``check()`` builds
the record with the shared model and turns its validation errors into ``Problem``s worded
by ``shared_models.messages`` in both languages, keyed by field. ``save(store)`` writes it:

* a new record is saved whole;
* an edit saves against the ``Snapshot`` the form loaded (``LocalStore.save(since=...)``),
  so only the fields the worker changed are written, each superseding what was on screen,
  and a colleague's concurrent change of the same field becomes a conflict.

Dates are typed as Ukrainians write them (22.11.2026; the rules of ``field_app.dates``) or
picked in a calendar.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, ClassVar

from pydantic import ValidationError

from field_app.dates import BadDate, date_text, parse_date
from field_app.services.problem import Problem
from field_app.store import LocalStore, Snapshot
from shared_models.enums import PersonRole
from shared_models.messages import explain
from shared_models.records import Family, Person, Record


def _problem(error: dict[str, Any]) -> Problem:
    return Problem.literal(explain(error, "uk"), explain(error, "en"))


def model_problems(exc: ValidationError, root_fields: tuple[str, ...] = ()) -> dict[str, Problem]:
    """The model's errors by field, worded in both languages; a whole-record error goes to
    ``root_fields``."""
    out: dict[str, Problem] = {}
    for err in exc.errors():
        loc = err.get("loc", ())
        names = (str(loc[0]),) if loc else root_fields
        for name in names:
            out.setdefault(name, _problem(dict(err)))
    return out


class FormInvalid(Exception):
    """The form cannot be saved; ``errors`` maps field names to problems."""

    def __init__(self, errors: dict[str, Problem]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class RecordGone(Exception):
    """The record being edited is no longer on the device (deleted, or purged)."""


@dataclass
class _Form:
    """What both forms share: errors, the form-wide message, the busy flag, the snapshot."""

    #: Fields whose text is a date (dd.mm.yyyy).
    DATES: ClassVar[tuple[str, ...]] = ()
    #: Text fields that are ``None`` when left empty.
    OPTIONAL: ClassVar[tuple[str, ...]] = ()
    #: Fields a whole-record error (``model_validator``) is shown next to.
    ROOT: ClassVar[tuple[str, ...]] = ()
    #: Order the fields are shown in (the first wrong one gets the focus).
    ORDER: ClassVar[tuple[str, ...]] = ()

    errors: dict[str, Problem] = field(default_factory=dict)
    message: Problem | None = None
    busy: bool = False
    snapshot: Snapshot[Any] | None = None
    #: The id a new record gets, fixed when the form opens: saving twice saves one record.
    new_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def editing(self) -> bool:
        """Whether the form edits a stored record (rather than making a new one)."""
        return self.snapshot is not None

    def set(self, name: str, value: Any) -> None:
        """Take a typed value; the field's error goes away as the worker corrects it."""
        setattr(self, name, value)
        self.errors.pop(name, None)
        if name in self.ROOT:
            for other in self.ROOT:
                self.errors.pop(other, None)
        self.message = None

    def first_error(self) -> str | None:
        """The first field (in screen order) that has a problem."""
        return next((n for n in self.ORDER if n in self.errors), None)

    def _values(self) -> tuple[dict[str, Any], dict[str, Problem]]:
        """Model values from the typed text, and the dates that could not be read (``None``
        in the values, so the other fields are still checked in the same round)."""
        skip = {f.name for f in fields(_Form)}
        values: dict[str, Any] = {}
        bad: dict[str, Problem] = {}
        for f in fields(self):
            if f.name in skip or f.name.startswith("_"):
                continue
            value = getattr(self, f.name)
            if f.name in self.DATES:
                try:
                    value = parse_date(value)
                except BadDate:
                    bad[f.name] = _problem({"type": "date_parsing"})
                    value = None
            elif isinstance(value, str):
                value = value.strip()
                if f.name in self.OPTIONAL and not value:
                    value = None
            values[f.name] = value
        return values, bad

    def _cross_checks(self, values: dict[str, Any]) -> dict[str, Problem]:
        """Whole-record rules checked with the fields (pydantic runs them only after)."""
        return {}

    def _build(self, cls: type[Record], extra: dict[str, Any]) -> Any:
        values, bad = self._values()
        bad = self._cross_checks(values) | bad
        try:
            model = cls.model_validate({**values, **extra})
        except ValidationError as exc:
            problems = model_problems(exc, self.ROOT)
            if set(bad) & set(self.ROOT):  # "give both" would be about the unreadable date
                problems = {k: v for k, v in problems.items() if k not in self.ROOT}
            raise FormInvalid(problems | bad) from None
        if bad:
            raise FormInvalid(bad)
        return model

    def check(self) -> Record:
        """The record the form would save (raises ``FormInvalid``); sets ``errors``."""
        try:
            model = self._model()
        except FormInvalid as exc:
            self.errors = exc.errors
            raise
        self.errors = {}
        return model

    def _model(self) -> Record:
        raise NotImplementedError

    def save(self, store: LocalStore) -> uuid.UUID | None:
        """Check and store the record; the id saved, ``None`` when nothing changed.

        Raises ``FormInvalid`` (with ``errors`` set) or ``RecordGone``.
        """
        model = self.check()
        if self.snapshot is None:
            store.save(model)
            return model.id
        cls = type(self.snapshot.model)
        if store.get(cls, model.id) is None:
            raise RecordGone(str(model.id))
        return model.id if store.save(model, since=self.snapshot) is not None else None


@dataclass
class FamilyForm(_Form):
    """Every field of a ``Family``, as typed."""

    DATES: ClassVar[tuple[str, ...]] = ("consent_date", "next_visit_date")
    OPTIONAL: ClassVar[tuple[str, ...]] = ("phone", "assigned_worker", "consent_by")
    ROOT: ClassVar[tuple[str, ...]] = ("consent_date", "consent_by")
    ORDER: ClassVar[tuple[str, ...]] = (
        "community", "family_name", "settlement", "address", "registered_address", "phone",
        "assigned_worker",
        "consent_date", "consent_by", "next_visit_date")

    community: str = ""
    family_name: str = ""
    settlement: str = ""
    address: str = ""
    registered_address: str = ""
    phone: str = ""
    difficult_circumstances: bool = False
    displaced: bool = False
    foster_family: bool = False
    assigned_worker: str = ""
    consent_date: str = ""
    consent_by: str = ""
    next_visit_date: str = ""
    closed: bool = False
    #: The communities the account may choose from (one: chosen and not shown).
    _communities: tuple[str, ...] = ()
    #: The day "in the past" is measured from (``None``: the device's today; set by tests).
    _today: date | None = None

    @classmethod
    def new(cls, *, me: str, communities: list[str] | tuple[str, ...]) -> FamilyForm:
        """An empty family of my community (the first, when I have several), assigned to me."""
        choices = tuple(communities)
        return cls(community=choices[0] if len(choices) == 1 else "", assigned_worker=me,
                   _communities=choices)

    @classmethod
    def load(cls, store: LocalStore, family_id: str | uuid.UUID) -> FamilyForm | None:
        """The form of a stored family, remembering what was loaded; ``None`` if gone."""
        snap = store.snapshot(Family, family_id)
        if snap is None:
            return None
        f = snap.model
        return cls(
            snapshot=snap, community=f.community.value, family_name=f.family_name,
            settlement=f.settlement, address=f.address,
            registered_address=f.registered_address, phone=f.phone or "",
            difficult_circumstances=f.difficult_circumstances, displaced=f.displaced,
            foster_family=f.foster_family, assigned_worker=f.assigned_worker or "",
            consent_date=date_text(f.consent_date), consent_by=f.consent_by or "",
            next_visit_date=date_text(f.next_visit_date), closed=f.closed,
            _communities=(f.community.value,),
        )

    @property
    def communities(self) -> tuple[str, ...]:
        """Communities to choose from."""
        return self._communities

    @property
    def choose_community(self) -> bool:
        """Whether the form shows the community choice (new family, several communities)."""
        return not self.editing and len(self._communities) > 1

    @property
    def today(self) -> date:
        """The day a planned visit may not be before."""
        return self._today or date.today()

    def next_visit_refused(self, planned: date | None) -> bool:
        """Whether ``planned`` may not be saved as the next visit: a day in the past that the
        worker set or changed. A stored family's old date, left as it was, is kept (it is
        simply overdue), so it never blocks saving other edits."""
        if planned is None or planned >= self.today:
            return False
        stored = self.snapshot.model.next_visit_date if self.snapshot is not None else None
        return planned != stored

    @property
    def next_visit_earliest(self) -> date:
        """The first day the calendar offers for the next visit: today, or the stored date
        when it is earlier (so it can be shown and kept)."""
        stored = self.snapshot.model.next_visit_date if self.snapshot is not None else None
        return min(stored, self.today) if stored is not None else self.today

    def _cross_checks(self, values: dict[str, Any]) -> dict[str, Problem]:
        out: dict[str, Problem] = {}
        # A form rule, not the model's: stored families rightly keep past (overdue) dates.
        if self.next_visit_refused(values.get("next_visit_date")):
            out["next_visit_date"] = Problem("family.err.next_visit_past")
        if not self.editing and values.get("community") not in self._communities:
            out["community"] = _problem({"type": "missing" if not self.community
                                         else "unknown_community"})
        if (values.get("consent_date") is None) != (values.get("consent_by") is None):
            empty = "consent_by" if values.get("consent_by") is None else "consent_date"
            if not getattr(self, empty).strip():   # not an unreadable date: a missing half
                out[empty] = _problem({"type": "consent_incomplete"})
        return out

    def _model(self) -> Family:
        extra: dict[str, Any] = {"id": self.new_id}
        if self.snapshot is not None:
            extra = {"id": self.snapshot.model.id, "community": self.snapshot.model.community}
        model: Family = self._build(Family, extra)
        return model


@dataclass
class MemberForm(_Form):
    """Every field of a ``Person``, as typed; ``sex`` is "" when not given."""

    DATES: ClassVar[tuple[str, ...]] = ("birth_date",)
    OPTIONAL: ClassVar[tuple[str, ...]] = ("patronymic", "sex")
    ORDER: ClassVar[tuple[str, ...]] = (
        "last_name", "first_name", "patronymic", "birth_date", "sex", "role", "citizenship",
        "study_or_work", "idp_certificate")

    family_id: str = ""
    community: str = ""
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""
    birth_date: str = ""
    sex: str = ""
    role: str = PersonRole.CHILD.value
    disability: bool = False
    special_educational_needs: bool = False
    citizenship: str = ""
    study_or_work: str = ""
    idp: bool = False
    idp_certificate: str = ""

    @classmethod
    def new(cls, family: Family) -> MemberForm:
        """An empty member of ``family`` (a child unless changed)."""
        return cls(family_id=str(family.id), community=family.community.value)

    @classmethod
    def load(cls, store: LocalStore, person_id: str | uuid.UUID) -> MemberForm | None:
        """The form of a stored member, remembering what was loaded; ``None`` if gone."""
        snap = store.snapshot(Person, person_id)
        if snap is None:
            return None
        p = snap.model
        return cls(
            snapshot=snap, family_id=str(p.family_id), community=p.community.value,
            last_name=p.last_name, first_name=p.first_name, patronymic=p.patronymic or "",
            birth_date=date_text(p.birth_date), sex=p.sex.value if p.sex else "",
            role=p.role.value, disability=p.disability,
            special_educational_needs=p.special_educational_needs,
            citizenship=p.citizenship, study_or_work=p.study_or_work, idp=p.idp,
            idp_certificate=p.idp_certificate,
        )

    @property
    def name(self) -> str:
        """"Прізвище Ім'я" as typed (for the removal question)."""
        return " ".join(x for x in (self.last_name.strip(), self.first_name.strip()) if x)

    def _model(self) -> Person:
        extra: dict[str, Any] = {"id": self.new_id}
        if self.snapshot is not None:
            extra = {"id": self.snapshot.model.id}
        model: Person = self._build(Person, extra)
        return model


def load_family(store: LocalStore, family_id: str | uuid.UUID) -> Family | None:
    """The family (for a new member's form), ``None`` if it is not here."""
    return store.get(Family, family_id)


def remove_member(store: LocalStore, person_id: str | uuid.UUID) -> bool:
    """Tombstone a member (synced like any edit); ``False`` when already gone."""
    return store.delete(Person, person_id) is not None


__all__ = ["FamilyForm", "FormInvalid", "MemberForm", "RecordGone", "load_family",
           "remove_member"]
