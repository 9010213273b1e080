"""Defects found by walking the app as a worker, a supervisor and the coordinator (QA pass).

Each test drives the screen in a headless Flet session over a real encrypted store and fails
without its fix; the browser journey (``test_journey_browser.py``) covers the whole day.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import flet as ft
import pytest

from field_app.services.app import AppServices
from field_app.services.settings import SettingsFile
from field_app.services.state import Phase
from field_app.store import LocalStore
from field_app.ui.app import make_main
from shared_models.records import Family, Visit
from tests.ui.conflict_data import clock, pull
from tests.ui.harness import FakeDevice, Harness, run
from tests.ui.layout_check import (
    expand_in_unbounded_row,
    flex_in_wrap,
    helper_cut,
    unbounded_text,
)
from tests.ui.stores import real_store
from tests.ui.test_supervision_flows import seed, start


def open_conflict(store: LocalStore, family_id: uuid.UUID) -> uuid.UUID:
    """An open conflict on the family's address in malynska, as the server sends it."""
    conflict_id = uuid.uuid4()
    pull(store, "conflict", conflict_id, {
        "deleted": False, "record_kind": "family", "record_id": str(family_id),
        "field": "address", "winner_value": "вул. Садова, 5", "winner_clock": clock(2_000, "w"),
        "winner_author": "petro", "loser_value": "вул. Садова, 3",
        "loser_clock": clock(1_000, "l"), "loser_author": "olena", "status": "open",
        "resolved_by": None}, at=clock(3_000), author="server", community="malynska")
    return conflict_id


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, username="iryna", role="supervisor",
                   communities=("malynska", "pulynska"))
    yield s
    s.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_dashboards_community_filter_can_be_laid_out(tmp_path: Path, store: LocalStore,
                                                         width: int) -> None:
    """A supervisor of two communities (or the coordinator of eleven) gets the filter; on a
    phone it expanded inside a Row's child that did not, and was drawn over the screen."""
    async def flow() -> None:
        seed(store)
        h = await start(tmp_path, store, "/more/dashboard", width=width)
        assert h.find(key="dash-filter") is not None
        assert expand_in_unbounded_row(list(h.page.views)) == []
        await h.close()
    run(flow)


def test_no_screen_lays_out_badly_on_a_phone(tmp_path: Path, store: LocalStore) -> None:
    """Every place and form a supervisor opens, at a phone's width: no expanding control
    where Flutter has no room to expand it (a grey box or a control drawn out of place), and
    no long text in a row that cannot wrap it (the family card's "Відповідальний фахівець:
    malynska.fakhivets2" ran off the screen's edge), no long helper line cut to one."""
    async def flow() -> None:
        seeded = seed(store)
        fid = seeded["birth"].id
        conflict = open_conflict(store, fid)
        [late] = [v for v in store.all(Visit) if v.author == "petro"]
        h = await start(tmp_path, store, "/families")
        problems: list[str] = []
        for route in ["/families", f"/families/{fid}", f"/families/{fid}/edit",
                      f"/families/{fid}/members/new", f"/families/{fid}/visits/new",
                      f"/families/{fid}/notes/new", f"/families/{fid}/placements/new",
                      "/visits", "/sync", "/more", "/more/settings", "/more/settings/pin",
                      "/more/settings/sign-out", "/more/review", "/more/conflicts",
                      f"/more/review/visit/{late.id}", f"/more/conflicts/{conflict}",
                      "/more/dashboard", "/more/exports", "/more/placements"]:
            await h.follow(route)
            await h.settle()
            h.assert_no_crash()
            views = list(h.page.views)
            assert expand_in_unbounded_row(views) == [], route
            assert flex_in_wrap(views) == [], route
            problems += [f"{route}: {p}" for p in unbounded_text(views) + helper_cut(views)]
        await h.close()
        assert problems == [], "\n".join(problems)
    run(flow)



@pytest.mark.parametrize(("width", "small"), [(360, True), (1280, False)])
def test_a_long_title_beside_the_save_tick_is_not_cut_off_on_a_phone(
        tmp_path: Path, store: LocalStore, width: int, small: bool) -> None:
    """"Редагування сім'ї" beside the save tick and the sync indicator showed as
    "Редагування ..." at 360 px: it is set smaller, on up to two lines; short titles and
    wide screens keep the large one-line title."""
    async def flow() -> None:
        fid = seed(store)["birth"].id
        h = await start(tmp_path, store, f"/families/{fid}/edit", width=width)
        title = h.view.appbar.title
        assert title.value == "Редагування сім'ї"
        assert (title.max_lines == 2 and title.theme_style is ft.TextThemeStyle.TITLE_MEDIUM
                ) is small
        for route in ("/families", f"/families/{fid}", f"/families/{fid}/visits/new"):
            await h.follow(route)
            await h.settle()
            short = h.view.appbar.title
            assert short.max_lines == 1 and short.theme_style is None, short.value
        await h.close()
    run(flow)



async def start_listing(tmp_path: Path, store: LocalStore, route: str) -> Harness:
    """Iryna's app (supervisor of malynska and pulynska) listing the store's families."""
    device = FakeDevice(Phase.LOCKED, username="iryna")
    device.store, device.role = store, "supervisor"
    device.communities = ["malynska", "pulynska"]
    device.family_records = store.all(Family)
    device.today = date.today()
    services = AppServices(data_dir=tmp_path, device=device, settings=SettingsFile(tmp_path),
                           sync_on_open=False)
    h = await Harness.start(make_main(services), route="/", width=360)
    await h.type(h.find(key="unlock-pin"), device.pin)
    await h.click(h.find(key="unlock-submit"))
    await h.follow(route)
    await h.settle()
    return h


def test_a_list_of_several_communities_says_each_familys_community(
        tmp_path: Path, store: LocalStore) -> None:
    """The coordinator's list showed "Коваленко · Озерне" with eleven communities' villages
    mixed (Озерне is in several): rows of several communities name theirs; a list of one
    community stays as it was."""
    async def flow() -> None:
        seed(store)                                # families in malynska and pulynska
        h = await start_listing(tmp_path, store, "/families")
        assert "Пулини (Пулинська громада) · Візит не заплановано" in h.texts()
        assert any(t.startswith("Малин (Малинська громада) · ") for t in h.texts())
        await h.follow("/visits")
        await h.settle()
        assert any(t.endswith(" · Ворсівка (Малинська громада)") for t in h.texts()), h.texts()
        await h.close()
        for f in store.all(Family):
            if f.community == "pulynska":
                store.delete(Family, f.id)
        one = await start_listing(tmp_path, store, "/families")
        assert any(t.startswith("Малин · ") for t in one.texts())
        assert not any("громада)" in t for t in one.texts())
        await one.close()
    run(flow)
