"""The conflicts screens in the headless harness over a real store: list, both values, resolve
by choosing one and by writing a merged text, on a phone and on a laptop."""

from __future__ import annotations

import uuid
from pathlib import Path

import flet as ft

from field_app.services.state import Phase
from shared_models.records import Family, Visit
from tests.ui.conflict_data import clock, pull, pull_conflict, pull_family
from tests.ui.harness import FakeDevice, Harness, run, start_unlocked, walk
from tests.ui.stores import real_store


def _device(tmp_path: Path, username: str = "olena", role: str = "social_worker"
            ) -> FakeDevice:
    device = FakeDevice(Phase.LOCKED, username=username)
    device.role = role
    device.store = real_store(tmp_path / "device", username=username, role=role)
    return device


def _family_conflict(device: FakeDevice) -> tuple[uuid.UUID, uuid.UUID]:
    assert device.store is not None
    fid = uuid.uuid4()
    pull_family(device.store, fid)
    return fid, pull_conflict(device.store, record_id=fid)


def _visit_conflict(device: FakeDevice) -> tuple[uuid.UUID, uuid.UUID]:
    store = device.store
    assert store is not None
    fid = uuid.uuid4()
    pull_family(store, fid, family_name="Бондар", settlement="Ворсівка")
    vid = uuid.uuid4()
    base = {"deleted": False, "family_id": str(fid), "visited_at": "2026-01-05T09:00:00+00:00",
            "risk_level": "medium", "author": "olena", "place": "home"}
    pull(store, "visit", vid, {**base, "next_steps": "Консультація"}, at=clock(0, "d1"),
         author="olena")
    return vid, pull_conflict(store, kind="visit", record_id=vid, field="next_steps",
                              winner="Візит до школи", loser="Оформити допомогу",
                              base_values=base)


async def _open(h: Harness, cid: uuid.UUID) -> None:
    await h.click(h.find(key=f"conflict-{cid}"))
    assert h.page.route == f"/more/conflicts/{cid}"


def test_list_and_choose_mine_on_a_phone(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        fid, cid = _family_conflict(device)
        h = await start_unlocked(tmp_path, device, route="/more")
        await h.click(h.find(key="more-conflicts"))
        assert "Потребують рішення: 1" in h.texts()
        tile = h.find(key=f"conflict-{cid}")
        assert tile.title.value == "Сім'я · Коваленко, Малин"
        assert tile.subtitle.value.startswith("Поле: Адреса\nМоє і Колеги petro · ")
        await _open(h, cid)
        assert [v.route for v in h.page.views] == ["/more", "/more/conflicts",
                                                   f"/more/conflicts/{cid}"]
        assert h.find(key="conflict-field").value == "Поле: Адреса"
        sides = [h.find(key=f"conflict-side-{i}") for i in (0, 1)]
        headings = [next(c.value for c in walk(side) if isinstance(c, ft.Text)) for side in sides]
        assert headings == ["Моє", "Колеги petro"]
        assert h.find(key="conflict-value-0").value == "вул. Садова, 3"
        assert h.find(key="conflict-value-1").value == "вул. Садова, 5"
        assert "Зараз у записі" in h.texts()
        # Stacked on a phone: the two cards sit in one column.
        assert isinstance(sides[0].parent, ft.Column) and sides[0].parent is sides[1].parent
        assert h.find(key="conflict-merged").value == "вул. Садова, 5"
        await h.click(h.find(key="conflict-keep-0"))
        assert h.find(key="conflict-settled").content.controls[1].value == (
            "Вирішено на цьому телефоні: тепер у записі «вул. Садова, 3». Буде надіслано під "
            "час синхронізації.")
        assert device.store is not None
        assert device.store.get(Family, fid).address == "вул. Садова, 3"
        assert h.page.data.services.sync.pending == 1       # waits on the phone like any edit
        await h.pop_view()
        assert "Вирішено, чекає надсилання" in h.texts()
        assert "Потребують рішення: 1" not in h.texts()
        await h.close()

    run(flow)


def test_merged_text_on_a_laptop_side_by_side(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path, username="iryna", role="supervisor")
        vid, cid = _visit_conflict(device)
        h = await start_unlocked(tmp_path, device, route="/more/conflicts", width=1280,
                                 height=800)
        assert "Оберіть конфлікт зі списку." in h.texts()
        await _open(h, cid)
        assert [v.route for v in h.page.views] == [f"/more/conflicts/{cid}"]  # one view
        assert h.find(key=f"conflict-{cid}").selected      # the list stays beside it
        side = h.find(key="conflict-side-0")
        assert isinstance(side.parent.parent, ft.Row)       # side by side
        assert h.find(key="conflict-record").value == "Візит · 05.01.2026 · Бондар, Ворсівка"
        assert h.find(key="conflict-keep-0").content == "Залишити «petro»"
        assert h.find(key="conflict-keep-1").content == "Залишити «olena»"
        merged = h.find(key="conflict-merged")
        assert merged.multiline
        assert merged.value == "Візит до школи\n\nОформити допомогу"
        await h.type(merged, "Візит до школи, потім оформити допомогу")
        await h.page.data.set_language("en")                 # the draft survives a re-render
        await h.settle()
        assert h.find(key="conflict-merged").value == "Візит до школи, потім оформити допомогу"
        assert h.find(key="conflict-field").value == "Field: Agreed next steps"
        await h.page.data.set_language("uk")
        await h.settle()
        await h.click(h.find(key="conflict-save-merged"))
        assert device.store is not None
        assert device.store.get(Visit, vid).next_steps == "Візит до школи, потім оформити допомогу"
        assert h.find(key="conflict-settled").content.controls[1].value.startswith(
            "Вирішено на цьому телефоні: тепер у записі «Візит до школи, потім оформити "
            "допомогу»")
        assert h.find_all(key="conflict-current") == []     # said by the banner
        assert "Вирішено, чекає надсилання" in h.texts()     # the list beside it follows
        await h.close()

    run(flow)


def test_an_invalid_merged_text_is_explained_next_to_the_field(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        assert device.store is not None
        fid = uuid.uuid4()
        pull_family(device.store, fid)
        cid = pull_conflict(device.store, record_id=fid, field="family_name",
                            winner="Коваленко", loser="Коваленки")
        h = await start_unlocked(tmp_path, device, route=f"/more/conflicts/{cid}")
        merged = h.find(key="conflict-merged")
        assert not merged.multiline
        await h.type(merged, "")
        await h.click(h.find(key="conflict-save-merged"))
        assert h.find(key="conflict-merged").error == "Заповніть це поле"
        assert device.store.pending_count() == 0
        await h.type(h.find(key="conflict-merged"), "Коваленко-Бондар")
        assert h.find(key="conflict-merged").error is None
        await h.click(h.find(key="conflict-save-merged"))
        assert device.store.get(Family, fid).family_name == "Коваленко-Бондар"
        await h.close()

    run(flow)


def test_a_choice_field_offers_no_merged_text(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path)
        assert device.store is not None
        fid = uuid.uuid4()
        pull_family(device.store, fid, displaced=False)
        cid = pull_conflict(device.store, record_id=fid, field="displaced", winner=True,
                            loser=False)
        h = await start_unlocked(tmp_path, device, route=f"/more/conflicts/{cid}")
        assert h.find(key="conflict-field").value == "Поле: Сім'я, у якій є ВПО"
        assert h.find(key="conflict-value-0").value == "Ні"
        assert h.find(key="conflict-value-1").value == "Так"
        assert h.find_all(key="conflict-merged") == []
        await h.click(h.find(key="conflict-keep-0"))
        assert device.store.get(Family, fid).displaced is False
        await h.close()

    run(flow)


def test_another_workers_conflict_is_not_shown(tmp_path: Path) -> None:
    async def flow() -> None:
        device = _device(tmp_path, username="taras")
        _, cid = _family_conflict(device)
        h = await start_unlocked(tmp_path, device, route="/more/conflicts")
        assert "Немає конфліктів змін." in h.texts()
        await h.follow(f"/more/conflicts/{cid}")
        assert "Цього конфлікту немає на телефоні (можливо, його вже вирішено)." in h.texts()
        assert h.find_all(key="conflict-keep-0") == []
        await h.close()

    run(flow)
