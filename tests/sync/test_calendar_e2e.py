"""The operator's work calendar reaches the phones and moves the assessment's due date.

The operator declares a day off on the server (``PORUCH_WORK_CALENDAR``); after its next sync
a phone counts the 5 working days by it — on the family card, in the due list, offline and
after the store was locked. A server from before the calendar (no such route) or a calendar
request that fails leaves the sync a success and the phone's calendar as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from field_app.services import cases as cs
from field_app.services.due import CaseDueKind, case_due
from field_app.store import LocalStore
from field_app.sync.calendar import stored_calendar
from shared_models.enums import Role
from shared_models.protocol import CALENDAR_PATH
from shared_models.records import Case
from shared_models.work_calendar import DEFAULT_CALENDAR
from tests.sync.conftest import PASSWORD, PIN, Device
from tests.sync.records import family
from tools.live_server import LiveServer

#: A Friday request: by the built-in calendar due on Friday 4 December (Mon 30 Nov .. Fri).
REQUESTED = date(2026, 11, 27)
TODAY = date(2026, 11, 27)
BUILT_IN_DUE = date(2026, 12, 4)
#: The operator declares Monday 30 November a day off: the 5th working day is Monday 7 Dec.
MOVED = {"holidays_off": [["1900-01-01", "2022-02-23"]], "extra_days_off": ["2026-11-30"]}
MOVED_DUE = date(2026, 12, 7)


@pytest.fixture
def calendar_file(tmp_path: Path) -> Path:
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps(MOVED), encoding="utf-8")
    return path


@pytest.fixture
def server(tmp_path: Path, calendar_file: Path) -> Iterator[LiveServer]:
    """A running server whose operator set ``calendar_file`` as the oblast's calendar."""
    live = LiveServer(f"sqlite:///{tmp_path / 'server.db'}", log_path=tmp_path / "server.log",
                      extra_env={"PORUCH_WORK_CALENDAR": str(calendar_file)})
    live.migrate()
    live.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.start()
    yield live
    live.stop()


def _a_case(store: LocalStore) -> Case:
    fam = family()
    store.save(fam)
    case = Case(community="malynska", family_id=fam.id, opened_on=REQUESTED,
                assigned_worker="olena")
    store.save(case)
    return case


def _card_due(store: LocalStore, case: Case) -> date:
    open_ = cs.load_cases(store, case.family_id, today=TODAY).open
    assert open_ is not None
    return open_.assessment_term.due


def _due_list_day(store: LocalStore) -> date:
    [row] = [r for r in case_due(store, today=TODAY, me="olena")
             if r.kind is CaseDueKind.ASSESSMENT]
    return row.day


def test_the_operators_day_off_moves_the_due_date_on_every_screen(
        make_device: Callable[..., Device], server: LiveServer, calendar_file: Path) -> None:
    store, client = make_device("olena")
    case = _a_case(store)
    assert _card_due(store, case) == BUILT_IN_DUE    # not synced yet: the built-in calendar
    report = client.sync()
    assert report.calendar_changed and report.rejected == 0
    assert _card_due(store, case) == MOVED_DUE
    assert _due_list_day(store) == MOVED_DUE
    assert cs.work_calendar(store).extra_days_off == {date(2026, 11, 30)}
    # Nothing changed on the server: the calendar is not sent again.
    assert not client.sync().calendar_changed
    # Kept sealed in the store: still counted by it after a lock, offline.
    store.lock()
    store.unlock(PIN)
    assert _card_due(store, case) == MOVED_DUE
    # The operator takes the day off back: the next sync brings the phone back in step.
    server.stop()
    calendar_file.write_text(json.dumps({**MOVED, "extra_days_off": []}), encoding="utf-8")
    server.start()
    assert client.sync().calendar_changed
    assert _card_due(store, case) == _due_list_day(store) == BUILT_IN_DUE
    assert stored_calendar(store) == DEFAULT_CALENDAR


class _Calendarless(httpx.HTTPTransport):
    """The server as the phone sees it, with its calendar route ``missing`` (a server from
    before the calendar), ``down`` (the request never gets an answer) or ``there``."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == CALENDAR_PATH:
            if self.mode == "down":
                raise httpx.ConnectError("the link dropped", request=request)
            if self.mode == "missing":
                return httpx.Response(404, json={"code": "not_found", "message": "Not Found"})
        return super().handle_request(request)


def test_a_server_without_the_calendar_leaves_the_sync_and_the_calendar_alone(
        make_device: Callable[..., Device]) -> None:
    store, client = make_device("olena", transport=_Calendarless("missing"))
    case = _a_case(store)
    report = client.sync()
    assert report.pushed == 2 and report.rejected == 0 and not report.calendar_changed
    assert client.last_success_ms() is not None
    assert stored_calendar(store) == DEFAULT_CALENDAR
    assert _card_due(store, case) == BUILT_IN_DUE
    # A phone that holds the operator's calendar keeps it when the request fails.
    link = _Calendarless("there")
    other, fresh = make_device("olena", name="second", transport=link)
    assert fresh.sync().calendar_changed
    held = stored_calendar(other)
    link.mode = "down"
    again = fresh.sync()                       # a success all the same
    assert not again.calendar_changed and again.rejected == 0
    assert stored_calendar(other) == held != DEFAULT_CALENDAR
    link.mode = "missing"                      # the server was rolled back to an older one
    assert not fresh.sync().calendar_changed
    assert stored_calendar(other) == held
