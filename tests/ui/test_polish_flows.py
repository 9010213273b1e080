"""QA leftovers of the field app, each driven in a headless session over real stores.

Empty detail panes on wide screens, notices that outlived their screen, the families title
of a device holding several communities, the order of a visit's services, icon buttons
without a name, and the sync a supervisor's decision asks for. Each test fails without its
fix (the family form's past next visit is in ``test_family_forms_service.py``, the review
status at the top of a visit in ``test_visit_flow.py``, the policy in
``tests/sync/test_policy.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import flet as ft
import pytest

from field_app.services.app import AppServices
from field_app.services.settings import SettingsFile
from field_app.services.state import Phase
from field_app.store import LocalStore
from field_app.ui.app import make_main
from shared_models.communities import COMMUNITIES
from shared_models.records import Family, Visit
from tests.ui.harness import FakeDevice, Harness, run, start_unlocked, strings_of, walk
from tests.ui.review_data import Relay, family, visit
from tests.ui.stores import real_store
from tests.ui.test_qa_flows import open_conflict
from tests.ui.test_supervision_flows import seed, start

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    s = real_store(tmp_path, username="iryna", role="supervisor",
                   communities=("malynska", "pulynska"))
    yield s
    s.close()


def snacks(h: Harness) -> list[str]:
    """The texts of the notices open at the bottom of the screen."""
    return [s for d in h.page._dialogs.controls
            if isinstance(d, ft.SnackBar) and d.open for c in walk(d) for s in strings_of(c)]


async def unlocked(tmp_path: Path, device: FakeDevice, route: str, *, width: int = 360,
                   height: int = 640, **services: object) -> Harness:
    """The app over ``device`` past the unlock screen, at ``route``."""
    app = AppServices(data_dir=tmp_path, device=device, settings=SettingsFile(tmp_path),
                      **{"sync_on_open": False, **services})  # type: ignore[arg-type]
    h = await Harness.start(make_main(app), route="/", width=width, height=height)
    await h.type(h.find(key="unlock-pin"), device.pin)
    await h.click(h.find(key="unlock-submit"))
    await h.follow(route)
    await h.settle()
    return h


# ---- 1. the detail pane of two panes is never blank ---------------------------------------
def test_wide_detail_panes_ask_to_choose_or_say_the_list_is_empty(tmp_path: Path,
                                                                  store: LocalStore) -> None:
    async def flow() -> None:
        h = await start(tmp_path, store, "/more/review", width=1280)
        hint = h.find(key="detail-hint")
        words = [s for c in walk(hint) for s in strings_of(c)]
        assert words[0] == "Нічого не чекає рішення" and "ліворуч" in words[1]
        await h.follow("/more/conflicts")
        await h.settle()
        assert "Конфліктів немає" in h.texts()
        fid = seed(store)["birth"].id
        open_conflict(store, fid)
        await h.follow("/more/review")
        await h.settle()
        assert "Оберіть запис зі списку, щоб переглянути його й ухвалити рішення." in h.texts()
        await h.follow("/more/conflicts")
        await h.settle()
        assert "Оберіть конфлікт зі списку." in h.texts()
        await h.close()
    run(flow)


def test_the_families_pane_says_how_to_get_the_first_family(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED)
        h = await unlocked(tmp_path, device, "/families", **LAPTOP)
        assert "Сімей ще немає" in h.texts()
        assert any("«Нова сім'я»" in s for s in h.texts())
        await h.close()
        device = FakeDevice(Phase.LOCKED)
        device.family_records = [Family(community="zhytomyrska", family_name="Коваленко",
                                        settlement="Житомир")]
        h = await unlocked(tmp_path, device, "/families", **LAPTOP)
        assert "Оберіть сім'ю зі списку, щоб побачити її картку." in h.texts()
        assert "Сімей ще немає" not in h.texts()
        await h.close()
    run(flow)


# ---- 3. a notice belongs to the screen it was shown on -------------------------------------
def test_a_notice_is_closed_by_leaving_its_screen_but_not_lost_by_a_save(
        tmp_path: Path, store: LocalStore) -> None:
    async def flow() -> None:
        fid = seed(store)["birth"].id
        h = await start(tmp_path, store, f"/families/{fid}/edit")
        await h.type(h.find(key="family-phone"), "+380501112233")
        await h.click(h.find(key="family-save"))
        await h.settle()
        assert h.page.route == f"/families/{fid}"
        assert snacks(h) == ["Збережено на цьому телефоні"]   # shown on the card it opened
        await h.pop_view()                                      # back to the list: gone
        await h.settle()
        assert h.page.route == "/families"
        assert snacks(h) == []
        await h.follow(f"/families/{fid}/edit")
        await h.settle()
        await h.click(h.find(key="family-save"))                # nothing changed
        await h.settle()
        assert snacks(h) == ["Змін немає."]
        await h.follow("/visits")                               # another place: gone
        await h.settle()
        assert snacks(h) == []
        await h.close()
    run(flow)


# ---- 4. a new family's next visit is not in the past ---------------------------------------
def test_a_past_next_visit_is_refused_next_to_its_field(tmp_path: Path, store: LocalStore) -> None:
    async def flow() -> None:
        h = await start(tmp_path, store, "/families/new")
        await h.choose(h.find(key="family-community"), "malynska")
        await h.type(h.find(key="family-family_name"), "Гуменюк")
        await h.type(h.find(key="family-settlement"), "Малин")
        yesterday = date.today() - timedelta(days=1)
        await h.type(h.find(key="family-next_visit_date"), f"{yesterday:%d.%m.%Y}")
        await h.click(h.find(key="family-save"))
        await h.settle()
        assert h.page.route == "/families/new"
        assert h.find(key="family-next_visit_date").error == (
            "Дата наступного візиту вже минула. Вкажіть сьогоднішню або пізнішу дату.")
        assert store.all(Family) == []
        await h.type(h.find(key="family-next_visit_date"), f"{date.today():%d.%m.%Y}")
        await h.click(h.find(key="family-save"))
        await h.settle()
        assert [f.next_visit_date for f in store.all(Family)] == [date.today()]
        await h.close()
    run(flow)


# ---- 5. the families title is true for the communities on the device --------------------
@pytest.mark.parametrize(("communities", "uk", "en"), [
    (["malynska"], "Сім'ї громади", "Families of the community"),
    (["malynska", "pulynska"], "Сім'ї 2 громад", "Families of 2 communities"),
    ([c.value for c in COMMUNITIES], "Сім'ї 11 громад", "Families of 11 communities"),
])
def test_the_families_title_counts_the_communities(tmp_path: Path, communities: list[str],
                                                   uk: str, en: str) -> None:
    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED)
        device.communities = communities
        h = await unlocked(tmp_path, device, "/families")
        assert h.view.appbar.title.value == uk
        await h.page.data.set_language("en")
        assert h.view.appbar.title.value == en
        await h.close()
    run(flow)


# ---- 6. a visit's services read alike for the worker and the supervisor ------------------
def test_a_visits_services_are_in_catalogue_order_on_both_screens(tmp_path: Path) -> None:
    async def flow() -> None:
        for name in ("olena", "iryna"):
            (tmp_path / name).mkdir()
        olena = real_store(tmp_path / "olena", username="olena")
        iryna = real_store(tmp_path / "iryna", username="iryna", role="supervisor")
        fam = family(olena, "Коваленко")
        v = visit(olena, fam, "medium", 2, services=["012.0", "early-intervention", "001.0"])
        relay = Relay()
        relay.sync(olena)
        relay.sync(iryna)
        expected = "\n".join(["001.0 Інформування", "012.0 Кризове та екстрене втручання",
                              "Раннє втручання"])
        worker = FakeDevice(Phase.LOCKED)
        worker.store = olena
        h = await start_unlocked(tmp_path / "olena", worker,
                                 route=f"/families/{fam.id}/visits/{v.id}")
        await h.settle()
        assert expected in h.texts()
        await h.close()
        boss = FakeDevice(Phase.LOCKED, username="iryna")
        boss.store, boss.role = iryna, "supervisor"
        h = await start_unlocked(tmp_path / "iryna", boss, route=f"/more/review/visit/{v.id}")
        await h.settle()
        assert h.find(key="review-field-services").value == expected
        await h.close()
    run(flow)


# ---- 7. every icon-only button is named, in the session's language -----------------------
def _unnamed_icon_buttons(h: Harness) -> list[str]:
    """Icon buttons without a tooltip, and any other tappable control that neither shows
    words nor carries a name (an icon in a clickable container)."""
    def named(c: object) -> bool:
        return any(s.strip() for s in strings_of(c))  # type: ignore[arg-type]

    out = []
    for c in h.controls(top_only=False):
        if isinstance(c, ft.IconButton):
            if not (c.tooltip or "").strip():
                out.append(str(c.icon))
        elif getattr(c, "on_click", None) is not None and not any(named(x) for x in walk(c)):
            out.append(f"{type(c).__name__} {getattr(c, 'key', '')}")
    return out


def _ukrainian_names(h: Harness) -> list[str]:
    return [str(c.tooltip) for c in h.controls(top_only=False)
            if isinstance(c, ft.IconButton) and re.search("[а-яіїєґ]", str(c.tooltip), re.I)]


@pytest.mark.parametrize("width", [360, 1280])
def test_no_icon_button_lacks_a_tooltip_on_the_main_screens(tmp_path: Path, store: LocalStore,
                                                            width: int) -> None:
    async def flow() -> None:
        seeded = seed(store)
        fid = seeded["birth"].id
        conflict = open_conflict(store, fid)
        [late] = [v for v in store.all(Visit) if v.author == "petro"]
        h = await start(tmp_path, store, "/families", width=width)
        routes = ["/families", f"/families/{fid}", f"/families/{fid}/edit",
                  f"/families/{fid}/members/new", f"/families/{seeded['child'].id}",
                  f"/families/{fid}/visits/new", f"/families/{late.family_id}/visits/{late.id}",
                  f"/families/{fid}/notes/new", f"/families/{fid}/placements/new",
                  f"/families/{fid}/placements/{seeded['placement'].id}",
                  "/visits", "/sync", "/more", "/more/settings", "/more/settings/pin",
                  "/more/settings/sign-out", "/more/review", f"/more/review/visit/{late.id}",
                  "/more/conflicts", f"/more/conflicts/{conflict}", "/more/dashboard",
                  "/more/exports", "/more/placements"]
        seen = 0
        for lang in ("uk", "en"):
            await h.page.data.set_language(lang)
            for route in routes:
                await h.follow(route)
                await h.settle()
                seen += sum(isinstance(c, ft.IconButton) for c in h.controls(top_only=False))
                assert _unnamed_icon_buttons(h) == [], (lang, route)
                if lang == "en":
                    assert _ukrainian_names(h) == [], route
        assert seen > 2 * len(routes)      # back arrows, save ticks, calendars were looked at
        await h.close()
    run(flow)


# ---- 8. a decision reaches the author without waiting for the interval -------------------
def test_a_decision_asks_for_a_sync_soon(tmp_path: Path) -> None:
    async def flow() -> None:
        for name in ("olena", "iryna"):
            (tmp_path / name).mkdir()
        olena = real_store(tmp_path / "olena", username="olena")
        iryna = real_store(tmp_path / "iryna", username="iryna", role="supervisor")
        v = visit(olena, family(olena, "Коваленко"), "medium", 2)
        relay = Relay()
        relay.sync(olena)
        relay.sync(iryna)
        boss = FakeDevice(Phase.LOCKED, username="iryna")
        boss.store, boss.role = iryna, "supervisor"
        h = await unlocked(tmp_path, boss, f"/more/review/visit/{v.id}", sync_on_open=True,
                           sync_soon_s=0.01)
        assert boss.calls.count("sync") == 1        # the unlock's own sync
        await h.click(h.find(key="review-approve"))
        await h.settle()
        assert h.page.route == "/more/review"
        assert boss.calls.count("sync") == 2        # right away, not in 15 minutes
        assert h.page.data.auto_sync.requested is False
        await h.close()
    run(flow)


def test_a_promotion_brought_by_a_sync_changes_the_menus_at_once(tmp_path: Path) -> None:
    async def flow() -> None:
        device = FakeDevice(Phase.LOCKED)
        h = await start_unlocked(tmp_path, device, route="/more")
        review_tile = h.find(key="more-review")
        assert review_tile.title.value == "Повернуті на доопрацювання"   # a worker's entry
        device.role = "supervisor"           # what the next sync stores (pull's role/rescan)
        device.communities = ["zhytomyrska", "malynska"]
        await h.page.data.sync_now()
        await h.settle()
        assert h.page.data.session.role == "supervisor"
        assert h.page.data.session.communities == ("zhytomyrska", "malynska")
        assert h.page.route == "/more"
        assert h.find(key="more-review").title.value == "Черга перевірки"   # redrawn now
        device.role = "social_worker"        # and back, after a demotion
        await h.page.data.sync_now()
        await h.settle()
        assert h.find(key="more-review").title.value == "Повернуті на доопрацювання"
        await h.close()

    run(flow)
