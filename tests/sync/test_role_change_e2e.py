"""A role change reaches a device that already synced, against a real server (uvicorn on
loopback): Ivan, a social worker of Malyn, holds a family whose address Olena and Petro changed
offline (the conflict is not his, so he never received it); promoted to supervisor with the
CLI's ``set-role``, his next sync reads Malyn again and the older conflict appears; demoted
back, the next sync removes it. Unsynced work survives both: a change the server refused
(held in the outbox) and an edit made while the pull was running."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from field_app.store import LocalStore
from field_app.sync.report import Progress, Stage
from shared_models.enums import ConflictStatus, RecordKind, ReviewDecision
from shared_models.records import Conflict, Family, Review
from sync_server.cli import main as server_cli
from tests.sync.conftest import Device
from tests.sync.records import family
from tools.live_server import LiveServer


def _set_role(server: LiveServer, monkeypatch: pytest.MonkeyPatch, username: str,
              role: str) -> None:
    """The administrator's path: ``python -m sync_server set-role`` on the server's database."""
    monkeypatch.setenv("PORUCH_DATABASE_URL", server.database_url)
    assert server_cli(["set-role", username, "--role", role]) == 0


def _edit_during_pull(store: LocalStore, fam: uuid.UUID, phone: str
                      ) -> Callable[[Progress], None]:
    """A progress callback that saves an edit of ``fam`` after the first pulled page (the
    worker typing while the sync runs): it stays pending through the rest of the pull."""
    done: list[bool] = []

    def progress(p: Progress) -> None:
        if p.stage is Stage.PULL and not done:
            held = store.get(Family, fam)
            assert held is not None
            store.save(held.model_copy(update={"phone": phone}))
            done.append(True)
    return progress


def test_promotion_brings_older_conflicts_and_demotion_takes_them_away(
        server: LiveServer, make_device: Callable[..., Device],
        monkeypatch: pytest.MonkeyPatch) -> None:
    olena, olena_sync = make_device("olena")
    petro, petro_sync = make_device("petro")
    ivan, ivan_sync = make_device("ivan", page_limit=2)  # several pages: the look-ahead too
    fam = family(address="вул. Садова, 1")
    olena.save(fam)
    for s in (olena_sync, petro_sync):
        s.sync()
    olena.save(olena.get(Family, fam.id).model_copy(update={"address": "вул. Садова, 3"}))
    petro.save(petro.get(Family, fam.id).model_copy(update={"address": "вул. Садова, 5"}))
    for s in (olena_sync, petro_sync, olena_sync):
        s.sync()
    [conflict] = olena.all(Conflict)
    for n in range(3):   # more of Malyn to read again than one page holds
        olena.save(family(family_name=f"Сім'я {n}"))
    olena_sync.sync()

    # Ivan, a worker who wrote neither side, holds the family but not the conflict, and a
    # decision the server refuses (workers do not review): held in his outbox.
    refused = Review(community="malynska", target_kind=RecordKind.VISIT,
                     target_id=uuid.uuid4(), decision=ReviewDecision.APPROVED,
                     reviewer="ivan", reviewed_at=datetime.now(UTC) - timedelta(minutes=1))
    ivan.save(refused)
    report = ivan_sync.sync()
    assert report.rejected == 1 and report.rescanned == 0
    assert ivan.get(Family, fam.id) is not None and ivan.all(Conflict) == []
    assert ivan.served_role() == "social_worker"
    held = [p.mutation_id for p in ivan.pending_changes()]
    assert len(held) == 1

    _set_role(server, monkeypatch, "ivan", "supervisor")
    report = ivan_sync.sync(_edit_during_pull(ivan, fam.id, "+380 67 111 22 33"))
    assert report.rescanned == 1
    [seen] = ivan.all(Conflict)
    assert (seen.id, seen.status) == (conflict.id, ConflictStatus.OPEN)
    assert {seen.winner_author, seen.loser_author} == {"olena", "petro"}
    assert ivan.served_role() == "supervisor"
    account = ivan_sync.account()
    assert account is not None and account.role == "supervisor"
    now = ivan.get(Family, fam.id)
    assert now is not None and now.phone == "+380 67 111 22 33"   # the edit is kept...
    pending = ivan.pending_changes()
    assert [p.mutation_id for p in pending][:1] == held and len(pending) == 2   # ...pending
    assert len(ivan.all(Family)) == 4
    assert ivan_sync.sync().rescanned == 0                         # once only

    _set_role(server, monkeypatch, "ivan", "social_worker")
    report = ivan_sync.sync(_edit_during_pull(ivan, fam.id, "+380 67 444 55 66"))
    assert report.rescanned == 1
    assert ivan.all(Conflict) == []
    now = ivan.get(Family, fam.id)
    assert now is not None and now.phone == "+380 67 444 55 66"
    assert now.address == olena.get(Family, fam.id).address
    assert [p.mutation_id for p in ivan.pending_changes()][:1] == held
    assert len(ivan.pending_changes()) == 2
    account = ivan_sync.account()
    assert account is not None and account.role == "social_worker"
    # The authors keep their conflict: only Ivan's view changed.
    olena_sync.sync()
    assert [c.id for c in olena.all(Conflict)] == [conflict.id]
