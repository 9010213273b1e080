"""Devices whose clocks are days ahead or behind converge, with the winners the design's rules
give: the highest clock wins; a clock the server refuses as too far ahead is corrected by the
server's offset and the unsynced writes are stamped again; a concurrent loser is kept."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from field_app.store import TEST_KDF, LocalStore
from field_app.sync import Backoff, SyncClient
from shared_models.clock import HLC
from shared_models.records import Conflict, Family
from tests.sync.conftest import PASSWORD, PIN, Device
from tests.sync.records import family
from tools.live_server import LiveServer

DAY_S = 86_400


def skewed_device(tmp_path: Path, server: LiveServer, user: str, skew: list[float]
                  ) -> tuple[LocalStore, SyncClient]:
    store = LocalStore.create(tmp_path / f"{user}-skewed.db", PIN, kdf=TEST_KDF,
                              now=lambda: time.time() + skew[0])
    client = SyncClient(store, server.base_url, backoff=Backoff(attempts=3, base=0.01, cap=0.05))
    client.login(user, PASSWORD)
    return store, client


def server_wall_ms() -> int:
    return time.time_ns() // 1_000_000


def test_signing_in_teaches_a_wrong_phone_the_servers_time(
        tmp_path: Path, server: LiveServer) -> None:
    phone, sync = skewed_device(tmp_path, server, "olena", [-5 * DAY_S])
    try:
        assert abs(phone.clock_offset_ms - 5 * DAY_S * 1000) < 60_000
        phone.save(family())
        stamped = phone.pending_changes()[0].writes["family_name"].clock
        assert abs(HLC.decode(stamped).wall_ms - server_wall_ms()) < 60_000
    finally:
        sync.close()
        phone.close()


def test_a_phone_days_ahead_is_corrected_and_its_offline_work_accepted(
        tmp_path: Path, server: LiveServer, make_device: Callable[..., Device]) -> None:
    ahead = [0.0]
    phone, sync = skewed_device(tmp_path, server, "olena", ahead)
    ahead[0] = 3 * DAY_S  # after signing in, the phone's date jumps three days ahead
    fam = family()
    phone.save(fam)  # recorded offline with the wrong date
    stamped = phone.pending_changes()[0].writes["family_name"].clock
    assert HLC.decode(stamped).wall_ms > server_wall_ms() + DAY_S * 1000
    try:
        report = sync.sync()
        assert report.pushed == 1 and sync.attention() == []
        assert abs(phone.clock_offset_ms + 3 * DAY_S * 1000) < 60_000
        petro, petro_sync = make_device("petro")
        petro_sync.sync()
        assert petro.get(Family, fam.id) == fam
        # What the server accepted is stamped near the server's time, not three days ahead.
        with server.engine.connect() as conn:
            from sync_server.history import field_writes
            clocks = [w.clock for w in field_writes(conn)]
        assert clocks and max(HLC.decode(c).wall_ms for c in clocks) < server_wall_ms() + 60_000

        # Now both edit the same field, Petro first, the corrected phone two seconds later
        # (beyond the ~1 s precision of a learned offset): the later edit wins everywhere
        # and Petro's text is kept in a conflict.
        petro.save(petro.get(Family, fam.id).model_copy(update={"address": "вул. Петра, 1"}))
        time.sleep(2)
        phone.save(phone.get(Family, fam.id).model_copy(update={"address": "вул. Олени, 2"}))
        petro_sync.sync()
        sync.sync()
        petro_sync.sync()
        for store in (phone, petro):
            assert store.get(Family, fam.id).address == "вул. Олени, 2"
            assert [(c.loser_value, c.loser_author) for c in store.all(Conflict)] == [
                ("вул. Петра, 1", "petro")]
    finally:
        sync.close()
        phone.close()


def test_a_phone_whose_clock_falls_days_behind_loses_concurrent_edits_but_not_its_text(
        tmp_path: Path, server: LiveServer, make_device: Callable[..., Device]) -> None:
    skew = [0.0]
    phone, sync = skewed_device(tmp_path, server, "olena", skew)
    petro, petro_sync = make_device("petro")
    try:
        fam = family()
        petro.save(fam)
        petro_sync.sync()
        sync.sync()
        skew[0] = -2 * DAY_S  # the battery died and the date reset two days back
        petro.save(petro.get(Family, fam.id).model_copy(update={"address": "вул. Петра, 1"}))
        petro_sync.sync()
        time.sleep(0.05)
        # Olena edits later in real time, but her phone cannot know it: it has not seen
        # Petro's edit and its clock reads two days ago. The two edits are concurrent.
        phone.save(phone.get(Family, fam.id).model_copy(update={"address": "вул. Олени, 2"}))
        sync.sync()
        petro_sync.sync()
        for store in (phone, petro):
            assert store.get(Family, fam.id).address == "вул. Петра, 1"
            assert [(c.loser_value, c.loser_author) for c in store.all(Conflict)] == [
                ("вул. Олени, 2", "olena")]
        # The sync taught the phone the offset: its next edit orders after everything.
        assert abs(phone.clock_offset_ms - 2 * DAY_S * 1000) < 60_000
        phone.save(phone.get(Family, fam.id).model_copy(update={"phone": "+380501112233"}))
        sync.sync()
        petro_sync.sync()
        assert petro.get(Family, fam.id).phone == "+380501112233"
        assert petro.get(Family, fam.id) == phone.get(Family, fam.id)
    finally:
        sync.close()
        phone.close()
