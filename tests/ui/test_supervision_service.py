"""The supervisors' server calls through the real sync client against a real server.

A worker's phone syncs a visit; the supervisor's device (``StoreDevice`` with the real
sign-in) asks for device activity and for exports, as the dashboard and the export screen do.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from field_app.i18n import format_date
from field_app.services.store_device import StoreDevice, sync_client_sign_in
from field_app.services.supervision import (
    ExportForm,
    ServerSupervision,
    SupervisionFailed,
    device_lines,
)
from field_app.store import TEST_KDF, LocalStore
from field_app.sync import SyncClient
from shared_models.enums import Role
from shared_models.records import Family, Visit
from shared_models.supervision import ExportFormat, ExportTable
from tools.live_server import LiveServer

PASSWORD = "correct horse battery"
TODAY = datetime.now(UTC).date()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("server")
    live = LiveServer(f"sqlite:///{folder / 'server.db'}", log_path=folder / "server.log")
    live.migrate()
    live.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.add_user("iryna", PASSWORD, Role.SUPERVISOR, ["malynska"])
    live.add_user("taras", PASSWORD, Role.SOCIAL_WORKER, ["pulynska"])
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def worker_synced(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """olena records a family and a visit on her phone and syncs; returns the visit id."""
    store = LocalStore.create(tmp_path_factory.mktemp("olena") / "s.db", "482915", kdf=TEST_KDF)
    with SyncClient(store, server.base_url) as client:
        client.login("olena", PASSWORD)
        f = Family(community="malynska", family_name="Коваленко", settlement="Ворсівка")
        v = Visit(community="malynska", family_id=f.id, visited_at=datetime.now(UTC)
                  - timedelta(hours=2), risk_level="high", author="olena",
                  services=["002.0", "early-intervention"])
        store.save(f)
        store.save(v)
        assert client.sync().pushed == 2
    store.close()
    return str(v.id)


def _device(folder: Path, server: LiveServer, user: str) -> StoreDevice:
    device = StoreDevice(folder, sign_in=sync_client_sign_in, kdf=TEST_KDF)
    device.set_up(server_url=server.base_url, username=user, password=PASSWORD, pin="482915")
    return device


def test_device_activity_shows_the_workers_phone(server: LiveServer, worker_synced: str,
                                                 tmp_path: Path) -> None:
    device = _device(tmp_path, server, "iryna")
    activity = ServerSupervision(device).device_activity()
    lines = device_lines(activity)
    olena = next(x for x in lines if x.user == "olena")
    assert olena.silent_days == 0 and not olena.worth_a_call and not olena.replaced
    assert olena.communities == ["malynska"]
    assert {x.user for x in lines} == {"olena", "iryna"}       # not taras (pulynska)
    assert device_lines(activity, communities={"pulynska"}) == []
    device.lock()


def test_exports_arrive_as_files(server: LiveServer, worker_synced: str, tmp_path: Path) -> None:
    device = _device(tmp_path, server, "iryna")
    supervision = ServerSupervision(device)
    form = ExportForm.for_month(TODAY, ["malynska"])
    form.start = format_date(TODAY - timedelta(days=7))
    book = supervision.export(form)
    assert book.filename.endswith(".xlsx") and book.filename.startswith("poruch-malynska-")
    assert book.rows == 1
    wb = load_workbook(io.BytesIO(book.content))
    [_header, row] = list(wb["Візити"].iter_rows(values_only=True))
    assert row[5] == worker_synced and row[3] == "Ворсівка" and row[8] == "Високий"
    form.fmt, form.table = ExportFormat.CSV, ExportTable.SERVICES
    services = supervision.export(form)
    assert services.filename.endswith("-services.csv")
    text = services.content.decode("utf-8")
    assert "002.0" in text and "Раннє втручання" in text
    device.lock()


def test_refusals_and_bad_forms_come_back_in_plain_words(server: LiveServer,
                                                         tmp_path: Path) -> None:
    device = _device(tmp_path, server, "olena")
    form = ExportForm.for_month(TODAY, ["malynska"])
    with pytest.raises(SupervisionFailed) as refused:
        ServerSupervision(device).export(form)           # workers may not export
    assert refused.value.problem.params["uk"]
    form.end = "01.01.2000"
    assert form.period() is None and form.errors["end"].key == "export.err.order"
    form.start, form.end = "", "32.01.2026"
    assert form.period() is None
    assert form.errors["start"].key == "err.required"
    assert form.errors["end"].key == "export.err.date"
    with pytest.raises(SupervisionFailed):
        ServerSupervision(device).device_activity()
    device.lock()
    with pytest.raises(SupervisionFailed) as locked:
        ServerSupervision(device).device_activity()
    assert locked.value.problem.key == "err.locked"
