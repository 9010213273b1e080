"""The record forms open in one session, kept as plain objects so no typed text is lost.

A screen is rebuilt from state on every language switch, resize, sync or lock and unlock;
the form it shows is looked up here by its route (``/families/new``, ``/families/{id}/edit``)
and made only the first time. Saving or cancelling drops it. Everything is dropped when the
device is wiped or set up again. The forms also seal what was typed into the encrypted store
as drafts (``draft_store``): when the worker leaves a form its pending draft is written at
once (``flush``), and before the store locks every form writes its draft and is forgotten
(``put_away``), so no half-typed personal data stays in memory while locked.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class OpenForm(Protocol):
    """A form that seals its values as a draft."""

    async def flush(self) -> None:
        """Write the pending draft now (the form stays open)."""
        ...

    async def put_away(self) -> None:
        """Write the draft now and stop writing (the store is about to lock)."""
        ...


class OpenForms:
    """Form objects by route path."""

    def __init__(self) -> None:
        self._forms: dict[str, Any] = {}

    def get(self, path: str, kind: type[T]) -> T | None:
        """The open form at ``path`` if it is a ``kind``."""
        form = self._forms.get(path)
        return form if isinstance(form, kind) else None

    def put(self, path: str, form: T) -> T:
        """Keep ``form`` as the open form at ``path``."""
        self._forms[path] = form
        return form

    def drop(self, path: str) -> None:
        """Forget the form at ``path`` (saved or cancelled)."""
        self._forms.pop(path, None)

    def clear(self) -> None:
        """Forget every form (the device was wiped)."""
        self._forms.clear()

    async def flush(self) -> None:
        """Write every pending draft now (the worker left a form; the forms stay open)."""
        for path in sorted(self._forms):
            form: OpenForm | None = self._forms.get(path)
            if form is None:
                continue
            try:
                await form.flush()
            except Exception:
                log.exception("writing a %s draft failed", type(form).__name__)

    async def put_away(self) -> None:
        """Write every draft, then forget every form (the store is about to lock)."""
        for path in sorted(self._forms):
            form: OpenForm | None = self._forms.get(path)
            if form is None:
                continue   # cleared meanwhile (a wipe, a sign-out)
            try:
                await form.put_away()
            except Exception:
                log.exception("writing a %s draft before lock failed", type(form).__name__)
            self.drop(path)
        self._forms.clear()

    def __contains__(self, path: object) -> bool:
        return path in self._forms

    def __len__(self) -> int:
        return len(self._forms)
