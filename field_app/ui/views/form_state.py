"""The record forms open in one session (visit, note, family, member, placement), apart from
their widgets.

The app re-renders a screen from state on a resize, a language switch or a sync; a form's
values, its draft saver and its problems must outlive those re-renders, so they live in the
session's form registry (``app.drafts``, by route path; a wipe or sign-out clears it), not
in the widgets. Their drafts are sealed into the store and the forms forgotten before the
store locks (``App.before_lock``): what was typed is then only in the encrypted store, and
reopening the form after unlock restores it from there.
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from field_app.services import draft_store, visits
from field_app.services.draft_store import DraftSaver

if TYPE_CHECKING:
    from field_app.ui.app import App

log = logging.getLogger(__name__)


class Flushable(Protocol):
    """A form state that can write its draft now and stop writing."""

    async def put_away(self) -> None:
        ...


S = TypeVar("S", bound=Flushable)


class OpenForms(Generic[S]):
    """The open forms of one kind in a session: kept in ``app.drafts``, put away on lock."""

    def __init__(self, app: App, kind: type[S]) -> None:
        self._app = weakref.ref(app)
        self._kind = kind
        self._paths: set[str] = set()
        app.before_lock.append(self.flush_and_forget)
        app.on_leave.append(self.flush)

    def get(self, path: str) -> S | None:
        """The form open at ``path``, if any."""
        app = self._app()
        return app.drafts.get(path, self._kind) if app is not None else None

    def put(self, path: str, form: S) -> S:
        """Remember the form open at ``path``."""
        app = self._app()
        if app is not None:
            app.drafts.put(path, form)
            self._paths.add(path)
        return form

    def drop(self, path: str) -> None:
        """Forget the form at ``path`` (saved or discarded)."""
        app = self._app()
        if app is not None:
            app.drafts.drop(path)
        self._paths.discard(path)

    async def flush(self) -> None:
        """Write every pending draft now (the worker left a form; the form stays open)."""
        for path in sorted(self._paths):
            saver = getattr(self.get(path), "saver", None)
            if saver is not None:
                try:
                    await saver.flush()
                except Exception:
                    log.exception("writing a %s draft failed", self._kind.__name__)

    async def flush_and_forget(self) -> None:
        """Write every draft, then forget every form (the store is about to lock)."""
        for path in sorted(self._paths):
            form = self.get(path)
            if form is None:
                continue   # cleared meanwhile (a wipe, a sign-out)
            try:
                await form.put_away()
            except Exception:
                log.exception("writing a %s draft before lock failed", self._kind.__name__)
            self.drop(path)
        self._paths.clear()


_REGISTRY: weakref.WeakKeyDictionary[App, dict[type[Any], OpenForms[Any]]] = (
    weakref.WeakKeyDictionary())


def open_forms(app: App, kind: type[S]) -> OpenForms[S]:
    """The session's open forms of ``kind`` (``VisitSession``, ``NoteSession``,
    ``SealedForm``)."""
    per_app = _REGISTRY.setdefault(app, {})
    if kind not in per_app:
        per_app[kind] = OpenForms(app, kind)
    found: OpenForms[S] = per_app[kind]
    return found


async def discard_draft(app: App, saver: DraftSaver[Any] | None, key: str) -> None:
    """Stop a form's saver and delete its draft from the store."""
    if saver is not None:
        await saver.close()
    with contextlib.suppress(visits.Locked):
        store = await app.blocking(app.services.device.records)
        await app.blocking(draft_store.discard_draft, store, key)
