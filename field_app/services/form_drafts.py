"""Sealed drafts of the family, member and placement forms (the ``draft_store`` mechanism).

The forms of ``family_forms`` and ``placement_form`` are turned into JSON-ready dicts and
back, so the same ``DraftSaver`` that keeps a half-typed visit keeps a half-typed family,
child or placement in the encrypted store. Keys, in ``draft_store``'s scheme::

    family.new.<new family id>   a new family (one per device: the newest is offered)
    family.edit.<family_id>      editing a family
    member.new.<family_id>       a new member of a family
    member.edit.<person_id>      editing (or about to remove) a member
    placement.new.<family_id>    a new placement from a family's card
    placement.edit.<placement_id>

A new family has no record yet: its key carries the id the family will be saved under
(fixed when the form opens), and ``/families/new`` restores the newest such draft, so after
a kill or a dead battery the worker finds it by opening "Нова сім'я" again. An edit's draft
keeps the snapshot the form loaded (values and field clocks), so saving after a restore
still writes only what the worker changed and a colleague's change meanwhile is kept.

``open_*`` functions read the draft (or the record) and block: the views call them through
``App.blocking``.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from field_app.services import placement_form as pf
from field_app.services.draft_store import Draft, SecretStore, draft_keys, load_draft
from field_app.services.family_forms import FamilyForm, FormInvalid, MemberForm
from field_app.store import LocalStore, Snapshot
from field_app.store.views import validate_despite_clock
from shared_models.records import Family, Person, Record

F = TypeVar("F")
FAMILY_NEW = "family.new."
#: Form fields that are state of one render, not what was typed.
_TRANSIENT = {"errors", "message", "busy", "snapshot", "_today"}


@dataclass
class Opened(Generic[F]):
    """A form to show, the key its draft is sealed under, and the draft it came from."""

    form: F
    key: str
    restored: Draft | None = None


def family_key(family_id: str | None = None, *, new_id: uuid.UUID | str | None = None) -> str:
    """Draft key of editing ``family_id``, or of the new family that will get ``new_id``."""
    return f"family.edit.{family_id}" if family_id else f"{FAMILY_NEW}{new_id}"


def member_key(family_id: str, person_id: str | None = None) -> str:
    """Draft key of a new member of a family, or of editing member ``person_id``."""
    return f"member.edit.{person_id}" if person_id else f"member.new.{family_id}"


def placement_key(family_id: str, placement_id: str | None = None) -> str:
    """Draft key of a new placement from a family's card, or of editing ``placement_id``."""
    return f"placement.edit.{placement_id}" if placement_id else f"placement.new.{family_id}"


# ---- family and member forms <-> draft data ---------------------------------------------------
def _snapshot_data(snap: Snapshot[Any] | None) -> dict[str, Any] | None:
    if snap is None:
        return None
    return {"model": snap.model.model_dump(mode="json"), "clocks": dict(snap.clocks)}


def _snapshot_of(cls: type[Record], data: dict[str, Any] | None) -> Snapshot[Any] | None:
    if data is None:
        return None
    try:
        model = cls.model_validate(data["model"])
    except ValidationError as exc:   # stored values "in the future" for this phone's clock
        fixed = validate_despite_clock(cls, data["model"], exc)
        if fixed is None:
            raise
        model = fixed
    return Snapshot(model, dict(data["clocks"]))


def record_form_data(form: FamilyForm | MemberForm) -> dict[str, Any]:
    """What a family or member form's draft holds: the typed values, the new record's id,
    the snapshot an edit loaded, and whether the worker had already been shown problems."""
    data: dict[str, Any] = {}
    for f in fields(form):
        if f.name in _TRANSIENT:
            continue
        value = getattr(form, f.name)
        data[f.name] = (str(value) if isinstance(value, uuid.UUID)
                        else list(value) if isinstance(value, tuple) else value)
    data["snapshot"] = _snapshot_data(form.snapshot)
    data["checked"] = bool(form.errors)
    return data


def _record_form(kind: type[FamilyForm] | type[MemberForm], record: type[Record],
                 data: dict[str, Any]) -> Any:
    names = {f.name for f in fields(kind)} - _TRANSIENT
    values = {k: v for k, v in data.items() if k in names}
    if "new_id" in values:
        values["new_id"] = uuid.UUID(str(values["new_id"]))
    if "_communities" in values:
        values["_communities"] = tuple(values["_communities"])
    form = kind(snapshot=_snapshot_of(record, data.get("snapshot")), **values)
    if data.get("checked"):   # the problems shown before the lock are shown again
        with contextlib.suppress(FormInvalid):
            form.check()
    return form


def family_from_draft(data: dict[str, Any]) -> FamilyForm:
    """The family form a draft holds."""
    form: FamilyForm = _record_form(FamilyForm, Family, data)
    return form


def member_from_draft(data: dict[str, Any]) -> MemberForm:
    """The member form a draft holds."""
    form: MemberForm = _record_form(MemberForm, Person, data)
    return form


def placement_form_data(form: pf.PlacementForm) -> dict[str, Any]:
    """What a placement form's draft holds: every typed value (problems are not kept)."""
    return {f.name: getattr(form, f.name) for f in fields(form) if f.name != "errors"}


def placement_from_draft(data: dict[str, Any]) -> pf.PlacementForm:
    """The placement form a draft holds."""
    names = {f.name for f in fields(pf.PlacementForm)} - {"errors"}
    return pf.PlacementForm(**{k: v for k, v in data.items() if k in names})


# ---- opening a form: its draft, else the record ------------------------------------------------
def pending_new_family(store: SecretStore) -> Draft | None:
    """The newest draft of a new family on this device (``None`` when there is none)."""
    found = [d for k in draft_keys(store) if k.startswith(FAMILY_NEW)
             if (d := load_draft(store, k)) is not None]
    return max(found, key=lambda d: d.saved_at, default=None)


@dataclass(frozen=True, slots=True)
class PendingFamily:
    """A new family half-typed on this device: what the families list offers to continue."""

    name: str
    saved_at: datetime


def pending_family(store: SecretStore) -> PendingFamily | None:
    """The pending new family (its name as typed, maybe empty), or ``None``."""
    draft = pending_new_family(store)
    if draft is None:
        return None
    return PendingFamily(str(draft.data.get("family_name") or "").strip(), draft.saved_at)


def open_new_family(store: LocalStore, *, me: str,
                    communities: list[str] | tuple[str, ...]) -> Opened[FamilyForm]:
    """The new-family form: the pending draft of one if there is one, else an empty form."""
    draft = pending_new_family(store)
    if draft is not None:
        form = family_from_draft(draft.data)
        form.new_id = uuid.UUID(draft.key[len(FAMILY_NEW):])
        return Opened(form, draft.key, draft)
    form = FamilyForm.new(me=me, communities=communities)
    return Opened(form, family_key(new_id=form.new_id))


def open_family(store: LocalStore, family_id: str) -> Opened[FamilyForm] | None:
    """The form editing a stored family (from its draft when one was left); ``None`` if the
    family is not on this device."""
    if store.get(Family, family_id) is None:
        return None
    key = family_key(family_id)
    draft = load_draft(store, key)
    form = family_from_draft(draft.data) if draft is not None else FamilyForm.load(store,
                                                                                   family_id)
    return Opened(form, key, draft) if form is not None else None


def open_new_member(store: LocalStore, family_id: str) -> Opened[MemberForm] | None:
    """A new member of a family (from its draft when one was left); ``None`` if the family
    is not on this device."""
    family = store.get(Family, family_id)
    if family is None:
        return None
    key = member_key(family_id)
    draft = load_draft(store, key)
    form = member_from_draft(draft.data) if draft is not None else MemberForm.new(family)
    return Opened(form, key, draft)


def open_member(store: LocalStore, family_id: str, person_id: str) -> Opened[MemberForm] | None:
    """The form editing a stored member (from its draft when one was left)."""
    if store.get(Person, person_id) is None:
        return None
    key = member_key(family_id, person_id)
    draft = load_draft(store, key)
    form = member_from_draft(draft.data) if draft is not None else MemberForm.load(store,
                                                                                   person_id)
    return Opened(form, key, draft) if form is not None else None


def open_placement(store: LocalStore, family_id: str, placement_id: str | None, *,
                   today: date) -> Opened[pf.PlacementForm]:
    """A new or stored placement's form (from its draft when one was left); raises
    ``placement_form.NotFound`` when the family or placement is not here."""
    if placement_id is None:
        form = pf.new_form(store, family_id, today)       # checks the family is here
    else:
        form = pf.edit_form(store, family_id, placement_id)
    key = placement_key(family_id, placement_id)
    draft = load_draft(store, key)
    if draft is not None:
        form = placement_from_draft(draft.data)
    return Opened(form, key, draft)


__all__ = [
    "FAMILY_NEW",
    "Opened",
    "PendingFamily",
    "family_from_draft",
    "family_key",
    "member_from_draft",
    "member_key",
    "open_family",
    "open_member",
    "open_new_family",
    "open_new_member",
    "open_placement",
    "pending_family",
    "pending_new_family",
    "placement_form_data",
    "placement_from_draft",
    "placement_key",
    "record_form_data",
]
