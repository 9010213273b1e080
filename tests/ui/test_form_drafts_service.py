"""Sealed drafts of the family, member and placement forms over a real encrypted store.

What the worker typed is written as a draft, found again when the form is reopened (after
a lock, a kill, a dead battery), deleted on discard, and pruned when the family leaves the
device. An edit restored from its draft still saves only what the worker changed.
"""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

from field_app.services import form_drafts as fd
from field_app.services import placement_form as pf
from field_app.services.draft_store import (
    discard_draft,
    draft_keys,
    load_draft,
    prune_drafts,
    save_draft,
)
from field_app.services.family_forms import FamilyForm, FormInvalid
from field_app.store import LocalStore
from shared_models.enums import PersonRole
from shared_models.records import Family, Person, Placement
from tests.ui.stores import real_store

C, OTHER = "malynska", "pulynska"
TODAY = date(2026, 11, 23)


def _seed(store: LocalStore, community: str = C) -> tuple[Family, Family, Person, Placement]:
    birth = Family(community=community, family_name="Коваленко", settlement="Малин")
    foster = Family(community=community, family_name="Петренко", settlement="Гранітне",
                    foster_family=True)
    child = Person(community=community, family_id=birth.id, last_name="Коваленко",
                   first_name="Марко", role=PersonRole.CHILD)
    placement = Placement(community=community, child_id=child.id, foster_family_id=foster.id,
                          birth_family_id=birth.id, start_date=TODAY,
                          planned_end=date(2027, 2, 20))
    for r in (birth, foster, child, placement):
        store.save(r)
    return birth, foster, child, placement


def test_a_new_family_draft_comes_back_and_saves_as_the_same_family(tmp_path: Path) -> None:
    store = real_store(tmp_path, communities=(C, OTHER))
    try:
        opened = fd.open_new_family(store, me="olena", communities=[C, OTHER])
        assert opened.restored is None and opened.key == f"family.new.{opened.form.new_id}"
        form = opened.form
        for name, value in (("community", C), ("family_name", "Мельник"),
                            ("settlement", "Малин"), ("address", "вул. Садова, 3"),
                            ("displaced", True)):
            form.set(name, value)
        save_draft(store, opened.key, fd.record_form_data(form))

        again = fd.open_new_family(store, me="olena", communities=[C, OTHER])
        assert again.restored is not None and again.key == opened.key
        restored = again.form
        assert (restored.community, restored.family_name, restored.address,
                restored.displaced, restored.assigned_worker) == (
            C, "Мельник", "вул. Садова, 3", True, "olena")
        assert restored.communities == (C, OTHER) and restored.choose_community
        assert restored.new_id == form.new_id          # saving it makes the family it names
        assert restored.save(store) == form.new_id
        saved = store.get(Family, form.new_id)
        assert saved is not None and saved.family_name == "Мельник"
    finally:
        store.close()


def test_problems_shown_before_come_back_and_discard_starts_afresh(tmp_path: Path) -> None:
    store = real_store(tmp_path)
    try:
        opened = fd.open_new_family(store, me="olena", communities=[C])
        opened.form.set("family_name", "Мельник")
        opened.form.set("phone", "ой")
        with contextlib.suppress(FormInvalid):
            opened.form.check()
        shown = set(opened.form.errors)
        assert {"settlement", "phone"} <= shown
        save_draft(store, opened.key, fd.record_form_data(opened.form))
        again = fd.open_new_family(store, me="olena", communities=[C])
        assert set(again.form.errors) == shown and again.form.phone == "ой"
        discard_draft(store, again.key)
        fresh = fd.open_new_family(store, me="olena", communities=[C])
        assert fresh.restored is None and fresh.form.family_name == ""
        assert fresh.key != again.key and draft_keys(store) == []
    finally:
        store.close()


def test_an_edited_family_from_its_draft_saves_only_what_the_worker_changed(
        tmp_path: Path) -> None:
    store = real_store(tmp_path, communities=(C,))
    try:
        birth, *_ = _seed(store)
        opened = fd.open_family(store, str(birth.id))
        assert opened is not None and opened.key == f"family.edit.{birth.id}"
        opened.form.set("phone", "+380501112233")
        save_draft(store, opened.key, fd.record_form_data(opened.form))
        # Meanwhile a sync brings a colleague's new address.
        moved = birth.model_copy(update={"address": "вул. Нова, 1"})
        store.save(moved)
        again = fd.open_family(store, str(birth.id))
        assert again is not None and again.restored is not None
        assert again.form.editing and again.form.phone == "+380501112233"
        assert again.form.address == ""                # as the worker loaded it
        assert again.form.save(store) == birth.id
        stored = store.get(Family, birth.id)
        assert stored is not None
        assert (stored.phone, stored.address) == ("+380501112233", "вул. Нова, 1")
    finally:
        store.close()


def test_member_drafts_new_and_edit(tmp_path: Path) -> None:
    store = real_store(tmp_path, communities=(C,))
    try:
        birth, _foster, child, _p = _seed(store)
        new = fd.open_new_member(store, str(birth.id))
        assert new is not None and new.key == f"member.new.{birth.id}"
        new.form.set("first_name", "Богдан")
        new.form.set("birth_date", "28.02.2015")
        save_draft(store, new.key, fd.record_form_data(new.form))
        edit = fd.open_member(store, str(birth.id), str(child.id))
        assert edit is not None and edit.key == f"member.edit.{child.id}"
        edit.form.set("patronymic", "Іванович")
        save_draft(store, edit.key, fd.record_form_data(edit.form))

        new2 = fd.open_new_member(store, str(birth.id))
        edit2 = fd.open_member(store, str(birth.id), str(child.id))
        assert new2 is not None and new2.restored is not None
        assert (new2.form.first_name, new2.form.birth_date, new2.form.family_id) == (
            "Богдан", "28.02.2015", str(birth.id))
        assert edit2 is not None and edit2.restored is not None and edit2.form.editing
        assert (edit2.form.first_name, edit2.form.patronymic) == ("Марко", "Іванович")
        discard_draft(store, new2.key)
        new3 = fd.open_new_member(store, str(birth.id))
        assert new3 is not None and new3.restored is None and new3.form.first_name == ""
        assert load_draft(store, edit2.key) is not None     # the other draft is untouched
    finally:
        store.close()


def test_placement_drafts_new_and_edit(tmp_path: Path) -> None:
    store = real_store(tmp_path, communities=(C,))
    try:
        birth, foster, child, placement = _seed(store)
        new = fd.open_placement(store, str(birth.id), None, today=TODAY)
        assert new.key == f"placement.new.{birth.id}"
        new.form.child_id, new.form.foster_family_id = str(child.id), str(foster.id)
        new.form.order_reference = "Наказ ССД № 9"
        save_draft(store, new.key, fd.placement_form_data(new.form))
        edit = fd.open_placement(store, str(foster.id), str(placement.id), today=TODAY)
        assert edit.key == f"placement.edit.{placement.id}"
        edit.form.outcome_details = "Повернулася до мами"
        save_draft(store, edit.key, fd.placement_form_data(edit.form))

        new2 = fd.open_placement(store, str(birth.id), None, today=TODAY)
        assert new2.restored is not None and new2.form.is_new
        assert (new2.form.child_id, new2.form.order_reference) == (str(child.id),
                                                                  "Наказ ССД № 9")
        edit2 = fd.open_placement(store, str(foster.id), str(placement.id), today=TODAY)
        assert edit2.restored is not None
        assert edit2.form.placement_id == str(placement.id)
        assert edit2.form.outcome_details == "Повернулася до мами"
        assert pf.save(store, new2.form) is not None    # the restored form saves as typed
    finally:
        store.close()


def test_drafts_of_a_family_that_left_the_device_are_pruned(tmp_path: Path) -> None:
    store = real_store(tmp_path, communities=(C, OTHER))
    try:
        here = _seed(store, C)
        gone = _seed(store, OTHER)

        def drafts_of(birth: Family, foster: Family, child: Person, placement: Placement,
                      community: str) -> list[str]:
            fam = fd.open_family(store, str(birth.id))
            mem = fd.open_new_member(store, str(birth.id))
            kid = fd.open_member(store, str(birth.id), str(child.id))
            assert fam is not None and mem is not None and kid is not None
            new_fam = FamilyForm.new(me="olena", communities=[community])
            opened = [(fam.key, fd.record_form_data(fam.form)),
                      (mem.key, fd.record_form_data(mem.form)),
                      (kid.key, fd.record_form_data(kid.form))]
            for pid in (None, str(placement.id)):
                pl = fd.open_placement(store, str(birth.id), pid, today=TODAY)
                opened.append((pl.key, fd.placement_form_data(pl.form)))
            for key, data in opened:
                save_draft(store, key, data)
            new_key = fd.family_key(new_id=new_fam.new_id)
            save_draft(store, new_key, fd.record_form_data(new_fam))
            return [key for key, _ in opened] + [new_key]

        kept = drafts_of(*here, community=C)
        dropped = drafts_of(*gone, community=OTHER)
        assert sorted(draft_keys(store)) == sorted(kept + dropped)
        assert prune_drafts(store, [C, OTHER]) == []          # everything still here
        store.purge_communities([OTHER])                      # access to Пулини withdrawn
        assert sorted(prune_drafts(store, [C])) == sorted(dropped)
        assert sorted(draft_keys(store)) == sorted(kept)
        assert all(load_draft(store, key) is None for key in dropped)
        assert fd.pending_new_family(store) is not None       # Малин's new family stays
    finally:
        store.close()
