"""Revocation that tells: a revoked phone reports what it loses, then wipes (real uvicorn).

The device counts its unsent changes per kind and its drafts, sends those counts with the
refused token (the one call the server still takes from it, once), then wipes; the
supervisor sees the counts in the device activity. When the report cannot get through the
phone still wipes, and still knows the counts to show the worker.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from field_app.services.draft_store import note_key, save_draft, visit_key
from field_app.services.sync_problems import sync_failure
from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Backoff, DeviceRevoked, SyncClient, lost_notice
from field_app.sync.client import TOKEN_SECRET
from field_app.sync.supervision import SupervisionClient
from shared_models.revocation import LOST_WORK_PATH
from sync_server.accounts import DEVICES
from tests.sync.conftest import PASSWORD, PIN, Device
from tests.sync.records import family, note, visit
from tests.sync.revocation_child import crash_during_revocation
from tools.live_server import LiveServer


def offline_work(store: LocalStore, sync: SyncClient) -> None:
    """One synced family, then (offline) a new family, two visits, a note and two drafts."""
    fam = family()
    store.save(fam)
    sync.sync()
    other = family(family_name="Шевченко")
    store.save(other)
    store.save(visit(fam.id, "olena"))
    store.save(visit(other.id, "olena"))
    store.save(note(fam.id, "olena"))
    save_draft(store, visit_key(str(fam.id)), {"notes": "Мама вдома, діти в школі"})
    save_draft(store, note_key(str(other.id)), {"text": "чернетка"})


def today() -> str:
    return datetime.now(UTC).strftime("%d.%m.%Y")


def reported_row(server: LiveServer, device_id: str) -> tuple[object, object]:
    with server.engine.connect() as conn:
        row = conn.execute(select(DEVICES.c.lost_reported_at, DEVICES.c.lost_work)
                           .where(DEVICES.c.id == uuid.UUID(device_id))).one()
    return row[0], row[1]


def test_a_revoked_phone_reports_its_unsent_work_then_wipes(
        make_device: Callable[..., Device], server: LiveServer, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    olena, sync = make_device("olena")
    offline_work(olena, sync)
    account = sync.account()
    assert account is not None
    assert olena.unsent_work() == ({"family": 1, "visit": 2, "note": 1}, 2)
    token = olena.get_secret(TOKEN_SECRET)
    assert token
    server.revoke(account.device_id)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DeviceRevoked) as info:
        sync.sync()
    # Neither side's log of the revocation carries the token or anything the worker typed.
    logs = caplog.text + (tmp_path / "server.log").read_text(errors="replace")
    for secret in (token.decode(), "Коваленко", "Шевченко", "Мама вдома", "чернетка"):
        assert secret not in logs
    lost = info.value.lost
    assert info.value.reported and lost is not None
    assert {k.value: n for k, n in lost.outbox.items()} == {"family": 1, "visit": 2, "note": 1}
    assert lost.drafts == 2
    assert not olena.path.exists()                                  # wiped all the same
    at, stored = reported_row(server, account.device_id)
    assert at is not None and stored == {"outbox": {"family": 1, "visit": 2, "note": 1},
                                         "drafts": 2}
    failure = sync_failure(info.value)
    assert failure.problem.key == "sync.err.revoked_lost"
    assert failure.problem.params == {"changes": 4, "drafts": 2, "date": today()}
    # The phone keeps what it will tell its worker beside the wiped store: counts only.
    notice = lost_notice.read(olena.path.parent)
    assert notice is not None and notice.reported and notice.lost == lost
    assert b"olena" not in lost_notice.notice_path(olena.path.parent).read_bytes()
    # The supervisor of Malyn sees it on the dashboard's device activity.
    store = LocalStore.create(tmp_path / "iryna.db", PIN, kdf=TEST_KDF)
    with SupervisionClient(store, server.base_url, backoff=Backoff(attempts=2, base=0.01),
                           timeout=10) as boss:
        boss.login("iryna", PASSWORD)
        (gone,) = [d for d in boss.device_activity().revoked if d.user == "olena"]
        assert gone.lost is not None and gone.lost.changes == 4 and gone.lost.drafts == 2
    store.close()


class _NoReport(httpx.HTTPTransport):
    """Loopback transport on which the lost-work report never gets through."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == LOST_WORK_PATH:
            raise httpx.ConnectError("link lost", request=request)
        return super().handle_request(request)


def test_a_report_that_cannot_get_through_does_not_stop_the_wipe(
        make_device: Callable[..., Device], server: LiveServer) -> None:
    olena, sync = make_device("olena", transport=_NoReport())
    offline_work(olena, sync)
    account = sync.account()
    assert account is not None
    server.revoke(account.device_id)
    with pytest.raises(DeviceRevoked) as info:
        sync.sync()
    assert not info.value.reported
    assert info.value.lost is not None and info.value.lost.changes == 4
    assert not olena.path.exists()
    assert reported_row(server, account.device_id) == (None, None)
    failure = sync_failure(info.value)
    assert failure.problem.key == "sync.err.revoked_lost_unreported"
    assert failure.problem.params == {"changes": 4, "drafts": 2, "date": today()}
    notice = lost_notice.read(olena.path.parent)
    assert notice is not None and not notice.reported and notice.lost == info.value.lost


def test_a_revoked_phone_with_nothing_unsent_says_the_plain_message(
        make_device: Callable[..., Device], server: LiveServer) -> None:
    olena, sync = make_device("olena")
    olena.save(family())
    sync.sync()
    account = sync.account()
    assert account is not None
    server.revoke(account.device_id)
    with pytest.raises(DeviceRevoked) as info:
        sync.sync()
    assert info.value.reported and info.value.lost is not None and info.value.lost.empty
    assert sync_failure(info.value).problem.key == "sync.err.revoked"
    assert reported_row(server, account.device_id)[1] == {"outbox": {}, "drafts": 0}


@pytest.mark.parametrize("point", ["answered", "before_wipe"])
def test_a_crash_between_the_report_and_the_wipe_still_says_the_administrator_was_told(
        server: LiveServer, tmp_path: Path, point: str) -> None:
    """Killed after the server took the report but before the wipe, the phone reopens with
    its store intact, is refused again, reports again and hears that it already reported:
    the worker is told the administrator knows, and the server keeps the first report."""
    (tmp_path / "phone").mkdir()
    path = tmp_path / "phone" / "store.db"
    store = LocalStore.create(path, PIN, kdf=TEST_KDF)
    with SyncClient(store, server.base_url, timeout=10,
                    backoff=Backoff(attempts=2, base=0.01)) as sync:
        sync.login("olena", PASSWORD)
        offline_work(store, sync)
        account = sync.account()
    store.close()
    assert account is not None
    server.revoke(account.device_id)

    crash_during_revocation(path, PIN, server.base_url, point)
    assert path.exists()                                    # killed before the wipe
    first = reported_row(server, account.device_id)
    assert first[1] == {"outbox": {"family": 1, "visit": 2, "note": 1}, "drafts": 2}
    noted = lost_notice.read(path.parent)
    assert noted is not None and noted.lost is not None and noted.lost.changes == 4
    assert noted.reported is (point == "before_wipe")

    store = LocalStore.open(path, PIN)                      # the app starts again
    with (SyncClient(store, server.base_url, timeout=10,
                     backoff=Backoff(attempts=2, base=0.01)) as sync,
          pytest.raises(DeviceRevoked) as info):
        sync.sync()
    assert info.value.reported
    assert not path.exists()
    assert sync_failure(info.value).problem.key == "sync.err.revoked_lost"
    notice = lost_notice.read(path.parent)
    assert notice is not None and notice.reported and notice.lost == noted.lost
    assert reported_row(server, account.device_id) == first   # the first report stands
