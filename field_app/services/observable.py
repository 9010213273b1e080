"""A minimal observable: state objects call ``_changed()``, watchers get called back.

Callbacks run synchronously in the thread that changed the state; a Flet view that watches a
state changed from a worker thread hands the update to the event loop (``page.run_task``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Listener = Callable[[], None]


class Observable:
    """Base for state objects that views watch."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener()`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _changed(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                # A broken watcher must not break the state change or the other watchers.
                log.exception("state listener failed")
