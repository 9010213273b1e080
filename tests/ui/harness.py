"""A headless Flet session for flow tests of the views, without a browser.

It drives a real ``flet.messaging.session.Session`` over ``RecordingConnection``, a
``Connection`` that encodes every outgoing message with msgpack exactly as Flet's socket and
web transports do (the encoder is what snapshots lists for the next diff, so patches stay
right), keeps the decoded messages, and answers the client-side method calls the app makes:
``push_route`` sets the route and fires ``route_change`` the way the Flutter client does;
``focus`` and other methods answer ``None``.

What a test can do with a ``Harness``: start the app's ``main`` at a route and a window size;
find controls by ``key``, type or visible text; type into a field, click, choose a radio or
dropdown value, submit; resize the window; follow a URL; read every visible string; and see
any session crash (an exception in a handler) as a test failure.

It leans on Flet's private internals (``Session``, ``Connection``, the msgpack encoder), so it
is pinned to flet 1.0.5 (``pyproject.toml``) and kept in this one module. It also holds the
test doubles the flow tests use (``FakeDevice``) — doubles, not a store.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    Message,
    MessageAction,
    configure_encode_object_for_msgpack,
    decode_ext_from_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

from field_app.services.app import AppServices
from field_app.services.device import (
    DeviceWiped,
    PinRefused,
    ProgressCallback,
    Refusal,
    SignInFailed,
    SyncResult,
    SyncStep,
)
from field_app.services.families import PAGE_SIZE, FamiliesPage, FamilyFilter, list_families
from field_app.services.pin_policy import pin_problem
from field_app.services.problem import Problem
from field_app.services.settings import SettingsFile
from field_app.services.state import Phase
from field_app.store import LocalStore, Locked
from field_app.sync import Account
from field_app.ui.app import make_main
from shared_models.records import Family

PAGE_URL = "http://127.0.0.1:8550"
_ENCODE = configure_encode_object_for_msgpack(BaseControl)
#: Background tasks that live as long as the session; ``settle`` does not wait for them.
_LONG_LIVED = ("__updates_scheduler", "_idle_watch", "_auto_sync_watch", "_enable_after")


def _long_lived(task: asyncio.Task[Any]) -> bool:
    """Whether the task (or a coroutine it awaits) is one of ``_LONG_LIVED``."""
    coro: Any = task.get_coro()
    while coro is not None:
        if any(n in getattr(coro, "__qualname__", "") for n in _LONG_LIVED):
            return True
        coro = getattr(coro, "cr_await", None)
    return False


def _encode(value: Any) -> Any:
    raw = msgpack.packb(value, default=_ENCODE)
    return msgpack.unpackb(raw, ext_hook=decode_ext_from_msgpack, strict_map_key=False)


class SessionCrashed(AssertionError):
    """A handler raised: Flet would show the red crash screen to the worker."""


class RecordingConnection(Connection):
    """A ``Connection`` that records what it would send and plays the client's part."""

    def __init__(self) -> None:
        super().__init__()
        self.page_url = PAGE_URL
        self.messages: list[Any] = []
        self.method_calls: list[tuple[str, dict[str, Any]]] = []
        self.crashes: list[str] = []
        self.session: Session | None = None
        self._answers: set[asyncio.Task[None]] = set()

    def send_message(self, message: Message) -> None:
        decoded = _encode([message.action, message.body])
        self.messages.append(decoded)
        if message.action == MessageAction.SESSION_CRASHED:
            self.crashes.append(message.body.message)
        elif message.action == MessageAction.INVOKE_METHOD:
            body = message.body
            self.method_calls.append((body.name, dict(body.args or {})))
            task = asyncio.get_running_loop().create_task(self._answer(body))
            self._answers.add(task)
            task.add_done_callback(self._answers.discard)

    async def _answer(self, body: Any) -> None:
        session = self.session
        assert session is not None
        await asyncio.sleep(0)
        session.handle_invoke_method_results(body.control_id, body.call_id, None, None)
        if body.name == "push_route":
            route = body.args["route"]
            session.apply_page_patch({"route": route})
            await session.dispatch_event(session.page._i, "route_change", {"route": route})


def walk(root: Any, *, visible_only: bool = True) -> Iterator[BaseControl]:
    """Every control under ``root`` (depth first), skipping hidden subtrees if asked."""
    seen: set[int] = set()

    def visit(value: Any) -> Iterator[BaseControl]:
        if value is None or id(value) in seen:
            return
        if isinstance(value, BaseControl):
            seen.add(id(value))
            if visible_only and getattr(value, "visible", True) is False:
                return
            yield value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            seen.add(id(value))
            for f in dataclasses.fields(value):
                if f.name == "_parent" or f.metadata.get("skip", False):
                    continue
                yield from visit(getattr(value, f.name, None))
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from visit(item)

    yield from visit(root)


_TEXT_ATTRS = ("value", "label", "text", "title", "content", "error", "helper", "hint_text",
               "tooltip", "semantics_label")


def strings_of(control: BaseControl) -> list[str]:
    """The strings a control shows (or gives screen readers) itself, not its children's."""
    out: list[str] = []
    for attr in _TEXT_ATTRS:
        if attr == "value" and isinstance(control, (ft.TextField, ft.Dropdown, ft.RadioGroup,
                                                    ft.Radio)):
            continue  # typed or chosen values are not captions
        value = getattr(control, attr, None)
        if isinstance(value, str) and value:
            out.append(value)
    return out


class Harness:
    """A running headless session of the app; see the module docstring."""

    def __init__(self, conn: RecordingConnection, session: Session) -> None:
        self.conn = conn
        self.session = session
        self.page: ft.Page = session.page

    # ---- start and stop ------------------------------------------------------------------
    @classmethod
    async def start(
        cls,
        main: Callable[[ft.Page], Awaitable[None]],
        *,
        route: str = "/",
        width: int = 360,
        height: int = 640,
        web: bool = True,
    ) -> Harness:
        """Register a client of ``width`` x ``height`` at ``route`` and run ``main``
        (``web=False``: as the Android app, not the browser view)."""
        conn = RecordingConnection()
        loop = asyncio.get_running_loop()
        conn.loop = loop
        conn.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="harness")
        conn.pubsubhub = PubSubHub(loop=loop, executor=conn.executor)
        session = Session(conn)
        conn.session = session
        session.apply_page_patch({
            "route": route, "width": width, "height": height, "web": web,
            "platform": "android", "media": {"orientation": "portrait"},
        })
        _context_page.set(session.page)
        # What the register-client answer carries; encoding it snapshots lists for diffs.
        _encode(session.get_page_patch())
        session.start_updates_scheduler()
        harness = cls(conn, session)
        await main(session.page)
        await session.after_event(session.page)
        await harness.settle()
        return harness

    async def close(self) -> None:
        """Close the session (fires ``on_close``) and stop its worker threads."""
        self.session.close()
        await self.settle()
        self.conn.executor.shutdown(wait=False, cancel_futures=True)

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until every short task (handlers, route changes, to_thread calls) is done."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        current = asyncio.current_task()
        quiet = 0
        while quiet < 3:  # page.run_task schedules its task a loop turn later: look again
            await asyncio.sleep(0.005)
            pending = [t for t in asyncio.all_tasks()
                       if t is not current and not t.done()
                       and not _long_lived(t)]
            if not pending:
                quiet += 1
                continue
            quiet = 0
            if loop.time() > deadline:
                raise TimeoutError(f"tasks still running: {pending}")
            await asyncio.wait(pending, timeout=0.05)
        self.assert_no_crash()

    def assert_no_crash(self) -> None:
        """Fail with the traceback if a handler raised."""
        if self.conn.crashes:
            raise SessionCrashed("\n".join(self.conn.crashes))

    # ---- looking ---------------------------------------------------------------------------
    @property
    def view(self) -> ft.View:
        """The top view (what the user sees)."""
        return self.page.views[-1]

    def controls(self, *, top_only: bool = True) -> list[BaseControl]:
        """Visible controls of the top view (or of every view), overlays and dialogs."""
        roots: list[Any] = [self.view] if top_only else list(self.page.views)
        roots += [self.page._overlay, self.page._dialogs]
        return [c for root in roots for c in walk(root)]

    def texts(self) -> list[str]:
        """Every visible string of the top view, in tree order."""
        return [s for c in self.controls() for s in strings_of(c)]

    def text(self) -> str:
        """All visible strings of the top view, one per line."""
        return "\n".join(self.texts())

    def find_all(self, *, key: str | None = None, type_: type | None = None,
                 text: str | None = None) -> list[BaseControl]:
        """Visible controls of the top view matching every given criterion."""
        found = []
        for c in self.controls():
            if key is not None and getattr(c, "key", None) != key:
                continue
            if type_ is not None and not isinstance(c, type_):
                continue
            if text is not None and text not in strings_of(c):
                continue
            found.append(c)
        return found

    def find(self, **criteria: Any) -> Any:
        """The one visible control matching ``criteria`` (fails if none or several)."""
        found = self.find_all(**criteria)
        if len(found) != 1:
            raise LookupError(f"{len(found)} controls match {criteria}; texts: {self.texts()}")
        return found[0]

    # ---- acting ----------------------------------------------------------------------------
    async def fire(self, control: BaseControl, event: str, data: Any = None) -> None:
        """Send a client event to ``control`` and wait for its effects."""
        await self.session.dispatch_event(control._i, event, data)
        await self.settle()

    async def click(self, control: BaseControl) -> None:
        """Tap a button, tile or anything with ``on_click``."""
        assert not getattr(control, "disabled", False), f"{control} is disabled"
        await self.fire(control, "click")

    async def type(self, control: BaseControl, text: str) -> None:
        """Replace a text field's value as typing does (props update, then ``change``)."""
        self.session.apply_patch(control._i, {"value": text})
        await self.fire(control, "change", text)

    async def submit(self, control: BaseControl) -> None:
        """Press Enter in a text field."""
        await self.fire(control, "submit", getattr(control, "value", None))

    async def choose(self, control: BaseControl, value: str) -> None:
        """Pick ``value`` in a RadioGroup (``change``) or a Dropdown (``select``)."""
        self.session.apply_patch(control._i, {"value": value})
        await self.fire(control, "select" if isinstance(control, ft.Dropdown) else "change",
                        value)

    async def tap_place(self, index: int) -> None:
        """Tap destination ``index`` of the bottom navigation bar or the rail."""
        bars = self.find_all(type_=ft.NavigationBar) or self.find_all(type_=ft.NavigationRail)
        assert len(bars) == 1, f"expected one navigation control, found {bars}"
        self.session.apply_patch(bars[0]._i, {"selected_index": index})
        await self.fire(bars[0], "change", str(index))

    async def resize(self, width: int, height: int) -> None:
        """Change the window size as the client reports it."""
        self.session.apply_page_patch({"width": width, "height": height})
        await self.fire(self.page, "resize", {"width": width, "height": height})

    async def follow(self, route: str) -> None:
        """The user types a URL / the OS opens a deep link: the client changes the route."""
        self.session.apply_page_patch({"route": route})
        await self.fire(self.page, "route_change", {"route": route})

    async def pop_view(self) -> None:
        """The back arrow or the system back button on the top view."""
        await self.fire(self.page, "view_pop", {"route": self.view.route})


def run(test: Callable[[], Awaitable[None]]) -> None:
    """Run an async flow test on a fresh event loop in its own thread.

    Its own thread because Playwright's sync API (the browser tests) keeps an event loop
    running in the main thread while its fixtures live.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="flow") as pool:
        pool.submit(asyncio.run, test()).result()  # type: ignore[arg-type]


# ---- test doubles -------------------------------------------------------------------------
class FakeDevice:
    """A ``Device`` test double: remembers one account and PIN in memory, refuses wrong PINs.

    ``refusals`` are the answers to wrong PINs in order (the last one repeats); after them,
    if ``wipe_after_refusals`` is set, the next wrong PIN wipes.
    """

    def __init__(self, phase: Phase = Phase.SETUP, pin: str = "246810",
                 username: str = "olena", refusals: list[Refusal] | None = None,
                 wipe_after_refusals: bool = False) -> None:
        self._phase = phase
        self.pin = pin
        self.username = username
        self.refusals = refusals or [Refusal(wait_seconds=0, attempts_left=9)]
        self.wipe_after_refusals = wipe_after_refusals
        self.wrong = 0
        self.calls: list[str] = []
        self.set_up_error: Exception | None = None
        self.sync_error: Exception | None = None
        self.sync_result = SyncResult(at=datetime(2026, 11, 22, 12, 5, tzinfo=UTC), pushed=2,
                                      pulled=5, pending=0)
        self.family_records: list[Family] = []
        #: A real ``LocalStore`` for the record screens (``tests.ui.stores.real_store``).
        self.store: LocalStore | None = None
        self.role = "social_worker"
        self.communities = ["zhytomyrska"]
        self.unsynced: set[str] = set()
        self.today = date(2026, 11, 23)

    def phase(self) -> Phase:
        return self._phase

    def new_pin_problem(self, pin: str) -> Problem | None:
        return pin_problem(pin)

    def set_up(self, *, server_url: str, username: str, password: str, pin: str) -> str:
        self.calls.append(f"set_up {server_url} {username}")
        if self.set_up_error:
            raise self.set_up_error
        self.pin, self.username, self._phase = pin, username, Phase.UNLOCKED
        return username

    def unlock(self, pin: str) -> str:
        self.calls.append("unlock")
        if pin == self.pin:
            self._phase = Phase.UNLOCKED
            return self.username
        self.wrong += 1
        if self.wipe_after_refusals and self.wrong > len(self.refusals):
            self._phase = Phase.SETUP
            raise DeviceWiped()
        raise PinRefused(self.refusals[min(self.wrong, len(self.refusals)) - 1])

    def lock(self) -> None:
        self.calls.append("lock")
        if self._phase is Phase.UNLOCKED:
            self._phase = Phase.LOCKED

    def pending_changes(self) -> int:
        if self.store is not None and self._phase is Phase.UNLOCKED:
            return self.store.pending_count()
        return 0

    def records(self) -> LocalStore:
        if self.store is None or self._phase is not Phase.UNLOCKED:
            raise Locked()
        return self.store

    def account(self) -> Account | None:
        if self._phase is not Phase.UNLOCKED:
            return None
        return Account(username=self.username, role=self.role,
                       communities=list(self.communities), device_id="fake-device")

    def families(self, *, text: str = "", chosen: FamilyFilter = FamilyFilter.ALL,
                 offset: int = 0, limit: int = PAGE_SIZE) -> FamiliesPage:
        if self._phase is not Phase.UNLOCKED:
            return FamiliesPage([], 0)
        return list_families(self.family_records, me=self.username, today=self.today,
                             unsynced=self.unsynced, text=text, chosen=chosen, offset=offset,
                             limit=limit)

    def sync(self, progress: ProgressCallback) -> SyncResult:
        self.calls.append("sync")
        progress(SyncStep("push"))
        progress(SyncStep("push", 1, 2))
        if isinstance(self.sync_error, DeviceWiped):
            self._phase = Phase.SETUP
        if self.sync_error:
            raise self.sync_error
        progress(SyncStep("pull", 5))
        return self.sync_result

    def sign_in_again(self, password: str) -> None:
        self.calls.append("sign_in_again")
        if password != "пароль":
            raise SignInFailed(Problem("err.sign_in_failed"))
        self.sync_error = None

    def change_pin(self, old: str, new: str) -> None:
        self.calls.append("change_pin")
        if old != self.pin:
            raise PinRefused(self.refusals[0])
        self.pin = new

    def sign_out(self) -> bool:
        self.calls.append("sign_out")
        self._phase = Phase.SETUP
        self.store = None
        return True


def services_for(data_dir: Path, device: Any, sync_on_open: bool = False) -> AppServices:
    """``AppServices`` over a temp folder with the given device (double)."""
    return AppServices(data_dir=data_dir, device=device, settings=SettingsFile(data_dir),
                       sync_on_open=sync_on_open)


async def start_app(data_dir: Path, device: Any, *, sync_on_open: bool = False,
                    **kwargs: Any) -> Harness:
    """The app over ``device`` in a headless session."""
    return await Harness.start(make_main(services_for(data_dir, device, sync_on_open)),
                               **kwargs)


async def start_unlocked(data_dir: Path, device: FakeDevice | None = None, *,
                         route: str = "/families", **kwargs: Any) -> Harness:
    """The app past the unlock screen (as the worker gets there), then at ``route``."""
    device = device or FakeDevice(Phase.LOCKED)
    h = await start_app(data_dir, device, **kwargs)  # type: ignore[arg-type]
    await h.type(h.find(key="unlock-pin"), device.pin)
    await h.click(h.find(key="unlock-submit"))
    if route != h.page.route:
        await h.follow(route)
    return h
