"""The families list in a headless session: rows, search, filters, paging, opening a card."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from field_app.services.state import Phase
from field_app.ui.app import make_main
from shared_models.records import Family
from tests.ui.harness import FakeDevice, Harness, run, services_for, start_unlocked


def device_with_families(n_extra: int = 0) -> FakeDevice:
    d = FakeDevice(Phase.LOCKED)
    today = d.today
    d.family_records = [
        Family(community="malynska", family_name="Коваленко", settlement="Малин",
               next_visit_date=today + timedelta(days=2), assigned_worker="olena"),
        Family(community="malynska", family_name="Шевченко", settlement="Ворсівка",
               next_visit_date=today - timedelta(days=3)),
        Family(community="malynska", family_name="Бондар", settlement="Малин"),
        *[Family(community="malynska", family_name=f"Родина {i:03d}", settlement="Гранітне")
          for i in range(n_extra)],
    ]
    d.unsynced = {str(d.family_records[2].id)}
    return d


def test_rows_show_next_visit_status_and_unsynced_mark(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device_with_families()
        h = await start_unlocked(tmp_path, d)
        await h.settle()
        text = h.text()
        assert "Коваленко" in text and "Малин · Наступний візит 25.11.2026 · скоро" in text
        assert "Ворсівка · Наступний візит 20.11.2026 · прострочено" in text
        assert "Малин · Візит не заплановано" in text
        bondar = h.find(key=f"family-{d.family_records[2].id}")
        assert bondar.trailing is not None  # "saved on this phone, not sent yet"
        await h.close()
    run(flow)


def test_search_and_filters_narrow_the_list(tmp_path: Path) -> None:
    async def flow() -> None:
        h = await start_unlocked(tmp_path, device_with_families())
        await h.settle()
        await h.type(h.find(key="families-search"), "ворс")
        await h.settle()
        assert "Шевченко" in h.text() and "Коваленко" not in h.text()
        await h.type(h.find(key="families-search"), "")
        await h.click(h.find(key="families-filter-mine"))
        await h.settle()
        assert "Коваленко" in h.text() and "Шевченко" not in h.text()
        await h.click(h.find(key="families-filter-closed"))
        await h.settle()
        assert "Нічого не знайдено" in h.text()
        await h.close()
    run(flow)


def test_long_lists_page_and_a_row_opens_the_card(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device_with_families(n_extra=120)
        h = await start_unlocked(tmp_path, d)
        await h.settle()
        assert h.text().count("Гранітне") == 47   # 50 rows per page, 3 named families first
        more = h.find(key="families-more")
        assert more.visible
        await h.click(more)
        await h.settle()
        await h.click(h.find(key="families-more"))
        await h.settle()
        assert h.text().count("Гранітне") == 120
        assert not h.find_all(key="families-more")  # hidden: nothing more to show
        await h.click(h.find(key=f"family-{d.family_records[0].id}"))
        await h.settle()
        assert h.page.route == f"/families/{d.family_records[0].id}"
        await h.close()
    run(flow)


def test_the_list_shows_what_a_sync_brought(tmp_path: Path) -> None:
    class SyncBringsAFamily(FakeDevice):
        def sync(self, progress):  # type: ignore[no-untyped-def]
            self.family_records.append(arrived)
            return super().sync(progress)

    async def flow() -> None:
        h = await start_unlocked(tmp_path, d, sync_on_open=True)  # syncs right after unlock
        await h.settle()
        assert "sync" in d.calls and h.page.route == "/families"
        assert arrived.family_name in h.text()  # shown without leaving the list
        await h.close()

    d = SyncBringsAFamily(Phase.LOCKED)
    arrived = Family(community="malynska", family_name="Новенька", settlement="Малин")
    run(flow)


def test_the_app_syncs_on_its_own_while_open_but_never_twice_at_once(tmp_path: Path) -> None:
    class SlowDevice(FakeDevice):
        running = 0
        most = 0

        def sync(self, progress):  # type: ignore[no-untyped-def]
            SlowDevice.running += 1
            SlowDevice.most = max(SlowDevice.most, SlowDevice.running)
            try:
                time.sleep(0.15)
                return super().sync(progress)
            finally:
                SlowDevice.running -= 1

    async def flow() -> None:
        d = SlowDevice(Phase.LOCKED)
        services = services_for(tmp_path, d, sync_on_open=True)
        services.sync_interval_s = 0.3
        services.sync_check_s = 0.02
        h = await Harness.start(make_main(services))
        await h.type(h.find(key="unlock-pin"), d.pin)
        await h.click(h.find(key="unlock-submit"))
        for _ in range(200):               # on open, then by the interval alone (no button)
            if d.calls.count("sync") >= 3:
                break
            await asyncio.sleep(0.05)
        assert d.calls.count("sync") >= 3, d.calls
        await h.tap_place(2)
        for _ in range(5):                 # the worker presses the button again and again
            if h.find_all(key="sync-now"):
                await h.click(h.find(key="sync-now"))
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        assert SlowDevice.most == 1                  # never two at once
        await h.close()
    run(flow)
