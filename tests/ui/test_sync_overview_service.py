"""The sync screen's services over a real store: refused changes, sending them again, words."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from field_app.i18n import EN, UK, Translator
from field_app.services.device import DeviceWiped, SyncFailed
from field_app.services.problem import Problem
from field_app.services.sync_overview import ago, reason_problem, retry_refused, sync_overview
from field_app.services.sync_problems import KINDS, sync_failure
from field_app.store import LocalStore
from field_app.sync import (
    Attention,
    DeviceRevoked,
    InsecureServer,
    NeedsLogin,
    Offline,
    ServerTrouble,
    SyncError,
    UntrustedServer,
    UpdateRequired,
    WrongClock,
)
from field_app.sync.outcome import held, hold, success_entry
from shared_models.records import Family, Visit
from shared_models.revocation import LostWorkReport
from tests.ui.conflict_data import pull_conflict, pull_family
from tests.ui.stores import real_store

WORKER = {"username": "olena", "role": "social_worker"}


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    s = real_store(tmp_path)
    yield s
    s.close()


def _refuse(store: LocalStore, record_id: uuid.UUID, kind: str, code: str, reason: str) -> str:
    """What the sync client does with a refused mutation: hold it for attention."""
    entry = next(p for p in store.pending_changes() if p.record_id == str(record_id))
    hold(store, Attention(str(entry.mutation_id), str(record_id), kind, code, reason))
    return str(entry.mutation_id)


def test_overview_counts_and_names_the_refused_changes(store: LocalStore) -> None:
    fam = Family(community="zhytomyrska", family_name="Коваленко", settlement="Малин")
    store.save(fam)
    visit = Visit(community="zhytomyrska", family_id=fam.id, risk_level="low", author="olena",
                  visited_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    store.save(visit)
    mid = _refuse(store, visit.id, "visit", "validation_error",
                  "visited_at: Час не може бути в майбутньому")
    for name, value in success_entry(
            int(datetime(2026, 11, 22, 12, 5, tzinfo=UTC).timestamp() * 1000)).items():
        store.set_secret(name, value)
    fid = uuid.uuid4()
    pull_family(store, fid, family_name="Бондар")
    pull_conflict(store, record_id=fid)
    view = sync_overview(store, **WORKER)
    assert view.pending == 2
    assert view.last_success == datetime(2026, 11, 22, 12, 5, tzinfo=UTC)
    assert view.open_conflicts == 1
    [item] = view.refused
    assert item.mutation_id == mid and item.code == "validation_error"
    assert (item.record.kind, item.record.name, item.record.family_id) == (
        "visit", "05.01.2026 · Коваленко, Малин", str(fam.id))
    assert item.reason == Problem("sync.refused.invalid_field", {
        "field_key": "conflicts.field.visit.visited_at",
        "message": "Час не може бути в майбутньому"})


def test_a_refusal_whose_change_left_the_outbox_is_forgotten(store: LocalStore) -> None:
    fam = Family(community="zhytomyrska", family_name="Коваленко", settlement="Малин")
    store.save(fam)
    mid = _refuse(store, fam.id, "family", "forbidden", "")
    store.acknowledge([mid])                 # e.g. a later sync got it through after all
    assert sync_overview(store, **WORKER).refused == []
    assert held(store) == []


def test_send_again_folds_the_refused_change_with_its_corrections(store: LocalStore) -> None:
    fam = Family(community="zhytomyrska", family_name="Коваленко", settlement="Малин")
    store.save(fam)
    _refuse(store, fam.id, "family", "forbidden", "")
    store.save(store.get(Family, fam.id).model_copy(update={"address": "вул. Садова, 3"}))
    store.save(store.get(Family, fam.id).model_copy(update={"address": "вул. Садова, 5",
                                                            "phone": "+380671234567"}))
    other = Family(community="zhytomyrska", family_name="Бондар", settlement="Ворсівка")
    store.save(other)
    assert store.pending_count() == 4
    new_id = retry_refused(store, str(fam.id))
    assert new_id is not None and held(store) == []
    mine = [p for p in store.pending_changes() if p.record_id == str(fam.id)]
    assert [p.mutation_id for p in mine] == [new_id]
    writes = mine[0].writes
    assert (writes["address"].value, writes["phone"].value) == ("вул. Садова, 5",
                                                                "+380671234567")
    # The whole record travels again, not the corrections alone.
    assert set(writes) >= {"family_name", "settlement", "address", "phone", "deleted"}
    assert writes["family_name"].value == "Коваленко"
    own = {w.clock for w in writes.values()}
    assert all(not set(w.supersedes) & own for w in writes.values())
    assert store.get(Family, fam.id).address == "вул. Садова, 5"   # the view did not change
    assert store.pending_count() == 2
    assert retry_refused(store, str(uuid.uuid4())) is None


def test_reasons_in_plain_words_for_every_code() -> None:
    tr = Translator("uk")
    assert reason_problem("family", "forbidden", "x").key == "sync.refused.forbidden"
    assert reason_problem("note", "conflict", "x").key == "sync.refused.immutable"
    assert reason_problem("visit", "payload_too_large", "").key == "sync.refused.too_large"
    assert reason_problem("case", "case_already_open", "x").key == "sync.refused.case_open"
    assert reason_problem("visit", "validation_error", "Неправильне значення") == Problem(
        "sync.refused.invalid", {"message": "Неправильне значення"})
    missing = reason_problem("visit", "reference_missing",
                             "present: Такого запису немає на сервері в цій громаді")
    assert missing == Problem("sync.refused.reference",
                              {"field_key": "conflicts.field.visit.present"})
    words = tr.t(missing.key, field=tr.t("conflicts.field.visit.present"))
    assert "«Присутні»" in words and "Надіслати знову" in words
    assert Translator("en").t(missing.key, field="Family").startswith("The server has no")
    other = reason_problem("visit", "bad_request", "зламаний запит")
    assert other == Problem("sync.refused.other", {"code": "bad_request",
                                                   "message": "зламаний запит"})
    assert "зламаний запит" in tr.t(other.key, **other.params)


@pytest.mark.parametrize(("error", "key", "offline", "reached"), [
    (Offline(), "sync.err.offline", True, False),
    (ServerTrouble(status=503), "sync.err.server", False, True),
    (WrongClock(), "sync.err.clock", False, True),
    (UpdateRequired(), "sync.err.update", False, True),
    (NeedsLogin(), "sync.err.login", False, True),
    (UntrustedServer(), "sync.err.untrusted", False, None),
    (InsecureServer(), "sync.err.insecure", False, None),
    (SyncError(), "sync.err.unexpected", False, None),
])
def test_every_sync_error_has_words_and_a_next_step(error: SyncError, key: str, offline: bool,
                                                    reached: bool | None) -> None:
    failure = sync_failure(error)
    assert isinstance(failure, SyncFailed)
    assert (failure.problem.key, failure.offline, failure.reached) == (key, offline, reached)
    assert key in UK and key in EN


def test_a_revoked_device_is_a_wipe() -> None:
    failure = sync_failure(DeviceRevoked())
    assert isinstance(failure, DeviceWiped) and failure.problem == Problem("sync.err.revoked")
    assert {f"sync.err.{k}" for k in KINDS} <= set(UK)


def test_a_revoked_device_that_lost_work_says_how_much_and_whether_it_was_told() -> None:
    lost = LostWorkReport.model_validate({"outbox": {"visit": 3, "note": 1}, "drafts": 2})
    on = date(2026, 12, 7)
    told = sync_failure(DeviceRevoked(lost=lost, reported=True, on=on))
    untold = sync_failure(DeviceRevoked(lost=lost, reported=False, on=on))
    assert isinstance(told, DeviceWiped) and isinstance(untold, DeviceWiped)
    assert told.problem == Problem("sync.err.revoked_lost",
                                   {"changes": 4, "drafts": 2, "date": "07.12.2026"})
    assert untold.problem == Problem("sync.err.revoked_lost_unreported",
                                     {"changes": 4, "drafts": 2, "date": "07.12.2026"})
    nothing = LostWorkReport()
    assert sync_failure(DeviceRevoked(lost=nothing, reported=True)).problem == Problem(
        "sync.err.revoked")
    for lang in ("uk", "en"):
        tr = Translator(lang)
        for problem in (told.problem, untold.problem):
            text = tr.t(problem.key, **problem.params)
            assert "4" in text and "07.12.2026" in text and "{" not in text
    assert "повідомлено" in Translator("uk").t("sync.err.revoked_lost", **told.problem.params)
    assert {f"sync.err.{k}" for k in KINDS} <= set(EN)


def test_how_long_ago() -> None:
    now = datetime(2026, 11, 25, 14, 5, tzinfo=UTC)
    assert ago(now - timedelta(seconds=30), now) == ("sync.ago.now", 0)
    assert ago(now - timedelta(minutes=59), now) == ("sync.ago.minutes", 59)
    assert ago(now - timedelta(hours=23, minutes=59), now) == ("sync.ago.hours", 23)
    assert ago(now - timedelta(days=3, hours=1), now) == ("sync.ago.days", 3)
    assert ago(now + timedelta(minutes=5), now) == ("sync.ago.now", 0)   # a clock set back
    tr = Translator("uk")
    assert [tr.plural("sync.ago.days", n) for n in (1, 3, 5, 21)] == [
        "1 день тому", "3 дні тому", "5 днів тому", "21 день тому"]
    assert tr.plural("sync.saved_count", 12) == "Збережено на телефоні: 12 змін"
