"""The review round trip between phones, through a real server on loopback.

Worker records a visit → sync → the supervisor syncs and returns it with a comment → the
worker syncs, sees the comment, amends, syncs → the supervisor sees it back in the queue,
marked amended, and approves → the worker sees "approved". Around it: a worker's review is
refused by the server and audited, and a supervisor of another community never receives the
visit (nor may review it).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from field_app.services import reviews
from field_app.services.reviews import ReviewRefused, ReviewState
from field_app.store import LocalStore
from field_app.sync import Account, SyncClient
from shared_models.enums import ReviewDecision, Role
from shared_models.records import Family, Review, Visit
from tests.sync.conftest import PASSWORD
from tests.sync.records import family, visit
from tools.live_server import LiveServer

Device = tuple[LocalStore, SyncClient]


def _account(store: LocalStore, role: str, community: str = "malynska") -> Account:
    return Account(username=store.user, role=role, communities=[community], device_id="-")


def _refusals(server: LiveServer, actor: str) -> list[tuple[str, list[str]]]:
    with server.engine.begin() as conn:
        rows = conn.execute(text(
            "SELECT detail, record_ids FROM audit_log WHERE action = 'push_refused' "
            "AND actor = :a ORDER BY id"), {"a": actor}).all()
    return [(d, ids if isinstance(ids, list) else json.loads(ids)) for d, ids in rows]


def test_return_amend_approve_between_two_phones(make_device: Callable[..., Device]) -> None:
    olena, olena_sync = make_device("olena")
    iryna, iryna_sync = make_device("iryna")
    worker, supervisor = _account(olena, "social_worker"), _account(iryna, "supervisor")
    fam = family()
    v = visit(fam.id, "olena", risk_level="high")
    olena.save(fam)
    olena.save(v)
    assert olena_sync.sync().pushed == 2

    iryna_sync.sync()
    [row] = reviews.queue(iryna, supervisor)
    assert (row.id, row.family_name, row.risk, row.amended) == (
        str(v.id), "Коваленко", v.risk_level, False)
    reviews.return_for_changes(iryna, supervisor, "visit", str(v.id),
                               "Опишіть житлові умови докладніше")
    assert reviews.queue(iryna, supervisor) == []
    assert iryna_sync.sync().pushed == 1

    olena_sync.sync()
    [mine] = reviews.returned_to_me(olena, worker)
    assert mine.status.state is ReviewState.RETURNED
    assert mine.status.latest is not None
    assert mine.status.latest.comment == "Опишіть житлові умови докладніше"
    assert mine.status.latest.reviewer == "iryna"
    amended = olena.get(Visit, v.id)
    assert amended is not None
    amended.family_environment = "Будинок утеплено, дві кімнати для трьох дітей"
    olena.save(amended)
    assert reviews.status(olena, "visit", str(v.id)).state is ReviewState.AMENDED
    assert olena_sync.sync().pushed == 1

    iryna_sync.sync()
    [again] = reviews.queue(iryna, supervisor)
    assert (again.id, again.amended, again.status.state) == (str(v.id), True,
                                                             ReviewState.AMENDED)
    shown = reviews.detail(iryna, supervisor, "visit", str(v.id))
    assert shown.target.family_environment == "Будинок утеплено, дві кімнати для трьох дітей"  # type: ignore[union-attr]
    reviews.approve(iryna, supervisor, "visit", str(v.id))
    iryna_sync.sync()

    olena_sync.sync()
    status = reviews.status(olena, "visit", str(v.id))
    assert status.state is ReviewState.APPROVED
    assert [d.decision for d in status.decisions] == [ReviewDecision.APPROVED,
                                                      ReviewDecision.RETURNED]
    assert not any(d.unsynced for d in status.decisions)
    assert reviews.returned_to_me(olena, worker) == []
    assert olena.pending_count() == 0 and iryna.pending_count() == 0


def test_a_workers_review_is_refused_and_audited(make_device: Callable[..., Device],
                                                 server: LiveServer) -> None:
    olena, olena_sync = make_device("olena")
    iryna, iryna_sync = make_device("iryna")
    fam = family()
    v = visit(fam.id, "olena")
    olena.save(fam)
    olena.save(v)
    olena_sync.sync()
    # The app never offers it (the service refuses); a tampered app could still send one.
    try:
        reviews.approve(olena, _account(olena, "social_worker"), "visit", str(v.id))
    except ReviewRefused as exc:
        assert exc.problem.key == "review.err.not_reviewer"
    else:
        raise AssertionError("the service let a worker approve")
    forged = Review(community="malynska", target_kind="visit", target_id=v.id,
                    decision="approved", reviewer="olena",
                    reviewed_at=datetime.now(UTC) - timedelta(minutes=1))
    olena.save(forged)
    report = olena_sync.sync()
    assert report.rejected == 1
    [held] = report.attention
    assert (held.record_id, held.kind, held.code) == (str(forged.id), "review", "forbidden")
    assert _refusals(server, "olena") == [("review: forbidden", [str(forged.id)])]
    with server.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM review")).scalar_one() == 0
    iryna_sync.sync()
    assert iryna.all(Review) == []
    assert [r.id for r in reviews.queue(iryna, _account(iryna, "supervisor"))] == [str(v.id)]


def test_a_supervisor_of_another_community_never_receives_the_visit(
        make_device: Callable[..., Device], server: LiveServer) -> None:
    server.add_user("bohdan", PASSWORD, Role.SUPERVISOR, ["pulynska"])
    olena, olena_sync = make_device("olena")
    iryna, iryna_sync = make_device("iryna")
    bohdan, bohdan_sync = make_device("bohdan")
    fam = family()
    v = visit(fam.id, "olena")
    olena.save(fam)
    olena.save(v)
    olena_sync.sync()
    iryna_sync.sync()
    reviews.return_for_changes(iryna, _account(iryna, "supervisor"), "visit", str(v.id),
                               "Додайте дату наступного візиту")
    iryna_sync.sync()
    taras_family = family("pulynska", family_name="Гнатюк", settlement="Пулини")
    taras, taras_sync = make_device("taras")
    taras.save(taras_family)
    taras.save(visit(taras_family.id, "taras", community="pulynska"))
    taras_sync.sync()

    bohdan_sync.sync()
    assert {f.family_name for f in bohdan.all(Family)} == {"Гнатюк"}
    assert bohdan.get(Visit, v.id) is None and bohdan.all(Review) == []
    theirs = reviews.queue(bohdan, _account(bohdan, "supervisor", "pulynska"))
    assert [r.family_name for r in theirs] == ["Гнатюк"]
    try:
        reviews.approve(bohdan, _account(bohdan, "supervisor", "pulynska"), "visit", str(v.id))
    except ReviewRefused as exc:
        assert exc.problem.key == "review.err.not_found"
    else:
        raise AssertionError("a supervisor approved a visit that is not on the phone")
    # Knowing the id is not enough: the server refuses the review and audits it.
    forged = Review(community="malynska", target_kind="visit", target_id=v.id,
                    decision="approved", reviewer="bohdan",
                    reviewed_at=datetime.now(UTC) - timedelta(minutes=1),
                    id=uuid.uuid4())
    bohdan.save(forged)
    report = bohdan_sync.sync()
    assert [(a.record_id, a.code) for a in report.attention] == [(str(forged.id), "forbidden")]
    assert _refusals(server, "bohdan") == [("review: forbidden", [str(forged.id)])]
    olena_sync.sync()
    status = reviews.status(olena, "visit", str(v.id))
    assert status.state is ReviewState.RETURNED and len(status.decisions) == 1
