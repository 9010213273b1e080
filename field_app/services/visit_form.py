"""The home-visit form as plain state: what the worker typed, turned into a ``Visit``.

``VisitForm`` keeps every field as typed (dates as "22.11.2026", times as "14:05") so a draft
holds exactly what was on screen, half-typed dates included. ``build()`` parses and
validates with the shared ``Visit`` model; problems come back per form field, in Ukrainian
and English (``Problem``), in the order the fields appear, so the view can show each next
to its field and focus the first.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError

from field_app.dates import date_text, format_clock, format_date, parse_time, read_date
from field_app.services.problem import Problem
from shared_models.enums import RiskLevel, VisitPlace
from shared_models.messages import explain
from shared_models.records import Visit

#: Form fields in screen order (the first with a problem gets the focus).
FIELD_ORDER = ("date", "time", "place", "place_details", "present", "others_present",
               "services", "child_needs", "parenting_capacity", "family_environment",
               "risk_level", "next_steps", "next_visit_date")
#: Form fields that are free text, typed as they are.
TEXT_FIELDS = ("place_details", "others_present", "child_needs", "parenting_capacity",
               "family_environment", "next_steps")
#: Model field -> form field, where the names differ.
_MODEL_TO_FORM = {"visited_at": "date"}
#: Errors of the model as a whole -> the form field they are about.
_ROOT_ERRORS = {"next_visit_before_visit": "next_visit_date"}

@dataclass
class VisitForm:
    """Values of the visit form as typed; ``to_draft``/``from_draft`` round-trip them."""

    family_id: str
    community: str
    author: str
    visit_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    date_text: str = ""
    time_text: str = ""
    place: str = VisitPlace.HOME.value
    place_details: str = ""
    present: list[str] = field(default_factory=list)
    others_present: str = ""
    services: list[str] = field(default_factory=list)
    child_needs: str = ""
    parenting_capacity: str = ""
    family_environment: str = ""
    risk_level: str = ""
    next_steps: str = ""
    next_visit_text: str = ""
    #: A threat to a child's life or health was found (the case becomes urgent).
    threat_to_life: bool = False
    #: Plan tasks of the open case this visit ticked done (ids).
    plan_done: list[str] = field(default_factory=list)
    #: What the worker wrote about a plan task at this visit, by task id.
    plan_comments: dict[str, str] = field(default_factory=dict)
    #: Amending: the tasks the stored visit had checked (kept in ``plan_tasks``).
    plan_before: list[str] = field(default_factory=list)
    #: Amending: each field's value and clock as loaded (``{name: [value, clock]}``), so
    #: the save writes only what the worker changed, against what they saw.
    seen: dict[str, list[Any]] | None = None

    @property
    def amending(self) -> bool:
        """Whether this form edits a stored visit rather than recording a new one."""
        return self.seen is not None

    @classmethod
    def new(cls, *, family_id: str, community: str, author: str,
            now: datetime) -> VisitForm:
        """An empty form at ``now`` (local time), at home."""
        local = now.astimezone()
        return cls(family_id=family_id, community=community, author=author,
                   date_text=format_date(local.date()), time_text=format_clock(local))

    @classmethod
    def of_visit(cls, visit: Visit, seen: dict[str, list[Any]]) -> VisitForm:
        """A form showing a stored visit, to amend it."""
        local = visit.visited_at.astimezone()
        return cls(
            family_id=str(visit.family_id), community=visit.community.value,
            author=visit.author, visit_id=str(visit.id),
            date_text=format_date(local.date()), time_text=format_clock(local),
            place=visit.place.value, place_details=visit.place_details,
            present=[str(p) for p in visit.present], others_present=visit.others_present,
            services=list(visit.services), child_needs=visit.child_needs,
            parenting_capacity=visit.parenting_capacity,
            family_environment=visit.family_environment, risk_level=visit.risk_level.value,
            next_steps=visit.next_steps,
            next_visit_text=date_text(visit.next_visit_date),
            threat_to_life=visit.threat_to_life,
            plan_before=[str(t) for t in visit.plan_tasks], seen=seen)

    # ---- editing ---------------------------------------------------------------------------
    def toggle_present(self, person_id: str) -> None:
        """Tick or untick a family member as present."""
        if person_id in self.present:
            self.present.remove(person_id)
        else:
            self.present.append(person_id)

    def toggle_service(self, key: str) -> None:
        """Add a service of the catalogue, or remove it when it is there."""
        if key in self.services:
            self.services.remove(key)
        else:
            self.services.append(key)

    def toggle_task(self, task_id: str) -> None:
        """Tick a plan task done at this visit, or untick it."""
        if task_id in self.plan_done:
            self.plan_done.remove(task_id)
        else:
            self.plan_done.append(task_id)

    @property
    def plan_tasks(self) -> list[str]:
        """The plan tasks this visit checked: ticked done or commented on."""
        touched = list(self.plan_before)
        touched += [k for k in self.plan_done if k not in touched]
        touched += [k for k, v in self.plan_comments.items() if v.strip() and k not in touched]
        return touched

    # ---- drafts ----------------------------------------------------------------------------
    def to_draft(self) -> dict[str, Any]:
        """JSON-ready copy of every value (what the draft stores)."""
        return asdict(self)

    @classmethod
    def from_draft(cls, data: dict[str, Any]) -> VisitForm:
        """The form a draft holds (unknown keys from another version are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    # ---- checking --------------------------------------------------------------------------
    def build(self, *, known_people: set[str] | None = None
              ) -> tuple[Visit | None, dict[str, Problem]]:
        """The ``Visit`` this form describes, or ``None`` and the problems by form field.

        ``known_people`` are the family's member ids: a ticked member who has since left
        the family (a sync removed them) is dropped rather than refused.
        """
        problems: dict[str, Problem] = {}
        day = read_date(self.date_text)
        if day is None:
            problems["date"] = _required_or("visit.err.date", self.date_text)
        clock = parse_time(self.time_text)
        if clock is None:
            problems["time"] = _required_or("visit.err.time", self.time_text)
        next_day: date | None = None
        if self.next_visit_text.strip():
            next_day = read_date(self.next_visit_text)
            if next_day is None:
                problems["next_visit_date"] = Problem("visit.err.date")
        present = [p for p in self.present if known_people is None or p in known_people]
        values: dict[str, Any] = {
            "id": self.visit_id, "community": self.community, "family_id": self.family_id,
            "place": self.place, "place_details": self.place_details, "present": present,
            "others_present": self.others_present, "services": self.services,
            "child_needs": self.child_needs, "parenting_capacity": self.parenting_capacity,
            "family_environment": self.family_environment, "next_steps": self.next_steps,
            "next_visit_date": next_day, "author": self.author,
            "threat_to_life": self.threat_to_life,
            "plan_tasks": self.plan_tasks,
        }
        if self.risk_level:
            values["risk_level"] = self.risk_level
        if day is not None and clock is not None:
            values["visited_at"] = self._kept_moment(day, clock)
        try:
            visit = Visit.model_validate(values)
        except ValidationError as exc:
            for err in exc.errors():
                name = _form_field(err)
                if name == "date" and ("date" in problems or "time" in problems):
                    continue  # "missing" because the typed date or time did not parse
                if name == "date" and err.get("type") == "time_in_future" and \
                        day is not None and day <= date.today():
                    name = "time"  # today, but a later hour: the time is what is wrong
                if name == "risk_level" and err.get("type") == "missing":
                    problems.setdefault(name, Problem("visit.err.risk"))
                    continue
                problems.setdefault(name, Problem.literal(explain(err, "uk"),
                                                          explain(err, "en")))
            return None, _ordered(problems)
        if problems:
            return None, _ordered(problems)
        return visit, {}


    def _kept_moment(self, day: date, clock: time) -> datetime:
        """The moment typed, in local time; when amending and the date and time shown were
        not changed, the stored moment itself (seconds and zone kept: nothing to write)."""
        loaded = (self.seen or {}).get("visited_at")
        if loaded is not None:
            with contextlib.suppress(TypeError, ValueError):
                old = datetime.fromisoformat(str(loaded[0]))
                local = old.astimezone()
                if local.date() == day and (local.hour, local.minute) == (clock.hour,
                                                                          clock.minute):
                    return old
        return datetime.combine(day, clock).astimezone()


def _required_or(key: str, typed: str) -> Problem:
    return Problem("err.required") if not typed.strip() else Problem(key)


def _form_field(err: Any) -> str:
    loc = err.get("loc") or ()
    if not loc:
        return _ROOT_ERRORS.get(str(err.get("type")), "date")
    name = str(loc[0])
    return _MODEL_TO_FORM.get(name, name)


def _ordered(problems: dict[str, Problem]) -> dict[str, Problem]:
    rank = {name: i for i, name in enumerate(FIELD_ORDER)}
    return dict(sorted(problems.items(), key=lambda kv: rank.get(kv[0], len(rank))))


RISK_LEVELS = tuple(RiskLevel)
PLACES = tuple(VisitPlace)
