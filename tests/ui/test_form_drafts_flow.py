"""The family, member and placement forms' drafts in a headless session over a real store.

The worker types, the app locks: the draft is sealed in the store and nothing of the form
is left in the session's memory; after unlock the form comes back as typed, saying it was
restored. After a kill (a new app session over the same store folder), "Нова сім'я" brings
back the half-typed family.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from field_app.services import form_drafts as fd
from field_app.services.draft_store import draft_keys, load_draft
from field_app.services.state import Phase
from field_app.store import LocalStore
from field_app.ui.views.sealed_form import SealedForm
from shared_models.records import Family, Person, Placement
from tests.ui.harness import Harness, run, start_unlocked, strings_of, walk
from tests.ui.layout_check import (
    expand_in_unbounded_row,
    flex_in_wrap,
    helper_cut,
    unbounded_text,
)
from tests.ui.stores import PIN, real_store
from tests.ui.test_family_card_flow import StoreDevice, _open, db, device, seeded
from tests.ui.test_supervision_flows import seed
from tests.ui.test_supervision_flows import start as start_supervisor

RESTORED = "Відновлено чернетку від "


def _app(h: Harness) -> Any:
    return h.page.data


def _restored(h: Harness) -> list[str]:
    return [s for s in h.texts() if s.startswith(RESTORED)]


async def _lock_and_check(h: Harness, store: LocalStore, key: str, secret: str) -> None:
    """Lock now: the draft holds ``secret``, the session's memory holds no form."""
    app = _app(h)
    await app.lock_now()
    await h.settle()
    assert h.page.route == "/unlock"
    draft = load_draft(store, key)
    assert draft is not None and secret in draft.data.values()
    assert len(app.forms) == 0                               # nothing typed left in memory
    assert secret not in h.texts()


async def _unlock(h: Harness, pin: str) -> None:
    """Unlock; the restored form (with its banner) lays out at a phone's width."""
    await h.type(h.find(key="unlock-pin"), pin)
    await h.click(h.find(key="unlock-submit"))
    await h.settle()
    views = list(h.page.views)
    assert expand_in_unbounded_row(views) == [] and flex_in_wrap(views) == []
    assert unbounded_text(views) + helper_cut(views) == []


def test_a_new_family_survives_the_lock_only_in_the_store(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        h = await _open(tmp_path, d, "/families/new")
        await h.type(h.find(key="family-family_name"), "Мельник")
        await h.type(h.find(key="family-address"), "вул. Садова, 3")
        await h.click(h.find(key="family-save"))              # problems shown: settlement
        assert h.find(key="family-settlement").error == "Заповніть це поле"
        await h.type(h.find(key="family-settlement"), "Малин")
        key = fd.family_key(new_id=_new_id(h))
        await _lock_and_check(h, db(d), key, "вул. Садова, 3")
        await _unlock(h, d.pin)
        assert h.page.route == "/families/new"                 # back where the worker was
        assert len(_restored(h)) == 1 and h.find(key="draft-restored")
        assert h.find(key="family-family_name").value == "Мельник"
        assert h.find(key="family-address").value == "вул. Садова, 3"
        assert h.find(key="family-settlement").value == "Малин"
        await h.click(h.find(key="family-save"))
        await h.settle()
        (fam,) = db(d).all(Family)
        assert (fam.family_name, fam.settlement) == ("Мельник", "Малин")
        assert h.page.route == f"/families/{fam.id}"
        assert draft_keys(db(d)) == []                         # saved: the draft is gone
        await h.close()
    run(flow)


def _new_id(h: Harness) -> str:
    sealed = _app(h).forms.get("/families/new", SealedForm)
    assert sealed is not None
    return str(sealed.form.new_id)


def test_a_member_edit_survives_the_lock_and_cancel_deletes_it(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        f, kid, _v = seeded(db(d))
        route = f"/families/{f.id}/members/{kid.id}"
        h = await _open(tmp_path, d, route)
        await h.type(h.find(key="member-patronymic"), "Петрівна")
        await _lock_and_check(h, db(d), fd.member_key(str(f.id), str(kid.id)), "Петрівна")
        await _unlock(h, d.pin)
        assert h.page.route == route
        assert len(_restored(h)) == 1
        assert h.find(key="member-patronymic").value == "Петрівна"
        assert h.find(key="member-first_name").value == "Аня"
        await h.click(h.find(key="member-cancel"))
        await h.settle()
        assert h.page.route == f"/families/{f.id}"
        assert draft_keys(db(d)) == []
        stored = db(d).get(Person, kid.id)
        assert stored is not None and stored.patronymic is None
        await h.close()
    run(flow)


def test_a_new_placement_survives_the_lock(tmp_path: Path) -> None:
    async def flow() -> None:
        store = real_store(tmp_path / "device", username="iryna", role="supervisor",
                           communities=("malynska", "pulynska"))
        try:
            s = seed(store)
            birth, foster, child = s["birth"], s["foster"], s["child"]
            route = f"/families/{birth.id}/placements/new"
            h = await start_supervisor(tmp_path, store, route)
            await h.choose(h.find(key="placement-child-id"), str(child.id))
            await h.choose(h.find(key="placement-foster-family-id"), str(foster.id))
            await h.type(h.find(key="placement-order-reference"), "Наказ ССД № 9")
            await _lock_and_check(h, store, fd.placement_key(str(birth.id)), "Наказ ССД № 9")
            await _unlock(h, PIN)
            assert h.page.route == route
            assert len(_restored(h)) == 1
            assert h.find(key="placement-order-reference").value == "Наказ ССД № 9"
            assert h.find(key="placement-child-id").value == str(child.id)
            assert h.find(key="placement-foster-family-id").value == str(foster.id)
            await h.click(h.find(key="placement-save"))
            await h.settle()
            assert any(p.order_reference == "Наказ ССД № 9" for p in store.all(Placement))
            assert draft_keys(store) == []
            await h.close()
        finally:
            store.close()
    run(flow)


def test_a_family_typed_before_a_kill_is_offered_by_new_family(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        path = tmp_path / "device" / "store.db"
        h = await _open(tmp_path, d, "/families/new")
        await h.type(h.find(key="family-family_name"), "Бондар")
        await h.type(h.find(key="family-phone"), "+380671112233")
        await asyncio.sleep(1.0)                               # the debounced write lands
        await h.settle()
        # Killed: no lock, no flush; the next start opens the store folder afresh.
        await h.close()
        db(d).close()
        again = StoreDevice(Phase.LOCKED)
        again.store = LocalStore.open(path, PIN)
        try:
            h2 = await start_unlocked(tmp_path, again, route="/families")
            await h2.settle()
            assert len(_app(h2).forms) == 0
            # The list offers the half-typed family; "Нова сім'я" would open it as well.
            tile = h2.find(key="families-pending-draft")
            words = [w for c in walk(tile) for w in strings_of(c)]
            assert "Незбережена нова сім'я: Бондар" in words
            await h2.click(tile)
            await h2.settle()
            assert h2.page.route == "/families/new"
            assert len(_restored(h2)) == 1
            assert h2.find(key="family-family_name").value == "Бондар"
            assert h2.find(key="family-phone").value == "+380671112233"
            # Discarding asks first, then the form starts empty and the draft is gone.
            await h2.click(h2.find(key="draft-discard"))
            dialog = h2.find(key="confirm-yes")
            await h2.click(dialog)
            await h2.settle()
            for control in h2.page._dialogs.controls:
                await h2.fire(control, "dismiss")
            await h2.settle()
            assert _restored(h2) == []
            assert h2.find(key="family-family_name").value == ""
            assert draft_keys(again.store) == []
            await h2.follow("/families")
            await h2.settle()
            assert h2.find_all(key="families-pending-draft") == []
            await h2.click(h2.find(key="families-add"))        # "Нова сім'я": a fresh form
            await h2.settle()
            assert _restored(h2) == [] and h2.find(key="family-family_name").value == ""
            await h2.close()
        finally:
            again.store.close()
    run(flow)


def test_leaving_a_form_writes_its_draft_at_once_and_keeps_the_form(tmp_path: Path) -> None:
    async def flow() -> None:
        d = device(tmp_path)
        f, _kid, _v = seeded(db(d))
        route = f"/families/{f.id}/edit"
        h = await _open(tmp_path, d, route)
        await h.type(h.find(key="family-address"), "вул. Польова, 8")
        assert load_draft(db(d), fd.family_key(str(f.id))) is None   # debounced: not yet
        await h.follow(f"/families/{f.id}")                           # the card, no saving
        await h.settle()
        draft = load_draft(db(d), fd.family_key(str(f.id)))
        assert draft is not None and draft.data["address"] == "вул. Польова, 8"
        await h.follow(route)                                         # still open as typed
        await h.settle()
        assert h.find(key="family-address").value == "вул. Польова, 8"
        assert _restored(h) == []                                     # never left memory
        await h.close()
    run(flow)
