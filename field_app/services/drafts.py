"""Open forms of one session, kept as plain objects so no typed text is lost.

A screen is rebuilt from state on every language switch, resize, sync or lock and unlock;
the form it shows is looked up here by its route (``/families/new``, ``/families/{id}/edit``)
and made only the first time. Saving or cancelling drops it. Everything is dropped when the
device is wiped or set up again. The record forms are also sealed into the encrypted store
as drafts (``draft_store``) and dropped from here before the store locks
(``ui/views/form_state.py``), so no half-typed personal data stays in memory while locked.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


class Drafts:
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

    def __contains__(self, path: object) -> bool:
        return path in self._forms

    def __len__(self) -> int:
        return len(self._forms)
