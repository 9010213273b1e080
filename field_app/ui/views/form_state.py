"""The record forms open in one session, kept apart from their widgets.

The app re-renders a screen from state on a resize, a language switch or a sync; a form's
values, its draft saver and its problems must outlive those re-renders, so they live here,
by route path, not in the widgets. Before the store locks (``App.before_lock``) every open
form writes its draft and is forgotten: what was typed is then only in the encrypted store,
and reopening the form after unlock restores it from there.
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import Callable
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
    """The open forms of one session of one kind, by route path."""

    def __init__(self, app: App) -> None:
        self._forms: dict[str, S] = {}
        app.before_lock.append(self.flush_and_forget)

    def get(self, path: str) -> S | None:
        """The form open at ``path``, if any."""
        return self._forms.get(path)

    def put(self, path: str, form: S) -> S:
        """Remember the form open at ``path``."""
        self._forms[path] = form
        return form

    def drop(self, path: str) -> None:
        """Forget the form at ``path`` (saved or discarded)."""
        self._forms.pop(path, None)

    async def flush_and_forget(self) -> None:
        """Write every draft, then forget every form (the store is about to lock)."""
        for path, form in list(self._forms.items()):
            try:
                await form.put_away()
            except Exception:
                log.exception("writing the draft of %s before lock failed", path.split("/")[1])
        self._forms.clear()


_REGISTRY: weakref.WeakKeyDictionary[App, dict[str, OpenForms[Any]]] = (
    weakref.WeakKeyDictionary())


def open_forms(app: App, kind: str, factory: Callable[[App], OpenForms[S]] = OpenForms
               ) -> OpenForms[S]:
    """The session's open forms of ``kind`` ("visit", "note"), created on first use."""
    per_app = _REGISTRY.setdefault(app, {})
    if kind not in per_app:
        per_app[kind] = factory(app)
    return per_app[kind]


async def discard_draft(app: App, saver: DraftSaver[Any] | None, key: str) -> None:
    """Stop a form's saver and delete its draft from the store."""
    if saver is not None:
        await saver.close()
    with contextlib.suppress(visits.Locked):
        store = await app.blocking(app.services.device.records)
        await app.blocking(draft_store.discard_draft, store, key)
