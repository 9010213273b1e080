"""The sync client against a real server on loopback: the guarantees a worker relies on."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from field_app.i18n import Translator
from field_app.services.sync_problems import sync_problem
from field_app.store import TEST_KDF, LocalStore, StoreNotFound, StoreWiped
from field_app.sync import (
    BadCredentials,
    DeviceRevoked,
    InsecureServer,
    NeedsLogin,
    Offline,
    Progress,
    Stage,
    SyncClient,
    SyncError,
    UntrustedServer,
    UpdateRequired,
)
from shared_models.enums import Role
from shared_models.records import Conflict, Family, Note, Visit
from tests.sync.certs import self_signed_certificate
from tests.sync.conftest import PASSWORD, PIN, Device
from tests.sync.records import family, note, visit
from tools.live_server import LiveServer


def _said(exc: SyncError) -> str:
    """What the worker reads for a sync error (the app's table; the error carries a code)."""
    problem = sync_problem(exc)
    return Translator("uk").t(problem.key, **problem.params)

def test_a_visit_recorded_offline_reaches_a_colleague(make_device: Callable[..., Device]) -> None:
    olena, olena_sync = make_device("olena")
    petro, petro_sync = make_device("petro")
    fam = family()
    olena.save(fam)
    olena.save(visit(fam.id, "olena"))
    olena.save(note(fam.id, "olena"))
    events = []
    report = olena_sync.sync(progress=events.append)
    assert report.pushed == 3 and report.rejected == 0
    assert olena.pending_count() == 0
    assert {e.stage for e in events} >= {Stage.PUSH, Stage.PULL, Stage.DONE}
    got = petro_sync.sync()
    assert got.pulled >= 3
    assert petro.get(Family, fam.id) == fam
    assert len(petro.all(Visit)) == 1 and len(petro.all(Note)) == 1


def test_a_second_sync_with_nothing_new_is_a_no_op(make_device: Callable[..., Device]) -> None:
    olena, sync = make_device("olena")
    olena.save(family())
    sync.sync()
    first = sync.last_success_ms()
    before = time.time_ns() // 1_000_000
    again = sync.sync()
    assert (again.pushed, again.pulled, again.rejected) == (0, 0, 0)
    assert again.bytes < 2048
    # The finish is recorded with the last page, and kept in the store.
    assert first is not None and before <= (sync.last_success_ms() or 0) <= \
        time.time_ns() // 1_000_000
    olena.lock()
    olena.unlock(PIN)
    assert sync.last_success_ms() is not None and sync.last_success_ms() >= before


def test_concurrent_edits_keep_both_texts(make_device: Callable[..., Device]) -> None:
    olena, olena_sync = make_device("olena")
    petro, petro_sync = make_device("petro")
    fam = family()
    olena.save(fam)
    olena.save(v := visit(fam.id, "olena"))
    olena_sync.sync()
    petro_sync.sync()
    # Both edit the same field while offline.
    olena.save(olena.get(Visit, v.id).model_copy(update={"next_steps": "Оформити допомогу"}))
    petro.save(petro.get(Visit, v.id).model_copy(update={"next_steps": "Візит до школи"}))
    olena_sync.sync()
    report = petro_sync.sync()
    assert report.conflicts >= 1
    olena_sync.sync()
    for store in (olena, petro):
        assert store.get(Visit, v.id).next_steps == "Візит до школи"  # the later clock wins
        conflicts = store.all(Conflict)
        assert [(c.field, c.loser_value, c.loser_author) for c in conflicts] == [
            ("next_steps", "Оформити допомогу", "olena")]


def test_a_pull_never_overwrites_an_edit_made_during_the_sync(
        make_device: Callable[..., Device]) -> None:
    olena, olena_sync = make_device("olena")
    petro, petro_sync = make_device("petro")
    fam = family()
    olena.save(fam)
    olena_sync.sync()
    petro_sync.sync()
    petro.save(petro.get(Family, fam.id).model_copy(update={"address": "вул. Садова, 3",
                                                           "phone": "+380501112233"}))
    petro_sync.sync()
    olena.save(olena.get(Family, fam.id).model_copy(update={"settlement": "Ворсівка"}))

    def worker_types_while_syncing(p: Progress) -> None:
        # Between the push and the pull, the worker saves another edit of the same record.
        if p.stage is Stage.PUSH:
            olena.save(olena.get(Family, fam.id).model_copy(update={"phone": "+380671234567"}))

    olena_sync.sync(progress=worker_types_while_syncing)
    mine = olena.get(Family, fam.id)
    assert (mine.phone, mine.address, mine.settlement) == (
        "+380671234567", "вул. Садова, 3", "Ворсівка")
    assert olena.pending_count() == 1
    olena_sync.sync()
    petro_sync.sync()
    assert petro.get(Family, fam.id) == olena.get(Family, fam.id)
    assert petro.get(Family, fam.id).phone == "+380671234567"


def test_a_refused_change_waits_for_attention_and_does_not_block_others(
        make_device: Callable[..., Device]) -> None:
    olena, sync = make_device("olena")
    theirs = family(community="pulynska")   # not Olena's community: the server refuses it
    olena.save(theirs)
    mine = family()
    olena.save(mine)
    report = sync.sync()
    assert report.rejected == 1 and report.pushed == 1
    [held] = sync.attention()
    assert held.record_id == str(theirs.id) and held.code == "forbidden"
    assert olena.get(Family, theirs.id) is not None   # the worker's text is still on the phone
    again = sync.sync()                                # held entries are not retried blindly
    assert again.rejected == 0 and len(sync.attention()) == 1


def test_out_of_scope_records_never_reach_another_community(
        make_device: Callable[..., Device]) -> None:
    olena, olena_sync = make_device("olena")
    taras, taras_sync = make_device("taras")
    olena.save(family())
    olena_sync.sync()
    taras_sync.sync()
    assert taras.all(Family) == []


def test_a_revoked_device_wipes_its_store(make_device: Callable[..., Device],
                                          server: LiveServer) -> None:
    olena, sync = make_device("olena")
    olena.save(family())
    sync.sync()
    account = sync.account()
    assert account is not None
    server.revoke(account.device_id)
    with pytest.raises(DeviceRevoked) as info:
        sync.sync()
    assert "стерто" in _said(info.value)
    assert not olena.path.exists()
    with pytest.raises((StoreWiped, StoreNotFound)):
        type(olena).open(olena.path, "482915")


def test_wrong_password_and_missing_token(make_device: Callable[..., Device],
                                          server: LiveServer) -> None:
    _olena, sync = make_device("olena")
    with pytest.raises(BadCredentials) as info:
        sync.login("olena", "wrong password")
    assert _said(info.value) == "Неправильне ім'я користувача або пароль."
    assert sync.account() is not None and sync.account().username == "olena"  # still signed in
    sync.logout()
    with pytest.raises(NeedsLogin):
        sync.sync()
    sync.login("olena", PASSWORD)
    assert sync.sync().rejected == 0


def test_an_old_app_is_told_to_update(make_device: Callable[..., Device]) -> None:
    _olena, sync = make_device("olena")
    sync._http.headers["X-Poruch-Protocol"] = "0"
    with pytest.raises(UpdateRequired) as info:
        sync.sync()
    assert "Оновіть" in _said(info.value)


def test_plain_http_to_another_machine_is_refused(make_device: Callable[..., Device]) -> None:
    olena, _ = make_device("olena")
    with pytest.raises(InsecureServer):
        SyncClient(olena, "http://192.0.2.10:8000")
    assert SyncClient(olena, "https://poruch.example.org").base_url.startswith("https")


def test_no_server_means_offline_and_nothing_lost(make_device: Callable[..., Device],
                                                  server: LiveServer) -> None:
    olena, sync = make_device("olena")
    olena.save(family())
    server.stop()
    with pytest.raises(Offline) as info:
        sync.sync()
    assert "збережено на телефоні" in _said(info.value)
    assert olena.pending_count() == 1
    assert sync.last_success_ms() is None    # a sync that failed is not a success
    server.start()
    assert sync.sync().pushed == 1


def test_tls_is_verified_and_a_custom_ca_can_be_given(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path, "localhost")
    live = LiveServer(f"sqlite:///{tmp_path / 'tls.db'}", tls=(cert, key))
    live.migrate()
    live.add_user("olena", PASSWORD, Role.SOCIAL_WORKER, ["malynska"])
    live.start()
    store = LocalStore.create(tmp_path / "tls-device.db", PIN, kdf=TEST_KDF)
    try:
        untrusting = SyncClient(store, live.base_url)
        with pytest.raises(UntrustedServer) as info:
            untrusting.login("olena", PASSWORD)
        assert "Сертифікат" in _said(info.value)
        untrusting.close()
        trusting = SyncClient(store, live.base_url, ca_file=str(cert))
        trusting.login("olena", PASSWORD)
        store.save(family())
        assert trusting.sync().pushed == 1
        trusting.close()
    finally:
        store.close()
        live.stop()
