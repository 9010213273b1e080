"""The dashboard and the export screen in Debian's Chromium, against a real seeded server.

A supervisor (phone, 360×640) and the regional coordinator (laptop, 1280×800) each sign in
on their own device, sync the demo data, and open the dashboard from the More place; the
coordinator also downloads an XLSX export, which is opened back and checked against the
server's database. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from field_app.services.store_device import StoreDevice, sync_client_sign_in
from sync_server.db import make_engine
from tests.ui.conftest import PIN, ROOT, AppPage, _env, _serve_app, free_port, serve

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-пароль-2026"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``seed-demo`` data served by ``python -m sync_server serve``; (url, database url)."""
    folder = tmp_path_factory.mktemp("demo-server")
    port = free_port()
    db = f"sqlite:///{folder / 'server.db'}"
    env = _env(PORUCH_DATABASE_URL=db, PORUCH_PORT=str(port))
    python = [sys.executable, "-m", "sync_server"]
    subprocess.run([*python, "seed-demo", "--password", DEMO_PASSWORD, "--families", "6"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    url = f"http://127.0.0.1:{port}"
    with serve([*python, "serve", "--port", str(port)], env, f"{url}/health",
               folder / "server.log"):
        # A worker's phone that signed in once and went quiet five days ago: worth a call.
        r = httpx.post(f"{url}/api/v1/auth/login", headers={"X-Poruch-Protocol": "1"},
                       json={"username": "zhytomyrska.fakhivets2", "password": DEMO_PASSWORD,
                             "device_name": "Samsung A15"}, timeout=30)
        assert r.status_code == 200, r.text
        engine = make_engine(db)
        with engine.begin() as conn:
            conn.execute(text("UPDATE device SET last_seen_at = :t WHERE name = 'Samsung A15'"),
                         {"t": datetime.now(UTC) - timedelta(days=5)})
        engine.dispose()
        yield url, db


def _device_app(folder: Path, server: str, user: str) -> Iterator[str]:
    device = StoreDevice(folder, sign_in=sync_client_sign_in)
    device.set_up(server_url=server, username=user, password=DEMO_PASSWORD, pin=PIN)
    result = device.sync(lambda _p: None)          # the demo data, as "sync now" would
    assert result.pulled > 0
    assert device.store is not None
    device.store.close()
    with _serve_app(folder) as url:
        yield url


@pytest.fixture(scope="module")
def supervisor_app(tmp_path_factory: pytest.TempPathFactory,
                   demo_server: tuple[str, str]) -> Iterator[str]:
    yield from _device_app(tmp_path_factory.mktemp("kerivnyk"), demo_server[0],
                           "zhytomyrska.kerivnyk")


@pytest.fixture(scope="module")
def coordinator_app(tmp_path_factory: pytest.TempPathFactory,
                    demo_server: tuple[str, str]) -> Iterator[str]:
    yield from _device_app(tmp_path_factory.mktemp("koordynator"), demo_server[0],
                           "koordynator")


def _to_dashboard(app: AppPage) -> None:
    app.wait_text("Розблокування", timeout=60_000)
    app.type_into("PIN-код", PIN)
    app.button("Розблокувати").click()
    # "Сім'ї громади", or "Сім'ї 11 громад" on the coordinator's device.
    app.page.get_by_text(re.compile(r"^Сім'ї (громади|\d+ громад)$")).first.wait_for(
        state="attached", timeout=30_000)
    app.more("Огляд громад", "Візити за тижнями")


def _scroll(app: AppPage, pixels: int) -> None:
    # Flutter scrolls on wheel events over the scrollable, not on window.scroll.
    app.page.mouse.move(app.page.viewport_size["width"] / 2, 300)
    app.page.mouse.wheel(0, pixels)
    app.page.wait_for_timeout(500)


def test_supervisor_dashboard_on_a_phone(supervisor_app: str, phone: AppPage) -> None:
    app = phone.open(supervisor_app)
    _to_dashboard(app)
    page = app.page
    # zhytomyrska's demo placement started 80 days ago: near its 3-month limit.
    page.get_by_text(re.compile(r"Строк спливає: залишилось \d+ (день|дні|днів)")).first \
        .wait_for(state="attached", timeout=15_000)
    app.wait_text("Патронат потребує уваги: 1")
    assert page.get_by_text(re.compile(r"^Прострочені візити: \d+$")).count() == 1
    assert app.small_targets() == [], app.small_targets()
    app.shot("1-top")
    _scroll(app, 620)
    app.shot("2-weeks")
    # The chart is one image to a screen reader, labelled with every week's number.
    chart = page.get_by_text(re.compile("^Діаграма візитів за тижнями, з "))
    assert chart.count() == 1, page.evaluate(
        "() => Array.from(document.querySelectorAll('flt-semantics')).map(e => e.outerHTML"
        ".slice(0, 300)).filter(h => h.includes('іаграм')).join('\\n')")
    _scroll(app, 700)
    app.shot("3-risk")
    _scroll(app, 500)
    app.shot("3-workload")
    page.get_by_text("Варто зателефонувати").first.wait_for(state="attached", timeout=30_000)
    _scroll(app, 1600)
    app.shot("4-devices")
    assert page.get_by_text(re.compile(r"^востаннє 5 днів тому \(.*Samsung A15")).count() == 1


def test_placement_form_and_export_screen_on_a_phone(supervisor_app: str,
                                                     phone: AppPage) -> None:
    app = phone.open(supervisor_app)
    _to_dashboard(app)
    page = app.page
    page.get_by_role("button", name=re.compile("Строк спливає")).first.click()
    app.wait_text("Влаштування", timeout=30_000)
    page.get_by_text(re.compile(r"^Не пізніше \d\d\.\d\d\.\d{4}: до 3 місяців")).wait_for(
        state="attached", timeout=15_000)
    assert app.small_targets() == [], app.small_targets()
    # The dropdowns are named for screen readers (Flet does not pass their labels on).
    assert app.button("Дитина").count() == 1, app.dump()
    app.shot("1-placement-form")
    _scroll(app, 700)
    app.shot("2-placement-extension")
    app.button("Зберегти").click()                        # nothing changed: saved as it is
    app.wait_text("Збережено на телефоні. Надішлеться під час синхронізації.")
    app.shot("3-placement-saved")
    # Back to the foster family's card: its foster-care section lists the placement.
    page.locator("flt-semantics[aria-label='Назад']").first.click()
    app.wait_text("Сімейний патронат", timeout=30_000)
    section = page.get_by_text("Сімейний патронат")
    section.scroll_into_view_if_needed()
    app.shot("3b-family-card")
    # Then the families, to reach the bottom navigation bar.
    page.locator("flt-semantics[aria-label='Назад']").first.click()
    page.wait_for_timeout(800)
    app.more("Експорт звітів", "Отримати файл")
    assert app.small_targets() == [], app.small_targets()
    app.shot("4-export")


def test_coordinator_dashboard_and_export_on_a_laptop(coordinator_app: str, laptop: AppPage,
                                                     demo_server: tuple[str, str],
                                                     tmp_path: Path) -> None:
    app = laptop.open(coordinator_app)
    _to_dashboard(app)
    page = app.page
    app.wait_text("Візити за громадами за ці тижні")
    assert app.button("Громада").count() == 1, app.dump()     # the filter, by its name
    page.get_by_text("Патронат потребує уваги: 4").wait_for(state="attached", timeout=15_000)
    assert app.small_targets() == [], app.small_targets()
    app.shot("1-all-communities")
    _scroll(app, 1200)
    app.shot("2-further")
    # Exports: the XLSX arrives as a browser download.
    app.more("Експорт звітів", "Отримати файл")
    start = (datetime.now(UTC).date() - timedelta(days=60)).strftime("%d.%m.%Y")
    app.type_into("Період з", start)
    app.shot("3-export-form")
    with page.expect_download(timeout=60_000) as info:
        app.button("Отримати файл").click()
    download = info.value
    assert re.fullmatch(r"poruch-all-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.xlsx",
                        download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    page.get_by_text(re.compile("^Файл «poruch-all-")).wait_for(state="attached",
                                                                 timeout=15_000)
    app.shot("4-export-ready")
    rows = list(load_workbook(saved)["Візити"].iter_rows(values_only=True))
    engine = make_engine(demo_server[1])
    with engine.begin() as conn:
        ids = {str(r[0]) for r in conn.execute(text("SELECT id FROM visit WHERE NOT deleted"))}
        audited = conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'export' "
                                    "AND actor = 'koordynator'")).scalar_one()
    engine.dispose()
    # Every demo visit is within the last 60 days; ids in the database are hex on SQLite.
    assert {str(r[5]).replace("-", "") for r in rows[1:]} == {i.replace("-", "") for i in ids}
    assert audited == 11
