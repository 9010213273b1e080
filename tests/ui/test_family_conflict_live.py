"""Two workers edit the same family's phone against a real sync server on loopback.

Olena opens the edit form; Petro changes the phone and syncs; Olena's phone syncs (the
pull brings Petro's value while her form is open), she saves her own phone and syncs again.
The server keeps both: Olena's value is current, Petro's a conflict record that reaches
both phones, and the family card shows it as "mine vs theirs".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from field_app.services.family_card import load_card
from field_app.services.family_forms import FamilyForm
from field_app.store import TEST_KDF, LocalStore
from field_app.sync import SyncClient
from shared_models.enums import Role
from shared_models.records import Family
from tools.live_server import LiveServer

PIN = "482915"
PASSWORD = "correct horse battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(f"sqlite:///{tmp_path / 'server.db'}", log_path=tmp_path / "server.log")
    live.migrate()
    live.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.add_user("petro", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.start()
    yield live
    live.stop()


def device(tmp_path: Path, server: LiveServer, user: str) -> tuple[LocalStore, SyncClient]:
    store = LocalStore.create(tmp_path / f"{user}.db", PIN, kdf=TEST_KDF)
    client = SyncClient(store, server.base_url, timeout=10)
    client.login(user, PASSWORD)
    return store, client


def test_concurrent_phone_edits_reach_the_card_as_a_conflict(tmp_path: Path,
                                                             server: LiveServer) -> None:
    olena, o_client = device(tmp_path, server, "olena")
    petro, p_client = device(tmp_path, server, "petro")
    try:
        form = FamilyForm.new(me="olena", communities=["malynska"])
        form.set("family_name", "Коваленко")
        form.set("settlement", "Малин")
        form.set("phone", "+380671234567")
        fid = form.save(olena)
        assert fid is not None
        o_client.sync()
        p_client.sync()

        editing = FamilyForm.load(olena, fid)        # Olena opens the edit form
        assert editing is not None
        theirs = petro.get(Family, fid)
        assert theirs is not None
        theirs.phone = "+380509998877"
        petro.save(theirs)
        p_client.sync()
        o_client.sync()                               # her form is still open
        assert olena.get(Family, fid).phone == "+380509998877"  # type: ignore[union-attr]

        editing.set("phone", "+380631112233")
        assert editing.save(olena) == fid
        o_client.sync()
        p_client.sync()
        o_client.sync()

        for store, me in ((olena, "olena"), (petro, "petro")):
            assert store.get(Family, fid).phone == "+380631112233"  # type: ignore[union-attr]
            card = load_card(store, fid, me=me, today=date.today())
            assert card is not None
            (conflict,) = card.conflicts
            assert (conflict.field, conflict.record_name) == ("phone", "Коваленко")
            assert (conflict.current, conflict.current_author) == ("+380631112233", "olena")
            assert (conflict.other, conflict.other_author) == ("+380509998877", "petro")
        olena_view = load_card(olena, fid, me="olena", today=date.today())
        assert olena_view is not None
        assert olena_view.conflicts[0].mine == "current"
        assert olena_view.conflicts[0].theirs == ("+380509998877", "petro")
    finally:
        for client, store in ((o_client, olena), (p_client, petro)):
            client.close()
            store.close()
