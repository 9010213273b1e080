"""Storage and feed behaviour, the same tests on SQLite and PostgreSQL (``database_url``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from shared_models.clock import HLC, wall_clock_ms
from shared_models.enums import Role
from shared_models.protocol import encode_cursors
from sync_server.db import read_tx
from sync_server.history import field_writes
from sync_server.push import conflict_id
from sync_server.settings import Settings
from sync_server.tables import KIND_TABLES, AuditEntry
from tests.server.appclient import AppClient
from tests.server.helpers import (
    AN,
    ZH,
    ZV,
    Device,
    family_fields,
    fields_of,
    login,
    make_user,
    mutation,
    note_fields,
    review_fields,
    visit_fields,
)


@pytest.fixture
def worker(client: AppClient, engine: Engine, settings: Settings) -> Device:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    return Device(client, login(client, "olena"), "olena-phone")


@pytest.fixture
def worker2(client: AppClient, engine: Engine, settings: Settings) -> Device:
    make_user(engine, settings, "petro", Role.SOCIAL_WORKER, [ZH])
    return Device(client, login(client, "petro"), "petro-phone")


def statuses(r: object) -> list[str]:
    body = r.json()  # type: ignore[attr-defined]
    return [x["status"] for x in body["results"]]


def test_record_appears_once_at_latest_position(worker: Device) -> None:
    a = mutation("family", ZH, family_fields("Ткачук"), worker.stamp())
    b = mutation("family", ZH, family_fields("Мельник"), worker.stamp())
    assert statuses(worker.push([a, b])) == ["applied", "applied"]
    first = worker.pull_all()
    assert [c["position"] for c in first] == [1, 2]
    edit = mutation("family", ZH, {"settlement": "Бердичів"}, worker.stamp(),
                    record_id=a["record_id"],
                    supersedes={"settlement": a["fields"]["settlement"]["clock"]})
    assert statuses(worker.push([edit])) == ["applied"]
    again = worker.pull_all()
    assert [(c["record_id"], c["position"]) for c in again] == [(a["record_id"], 3)]
    assert fields_of(again[0])["settlement"]["value"] == "Бердичів"
    assert fields_of(again[0])["family_name"]["value"] == "Ткачук"  # full state, not a diff
    fresh = Device(worker.client, worker.headers, "other")
    assert [c["record_id"] for c in fresh.pull_all()] == [b["record_id"], a["record_id"]]


def test_paging_limit_plus_one_and_cursors(client: AppClient, engine: Engine,
                                           settings: Settings, worker: Device) -> None:
    make_user(engine, settings, "koord", Role.COORDINATOR)
    coord = Device(client, login(client, "koord"), "koord-pc")
    ids = []
    for community in (ZH, ZV, AN):
        muts = [mutation("family", community, family_fields(f"Сім'я {i}"), coord.stamp())
                for i in range(4)]
        ids += [m["record_id"] for m in muts]
        assert set(statuses(coord.push(muts))) == {"applied"}
    r = client.get("/api/v1/sync/pull", headers=coord.headers, params={"limit": 5})
    body = r.json()
    assert len(body["changes"]) == 5 and body["more"] is True
    got = coord.pull_all(limit=5)
    assert sorted(c["record_id"] for c in got) == sorted(ids)
    assert coord.cursors == {"andrushivska": 4, "zhytomyrska": 4, "zviahelska": 4,
                             **{c: 0 for c in coord.cursors if c not in
                                ("andrushivska", "zhytomyrska", "zviahelska")}}
    r = client.get("/api/v1/sync/pull", headers=coord.headers,
                   params={"since": encode_cursors(coord.cursors), "limit": 5})
    assert r.json()["changes"] == [] and r.json()["more"] is False
    # The worker of Zhytomyr sees Zhytomyr only.
    assert {c["community"] for c in worker.pull_all()} == {"zhytomyrska"}


def test_exact_page_boundary_says_no_more(worker: Device) -> None:
    worker.push([mutation("family", ZH, family_fields(), worker.stamp()) for _ in range(3)])
    r = worker.client.get("/api/v1/sync/pull", headers=worker.headers, params={"limit": 3})
    assert len(r.json()["changes"]) == 3 and r.json()["more"] is False


def test_concurrent_edit_opens_conflict_and_resolution_closes_it(
        worker: Device, worker2: Device, engine: Engine) -> None:
    fam = mutation("family", ZH, family_fields(address="вул. Миру, 1"), worker.stamp())
    worker.push([fam])
    base = fam["fields"]["address"]["clock"]
    e1 = mutation("family", ZH, {"address": "вул. Миру, 11"}, worker.stamp(),
                  record_id=fam["record_id"], supersedes={"address": base})
    e2 = mutation("family", ZH, {"address": "вул. Київська, 5"}, worker2.stamp(),
                  record_id=fam["record_id"], supersedes={"address": base})
    assert statuses(worker.push([e1])) == ["applied"]
    assert statuses(worker2.push([e2])) == ["conflict"]
    changes = {c["kind"]: c for c in worker.pull_all()}
    conflict = fields_of(changes["conflict"])
    winner, loser = sorted([e1, e2], key=lambda m: m["fields"]["address"]["clock"])[::-1]
    assert conflict["status"]["value"] == "open"
    assert conflict["loser_value"]["value"] == loser["fields"]["address"]["value"]
    assert conflict["winner_value"]["value"] == winner["fields"]["address"]["value"]
    assert changes["conflict"]["record_id"] == conflict_id(
        fam["record_id"], "address", loser["fields"]["address"]["clock"])
    # Resolve: a write that supersedes both sides.
    resolve = mutation("family", ZH, {"address": "вул. Миру, 11, кв. 2"}, worker2.stamp(),
                       record_id=fam["record_id"])
    resolve["fields"]["address"]["supersedes"] = sorted(
        [e1["fields"]["address"]["clock"], e2["fields"]["address"]["clock"]])
    assert statuses(worker2.push([resolve])) == ["applied"]
    after = {c["kind"]: c for c in worker.pull_all()}
    assert fields_of(after["conflict"])["status"]["value"] == "resolved"
    assert fields_of(after["conflict"])["resolved_by"]["value"] == "petro"
    assert fields_of(after["family"])["address"]["value"] == "вул. Миру, 11, кв. 2"
    with read_tx(engine) as conn:
        row = conn.execute(select(KIND_TABLES["conflict"])).one()
    assert row.status == "resolved"


def test_history_keeps_every_value_and_its_predecessor(worker: Device, engine: Engine) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    worker.push([fam])
    e1 = mutation("family", ZH, {"settlement": "Коростень"}, worker.stamp(),
                  record_id=fam["record_id"],
                  supersedes={"settlement": fam["fields"]["settlement"]["clock"]})
    worker.push([e1])
    with read_tx(engine) as conn:
        writes = field_writes(conn)
    settlement = [(w.value, w.previous_value, w.previous_clock, w.author, w.mutation_id)
                  for w in writes if w.field == "settlement"]
    assert settlement == [
        ("Житомир", None, None, "olena", fam["mutation_id"]),
        ("Коростень", "Житомир", fam["fields"]["settlement"]["clock"], "olena",
         e1["mutation_id"])]
    # Every field the create wrote is there once, with its clock; the edit wrote only one.
    created = {w.field: (w.value, w.clock) for w in writes
               if w.mutation_id == fam["mutation_id"]}
    assert created == {n: (f.get("value"), f["clock"]) for n, f in fam["fields"].items()}
    assert [w.field for w in writes if w.mutation_id == e1["mutation_id"]] == ["settlement"]


def test_typed_tables_hold_current_values(worker: Device, engine: Engine) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    visit = mutation("visit", ZH, visit_fields(fam["record_id"], "olena",
                                               services=["002.0", "013.0"]), worker.stamp())
    assert statuses(worker.push([fam, visit])) == ["applied", "applied"]
    with read_tx(engine) as conn:
        row = conn.execute(select(KIND_TABLES["visit"])).one()
    assert str(row.family_id) == fam["record_id"] and row.services == ["002.0", "013.0"]
    assert row.risk_level == "low" and row.author == "olena"


def test_notes_are_immutable_and_records_cannot_move(worker: Device) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    note = mutation("note", ZH, note_fields(fam["record_id"], "olena"), worker.stamp())
    worker.push([fam, note])
    edit = mutation("note", ZH, {"text": "Інший текст"}, worker.stamp(),
                    record_id=note["record_id"],
                    supersedes={"text": note["fields"]["text"]["clock"]})
    move = mutation("family", ZH, {"settlement": "Малин"}, worker.stamp(),
                    record_id=fam["record_id"])
    move["community"] = "zviahelska"
    r = worker.push([edit, move]).json()["results"]
    assert [x["status"] for x in r] == ["rejected", "rejected"]
    assert r[0]["code"] == "conflict" and "note" in r[0]["reason"]


def test_invalid_record_rejected_with_readable_message(worker: Device, engine: Engine) -> None:
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    bad = mutation("visit", ZH, {**visit_fields(str(uuid.uuid4()), "olena"),
                                 "visited_at": future}, worker.stamp())
    missing = mutation("family", ZH, {"settlement": "Житомир"}, worker.stamp())
    good = mutation("family", ZH, family_fields(), worker.stamp())
    r = worker.push([bad, missing, good]).json()["results"]
    assert [x["status"] for x in r] == ["rejected", "rejected", "applied"]
    assert r[0]["code"] == "validation_error"
    assert "Час не може бути в майбутньому" in r[0]["reason"]
    assert "family_name: Обов'язкове поле" in r[1]["reason"]
    assert [c["record_id"] for c in worker.pull_all()] == [good["record_id"]]


def test_clock_far_ahead_is_rejected(worker: Device) -> None:
    ahead = HLC(wall_clock_ms() + 3_600_000, 0, "fast-phone").encode()
    m = mutation("family", ZH, family_fields(), ahead)
    r = worker.push([m]).json()["results"][0]
    assert r["status"] == "rejected" and r["code"] == "clock_ahead"
    r2 = worker.client.post("/api/v1/sync/push", headers=worker.headers,
                            json={"device_clock": ahead, "mutations": [m]})
    assert r2.status_code == 400 and r2.json()["code"] == "clock_ahead"


def test_server_stamps_authors_and_checks_author_fields(worker: Device) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    forged = mutation("visit", ZH, visit_fields(fam["record_id"], "petro"), worker.stamp())
    r = worker.push([fam, forged]).json()["results"]
    assert [x["status"] for x in r] == ["applied", "rejected"] and r[1]["code"] == "forbidden"
    got = worker.pull_all()
    assert {f["author"] for f in fields_of(got[0]).values()} == {"olena"}


def test_foreign_community_and_conflict_kind_rejected_and_audited(
        worker: Device, engine: Engine) -> None:
    other = mutation("family", ZV, family_fields(), worker.stamp())
    fake = mutation("conflict", ZH, {"field": "x"}, worker.stamp())
    r = worker.push([other, fake]).json()["results"]
    assert [(x["status"], x["code"]) for x in r] == [("rejected", "forbidden")] * 2
    assert worker.pull_all() == []
    a = AuditEntry.__table__  # type: ignore[attr-defined]
    with read_tx(engine) as conn:
        refused = conn.execute(select(a.c.record_ids, a.c.actor)
                               .where(a.c.action == "push_refused")).all()
    assert sorted(r.record_ids[0] for r in refused) == sorted(
        [other["record_id"], fake["record_id"]])


def test_tombstone_stays_deleted(worker: Device, worker2: Device) -> None:
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    worker.push([fam])
    dele = mutation("family", ZH, {"deleted": True}, worker.stamp(), record_id=fam["record_id"],
                    supersedes={"deleted": fam["fields"]["deleted"]["clock"]}
                    if "deleted" in fam["fields"] else None)
    worker.push([dele])
    late = mutation("family", ZH, {"phone": "+380 67 111 22 33"}, worker2.stamp(),
                    record_id=fam["record_id"])
    worker2.push([late])
    [rec] = worker2.pull_all()
    assert rec["values"]["deleted"] is True


def test_audit_log_is_append_only(worker: Device, engine: Engine) -> None:
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() > 0
    for sql in ("UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))


def test_audit_never_holds_names_or_tokens(worker: Device, engine: Engine) -> None:
    fam = mutation("family", ZH, family_fields("Унікальнопрізвище"), worker.stamp())
    worker.push([fam])
    worker.pull_all()
    token = worker.headers["Authorization"].split()[1]
    with engine.begin() as conn:
        dump = str(conn.execute(text("SELECT * FROM audit_log")).all())
    assert "Унікальнопрізвище" not in dump and token not in dump
    assert fam["record_id"] in dump


def test_pull_pages_that_send_records_are_audited_and_empty_ones_are_not(
        worker: Device, engine: Engine) -> None:
    def pulls() -> list[str]:
        with engine.begin() as conn:
            return [d for (d,) in conn.execute(text(
                "SELECT detail FROM audit_log WHERE action = 'pull' ORDER BY id"))]

    assert worker.pull_all() == []       # the first pull: the device's communities noted
    assert len(pulls()) == 1
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    worker.push([fam])
    assert [c["record_id"] for c in worker.pull_all()] == [fam["record_id"]]
    assert len(pulls()) == 2 and pulls()[-1].startswith("records=1 ")
    with engine.begin() as conn:
        (ids,) = conn.execute(text("SELECT record_ids FROM audit_log WHERE action = 'pull' "
                                   "ORDER BY id DESC LIMIT 1")).one()
    assert fam["record_id"].replace("-", "") in str(ids).replace("-", "")
    # Up to date: the page sends nothing, and nothing is written for it.
    assert worker.pull_all() == []
    assert worker.pull_all() == []
    assert len(pulls()) == 2


def test_review_needs_its_target_in_the_same_community(client: AppClient, engine: Engine,
                                                       settings: Settings,
                                                       worker: Device) -> None:
    make_user(engine, settings, "kerivnyk", Role.SUPERVISOR, [ZH])
    sup = Device(client, login(client, "kerivnyk"), "sup")
    fam = mutation("family", ZH, family_fields(), worker.stamp())
    visit = mutation("visit", ZH, visit_fields(fam["record_id"], "olena"), worker.stamp())
    worker.push([fam, visit])
    good = mutation("review", ZH, review_fields(visit["record_id"], "kerivnyk"), sup.stamp())
    lost = mutation("review", ZH, review_fields(str(uuid.uuid4()), "kerivnyk"), sup.stamp())
    wrong = mutation("review", ZH, review_fields(fam["record_id"], "kerivnyk"), sup.stamp())
    r = sup.push([good, lost, wrong]).json()["results"]
    assert [x["status"] for x in r] == ["applied", "rejected", "rejected"]
    assert r[1]["code"] == "validation_error" and "target_id" in r[1]["reason"]
    with engine.begin() as conn:
        audited = conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'review'")
                               ).scalar_one()
    assert audited == 1


def head(engine: Engine) -> int:
    with read_tx(engine) as conn:
        return int(conn.execute(text("SELECT position FROM feed_counter WHERE community = "
                                     "'zhytomyrska'")).scalar_one())


def _conflict(a: Device, b: Device) -> tuple[dict[str, Any], str]:
    """A family whose address ``a`` and ``b`` edit concurrently; its id and the conflict's."""
    fam = mutation("family", ZH, family_fields(address="вул. Миру, 1"), a.stamp())
    assert statuses(a.push([fam])) == ["applied"]
    base = fam["fields"]["address"]["clock"]
    e1 = mutation("family", ZH, {"address": "вул. Миру, 11"}, a.stamp(),
                  record_id=fam["record_id"], supersedes={"address": base})
    e2 = mutation("family", ZH, {"address": "вул. Київська, 5"}, b.stamp(),
                  record_id=fam["record_id"], supersedes={"address": base})
    assert statuses(a.push([e1])) == ["applied"]
    assert statuses(b.push([e2])) == ["conflict"]
    loser = min(e1, e2, key=lambda m: m["fields"]["address"]["clock"])
    return fam, conflict_id(fam["record_id"], "address", loser["fields"]["address"]["clock"])


def test_conflicts_reach_their_authors_and_reviewers_only(
        client: AppClient, engine: Engine, settings: Settings, worker: Device,
        worker2: Device) -> None:
    make_user(engine, settings, "ivan", Role.SOCIAL_WORKER, [ZH])
    make_user(engine, settings, "kerivnyk", Role.SUPERVISOR, [ZH])
    make_user(engine, settings, "koord", Role.COORDINATOR)
    ivan = Device(client, login(client, "ivan"), "ivan-phone")
    sup = Device(client, login(client, "kerivnyk"), "sup")
    coord = Device(client, login(client, "koord"), "coord")
    fam, cid = _conflict(worker, worker2)
    for dev in (worker, worker2, sup, coord):
        got = {c["record_id"]: c for c in dev.pull_all(limit=2)}
        assert got.keys() == {fam["record_id"], cid}
        assert got[cid]["values"]["status"] == "open"
    # A worker who wrote neither side never receives it, page after page; their cursor still
    # moves past it (to the head), so their next pulls do not read it again.
    assert [c["record_id"] for c in ivan.pull_all(limit=1)] == [fam["record_id"]]
    assert ivan.cursors["zhytomyrska"] == worker.cursors["zhytomyrska"] == head(engine) == 4
    assert ivan.pull_all() == []
    # Resolution: the authors and the reviewers see it resolved; the third worker still not.
    resolve = mutation("family", ZH, {"address": "вул. Миру, 11, кв. 2"}, worker2.stamp(),
                       record_id=fam["record_id"])
    both = sup.seen[cid]["values"]
    resolve["fields"]["address"]["supersedes"] = sorted([both["winner_clock"],
                                                         both["loser_clock"]])
    assert statuses(worker2.push([resolve])) == ["applied"]
    for dev in (worker, sup, coord):
        after = {c["record_id"]: c for c in dev.pull_all()}
        assert after[cid]["values"]["status"] == "resolved"
    assert [c["record_id"] for c in ivan.pull_all()] == [fam["record_id"]]
    assert ivan.cursors == worker.cursors
    with read_tx(engine) as conn:
        row = conn.execute(text("SELECT winner_author, loser_author FROM record WHERE kind = "
                                "'conflict'")).one()
    assert sorted(row) == ["olena", "petro"]


def test_hidden_rows_at_a_page_end_still_end_the_paging(
        client: AppClient, engine: Engine, settings: Settings, worker: Device,
        worker2: Device) -> None:
    make_user(engine, settings, "ivan", Role.SOCIAL_WORKER, [ZH])
    ivan = Device(client, login(client, "ivan"), "ivan-phone")
    _conflict(worker, worker2)
    _conflict(worker, worker2)  # positions: family, conflict, family, conflict
    r = client.get("/api/v1/sync/pull", headers=ivan.headers, params={"limit": 2})
    body = r.json()
    assert [c["kind"] for c in body["changes"]] == ["family", "family"]
    assert body["more"] is False and body["cursors"]["zhytomyrska"] == head(engine) == 8
