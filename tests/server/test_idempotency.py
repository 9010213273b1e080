"""Replays: the same batch twice, a retry after a lost answer, reused and repeated ids."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from shared_models.enums import Role
from sync_server.db import read_tx
from sync_server.settings import Settings
from sync_server.tables import AppliedMutation, MutationHistory, RecordRow
from tests.server.appclient import AppClient
from tests.server.helpers import ZH, Device, family_fields, login, make_user, mutation


@pytest.fixture
def dev(client: AppClient, engine: Engine, settings: Settings) -> Device:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    return Device(client, login(client, "olena"), "olena-phone")


def counts(engine: Engine) -> tuple[int, int, int, int]:
    """Records, their highest position, history rows, applied mutation ids."""
    r, h, a = (t.__table__ for t in (RecordRow, MutationHistory, AppliedMutation))  # type: ignore[attr-defined]
    with read_tx(engine) as conn:
        return (conn.execute(select(func.count()).select_from(r)).scalar_one(),
                conn.execute(select(func.max(r.c.position))).scalar_one() or 0,
                conn.execute(select(func.count()).select_from(h)).scalar_one(),
                conn.execute(select(func.count()).select_from(a)).scalar_one())


def test_same_batch_twice_answers_the_same_and_changes_nothing(dev: Device,
                                                               engine: Engine) -> None:
    fam = mutation("family", ZH, family_fields(), dev.stamp())
    base = fam["fields"]["settlement"]["clock"]
    e1 = mutation("family", ZH, {"settlement": "Овруч"}, dev.stamp(),
                  record_id=fam["record_id"], supersedes={"settlement": base})
    other = Device(dev.client, dev.headers, "other-node")
    e2 = mutation("family", ZH, {"settlement": "Коростень"}, other.stamp(),
                  record_id=fam["record_id"], supersedes={"settlement": base})
    batch = [fam, e1, e2]
    first = dev.push(batch).json()["results"]
    assert [r["status"] for r in first][:2] == ["applied", "applied"]
    assert first[2]["status"] in ("applied", "conflict")
    before = counts(engine)
    second = dev.push(batch).json()["results"]
    assert second == first
    assert counts(engine) == before


def test_retry_after_lost_answer(dev: Device, engine: Engine) -> None:
    batch = [mutation("family", ZH, family_fields(f"Сім'я {i}"), dev.stamp()) for i in range(3)]
    dev.push(batch[:2])  # committed, but the phone never got the answer
    before = counts(engine)
    retry = dev.push(batch).json()["results"]  # the outbox sends everything again, plus one
    assert [r["status"] for r in retry] == ["applied"] * 3
    records, position, _history, applied = counts(engine)
    assert (records, applied) == (before[0] + 1, before[3] + 1)
    assert position == before[1] + 1  # replays took no feed position
    assert len(dev.pull_all()) == 3


def test_reused_id_for_another_change_is_rejected(dev: Device) -> None:
    fam = mutation("family", ZH, family_fields(), dev.stamp())
    dev.push([fam])
    reuse = mutation("family", ZH, family_fields("Інша"), dev.stamp(),
                     mutation_id=fam["mutation_id"])
    [r] = dev.push([reuse]).json()["results"]
    assert r["status"] == "rejected" and r["code"] == "conflict"


def test_repeated_id_in_one_batch_is_a_duplicate(dev: Device, engine: Engine) -> None:
    fam = mutation("family", ZH, family_fields(), dev.stamp())
    assert [r["status"] for r in dev.push([fam, fam]).json()["results"]] == [
        "applied", "duplicate"]
    assert counts(engine)[3] == 1


def test_rejected_mutation_is_not_remembered(dev: Device) -> None:
    # A rejection is not stored: the same id, corrected, can still be applied.
    bad = mutation("family", ZH, {"settlement": "Житомир"}, dev.stamp())
    assert dev.push([bad]).json()["results"][0]["status"] == "rejected"
    fixed = mutation("family", ZH, family_fields(), dev.stamp(), record_id=bad["record_id"],
                     mutation_id=bad["mutation_id"])
    assert dev.push([fixed]).json()["results"][0]["status"] == "applied"
