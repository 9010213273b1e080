"""Sealed drafts of the case cycle's short forms: the request, a plan task, the plan's
agreement and term, the extension and the closure (``services.cases`` form objects).

Like ``form_drafts`` for the family forms: each form is turned into a JSON-ready dict (every
typed value, and the snapshot an edit loaded, so a restored edit still writes only what the
worker changed) and back. Keys, in ``draft_store``'s scheme (registered there so drafts of
records no longer on the device are dropped after a sync)::

    case.new.<family_id>       a request opening a case on a family
    case.plan.<case_id>        the plan's agreement with the family and the support's term
    case.extend.<case_id>      the extension of the support
    case.close.<case_id>       the closure
    task.new.<case_id>         a new task of the case's plan
    task.edit.<task_id>        editing a task

``open_*`` read the draft (or the record) and block: views call them through
``ViewContext.blocking``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Generic, TypeVar

from field_app.services import cases
from field_app.services.draft_store import Draft, load_draft
from field_app.store import LocalStore, Snapshot
from shared_models.records import Case, PlanTask, Record

F = TypeVar("F")
#: Form fields that are state of one render, not what was typed.
_TRANSIENT = {"errors", "snapshot"}
#: The record kind each form's snapshot holds.
_SNAPSHOT_KIND: dict[type[Any], type[Record]] = {
    cases.TaskForm: PlanTask, cases.PlanForm: Case, cases.ExtensionForm: Case,
    cases.ClosureForm: Case}


@dataclass
class OpenedCaseForm(Generic[F]):
    """A form to show, the key its draft is sealed under, and the draft it came from."""

    form: F
    key: str
    restored: Draft | None = None


def form_data(form: Any) -> dict[str, Any]:
    """What a case form's draft holds: every typed value and the snapshot an edit loaded."""
    data = {f.name: getattr(form, f.name) for f in fields(form) if f.name not in _TRANSIENT}
    snap: Snapshot[Any] | None = getattr(form, "snapshot", None)
    data["snapshot"] = (None if snap is None else
                        {"model": snap.model.model_dump(mode="json"),
                         "clocks": dict(snap.clocks)})
    return data


def form_from(kind: type[F], data: dict[str, Any]) -> F:
    """The form of ``kind`` a draft holds (unknown keys from another version are ignored)."""
    names = {f.name for f in fields(kind)} - _TRANSIENT   # type: ignore[arg-type]
    form = kind(**{k: v for k, v in data.items() if k in names})
    snap = data.get("snapshot")
    record = _SNAPSHOT_KIND.get(kind)
    if snap and record is not None:
        form.snapshot = Snapshot(record.model_validate(snap["model"]),   # type: ignore[attr-defined]
                                 dict(snap["clocks"]))
    return form


def _opened(store: LocalStore, key: str, kind: type[F], fresh: Any) -> OpenedCaseForm[F]:
    draft = load_draft(store, key)
    if draft is not None:
        return OpenedCaseForm(form_from(kind, draft.data), key, draft)
    return OpenedCaseForm(fresh(), key)


def open_intake(store: LocalStore, family_id: str, *, today: date, me: str,
                reopens: str | None = None) -> OpenedCaseForm[cases.IntakeForm]:
    """A request on a family (``reopens``: the closed case it reopens), or its draft."""
    def fresh() -> cases.IntakeForm:
        if reopens:
            return cases.new_reopen(store, reopens, today=today, me=me)
        return cases.new_intake(store, family_id, today=today, me=me)

    return _opened(store, f"case.new.{family_id}", cases.IntakeForm, fresh)


def open_plan(store: LocalStore, case_id: str, *, today: date
              ) -> OpenedCaseForm[cases.PlanForm]:
    """The plan's agreement and term, or its draft."""
    return _opened(store, f"case.plan.{case_id}", cases.PlanForm,
                   lambda: cases.plan_form(store, case_id, today=today))


def open_extension(store: LocalStore, case_id: str, *, today: date
                   ) -> OpenedCaseForm[cases.ExtensionForm]:
    """The extension's form, or its draft."""
    return _opened(store, f"case.extend.{case_id}", cases.ExtensionForm,
                   lambda: cases.extension_form(store, case_id, today=today))


def open_closure(store: LocalStore, case_id: str, *, today: date
                 ) -> OpenedCaseForm[cases.ClosureForm]:
    """The closure's form, or its draft."""
    return _opened(store, f"case.close.{case_id}", cases.ClosureForm,
                   lambda: cases.closure_form(store, case_id, today=today))


def open_task(store: LocalStore, case_id: str, task_id: str | None
              ) -> OpenedCaseForm[cases.TaskForm]:
    """A new task of the case's plan, or a stored one; or its draft."""
    if task_id is None:
        return _opened(store, f"task.new.{case_id}", cases.TaskForm,
                       lambda: cases.new_task_form(store, case_id))
    return _opened(store, f"task.edit.{task_id}", cases.TaskForm,
                   lambda: cases.task_form(store, task_id))


__all__ = ["OpenedCaseForm", "form_data", "form_from", "open_closure", "open_extension",
           "open_intake", "open_plan", "open_task"]
