"""An open family, member or placement form of a session, with its draft sealed in the store.

``SealedForm`` pairs the form object (``FamilyForm``, ``MemberForm``, ``PlacementForm``) with
the ``DraftSaver`` that seals its values a moment after each change (``form_drafts``).
It is a ``FormSession`` (``form_session``: kept in ``app.forms`` by route path, its draft
written when the worker leaves and before the store locks, restored on reopening). The family
and member forms save through ``save_record``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import flet as ft

from field_app.services import form_drafts
from field_app.services.family_forms import FamilyForm, FormInvalid, MemberForm, RecordGone
from field_app.services.form_drafts import Opened
from field_app.services.problem import Problem
from field_app.ui.screen import Screen
from field_app.ui.views.common import empty_state
from field_app.ui.views.form_session import FormSession
from field_app.ui.views.places import families_detail
from field_app.ui.views.record_bits import loading

if TYPE_CHECKING:
    from field_app.ui.context import ViewContext
    from field_app.ui.routes import Route
    from field_app.ui.views.record_form import FormBinder

log = logging.getLogger(__name__)
F = TypeVar("F")
#: The forms of records with a family's fields (drafted by ``form_drafts.record_form_data``).
R = TypeVar("R", FamilyForm, MemberForm)


class SealedForm(FormSession, Generic[F]):
    """One open form object (``opened.form``) as a ``FormSession``, loaded already."""

    def __init__(self, app: ViewContext, path: str, opened: Opened[F],
                 data: Callable[[F], dict[str, Any]]) -> None:
        super().__init__(app, path)
        self.form = opened.form
        self.seal(opened.key, lambda: data(self.form), opened.restored)


def find(app: ViewContext, route: Route, kind: type[F]) -> SealedForm[F] | None:
    """The form of ``kind`` open at ``route``, if any."""
    sealed = app.forms.get(route.path, SealedForm)
    return sealed if sealed is not None and isinstance(sealed.form, kind) else None


def sealed_screen(app: ViewContext, route: Route, kind: type[R], title: str, *,
                  load: Callable[[], Opened[R] | None],
                  draw: Callable[[SealedForm[R]], Screen]) -> Screen:
    """The family or member form at ``route``: ``draw`` it when it is open, or read its
    draft or record first (off the event loop), keep it in ``app.forms`` and draw it then;
    ``load`` returns ``None`` when the record is not on this device."""
    if (sealed := find(app, route, kind)) is not None:
        return draw(sealed)
    holder = ft.Column([loading()], tight=True)

    async def run() -> None:
        try:
            opened = await app.blocking(load)
        except Exception:
            log.exception("loading a form failed")
            opened = None
        if app.route.path != route.path:
            return  # the worker has moved on
        if opened is None:
            holder.controls = [empty_state(ft.Icons.SEARCH_OFF, app.t("family.form.missing"))]
            with contextlib.suppress(RuntimeError):
                holder.update()
            return
        app.forms.put(route.path, SealedForm(app, route.path, opened,
                                             form_drafts.record_form_data))
        app.render()

    app.spawn(run())
    return families_detail(app, title, holder)


class RecordForm(Protocol):
    """A family or member form: its state while saving, and its save."""

    busy: bool
    message: Problem | None

    def save(self, store: Any) -> Any:
        """Store the record; what it returns says whether anything changed."""
        ...


async def save_record(app: ViewContext, sealed: SealedForm[Any], bind: FormBinder,
                      then: Callable[[Any], Awaitable[None]]) -> None:
    """Save a family or member form: on success delete its draft, count the change and
    call ``then`` with what the save returned; otherwise show why, at the first field."""
    form: RecordForm = sealed.form
    if form.busy:
        return
    form.busy, form.message = True, None
    bind.show()
    app.update()
    await sealed.pause()
    try:
        store = await app.blocking(app.services.device.records)
        saved = await app.blocking(form.save, store)
    except FormInvalid:
        form.message = Problem("family.form.check")
    except RecordGone:
        form.message = Problem("family.form.missing")
    except Exception as exc:
        log.exception("saving a %s failed", type(form).__name__)
        form.message = Problem("family.form.failed", {"detail": type(exc).__name__})
    else:
        form.busy = False
        await sealed.done()
        await app.refresh_pending()
        await then(saved)
        return
    form.busy = False
    sealed.resume()
    bind.show()
    app.update()
    await bind.focus_first_error()
