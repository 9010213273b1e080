"""The conflicts service over a real encrypted store: who sees what, both values, resolving."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from field_app.i18n import EN, UK, Translator
from field_app.services.conflicts import (
    ConflictGone,
    ResolveInvalid,
    conflicts_for_record,
    get_conflict,
    list_conflicts,
    merged_prefill,
    open_count,
    resolve,
)
from field_app.services.record_names import record_name
from field_app.services.values import TEXT_FIELDS, field_label_key, present
from field_app.store import LocalStore
from shared_models.records import KINDS, Conflict, Family, Person, Visit
from tests.ui.conflict_data import clock, pull, pull_conflict, pull_family
from tests.ui.stores import real_store

OLENA = {"username": "olena", "role": "social_worker"}
PETRO = {"username": "petro", "role": "social_worker"}
TARAS = {"username": "taras", "role": "social_worker"}
IRYNA = {"username": "iryna", "role": "supervisor"}


def _words(refusal: ResolveInvalid, lang: str) -> str:
    return Translator(lang).t(refusal.problem.key, **refusal.problem.params)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    s = real_store(tmp_path)
    yield s
    s.close()


def _family_conflict(store: LocalStore) -> tuple[uuid.UUID, uuid.UUID]:
    fid = uuid.uuid4()
    pull_family(store, fid)
    return fid, pull_conflict(store, record_id=fid)


def test_authors_and_supervisors_see_it_other_workers_do_not(store: LocalStore) -> None:
    fid, cid = _family_conflict(store)
    assert [r.id for r in list_conflicts(store, **OLENA)] == [str(cid)]
    assert [r.id for r in list_conflicts(store, **PETRO)] == [str(cid)]
    assert [r.id for r in list_conflicts(store, **IRYNA)] == [str(cid)]
    assert list_conflicts(store, **TARAS) == []
    assert open_count(store, **TARAS) == 0
    with pytest.raises(ConflictGone):
        get_conflict(store, str(cid), **TARAS)
    assert [r.id for r in conflicts_for_record(store, str(fid), **IRYNA)] == [str(cid)]
    assert conflicts_for_record(store, str(uuid.uuid4()), **IRYNA) == []


def test_a_row_names_the_record_field_and_both_sides_mine_first(store: LocalStore) -> None:
    fid, cid = _family_conflict(store)
    row = get_conflict(store, str(cid), **OLENA)
    assert (row.record.kind, row.record.name, row.record.family_id) == (
        "family", "Коваленко, Малин", str(fid))
    assert row.field == "address" and row.text and not row.settled_here
    mine, theirs = row.sides
    assert (mine.value, mine.author, mine.mine, mine.current) == (
        "вул. Садова, 3", "olena", True, False)
    assert (theirs.value, theirs.author, theirs.mine, theirs.current) == (
        "вул. Садова, 5", "petro", False, True)
    assert mine.at is not None and theirs.at is not None and mine.at < theirs.at
    # A supervisor sees the later edit first.
    assert [s.author for s in get_conflict(store, str(cid), **IRYNA).sides] == ["petro", "olena"]
    assert merged_prefill(row) == "вул. Садова, 5"      # one line: start from what is there


def test_resolve_by_choosing_a_side_settles_it_here(store: LocalStore) -> None:
    fid, cid = _family_conflict(store)
    before = store.pending_count()
    resolve(store, str(cid), "вул. Садова, 3", **OLENA)
    assert store.get(Family, fid).address == "вул. Садова, 3"
    assert store.pending_count() == before + 1
    conflict = store.get(Conflict, cid)
    [entry] = store.pending_changes()
    write = entry.writes["address"]
    assert {conflict.winner_clock, conflict.loser_clock} <= set(write.supersedes)
    row = get_conflict(store, str(cid), **OLENA)
    assert row.settled_here and row.sides[0].current
    assert open_count(store, **OLENA) == 0              # nothing waits for a decision
    assert [r.settled_here for r in list_conflicts(store, **OLENA)] == [True]


def test_resolve_with_a_merged_paragraph(store: LocalStore) -> None:
    fid = uuid.uuid4()
    pull_family(store, fid)
    vid = uuid.uuid4()
    base = {"deleted": False, "family_id": str(fid), "visited_at": "2026-01-05T09:00:00+00:00",
            "risk_level": "medium", "author": "olena", "place": "home"}
    pull(store, "visit", vid, {**base, "next_steps": "Консультація"}, at=clock(0, "dolena"),
         author="olena")
    cid = pull_conflict(store, kind="visit", record_id=vid, field="next_steps",
                        winner="Візит до школи", loser="Оформити допомогу", base_values=base)
    row = get_conflict(store, str(cid), **IRYNA)
    assert row.record.name == "05.01.2026 · Коваленко, Малин"
    assert row.record.family_id == str(fid)
    assert merged_prefill(row) == "Візит до школи\n\nОформити допомогу"
    resolve(store, str(cid), "  Візит до школи; оформити допомогу  ", **IRYNA)
    assert store.get(Visit, vid).next_steps == "Візит до школи; оформити допомогу"
    assert get_conflict(store, str(cid), **IRYNA).settled_here


def test_an_invalid_merged_value_is_refused_in_plain_words(store: LocalStore) -> None:
    fid = uuid.uuid4()
    pull_family(store, fid)
    cid = pull_conflict(store, record_id=fid, field="family_name", winner="Коваленко",
                        loser="Коваленки")
    before = store.pending_count()
    with pytest.raises(ResolveInvalid) as refused:
        resolve(store, str(cid), "К" * 101, **OLENA)
    assert _words(refused.value, "uk") == "Не більше 100 символів"
    assert _words(refused.value, "en") == "At most 100 characters"
    with pytest.raises(ResolveInvalid) as empty:
        resolve(store, str(cid), "   ", **OLENA)
    assert _words(empty.value, "uk") == "Заповніть це поле"
    assert store.pending_count() == before               # nothing was written
    assert not get_conflict(store, str(cid), **OLENA).settled_here


def test_an_optional_text_merged_to_nothing_is_cleared(store: LocalStore) -> None:
    fid, cid = _family_conflict(store)
    resolve(store, str(cid), "", **IRYNA)
    assert store.get(Family, fid).address == ""


def test_unknown_closed_and_orphan_conflicts(store: LocalStore) -> None:
    with pytest.raises(ConflictGone):
        get_conflict(store, "not-a-uuid", **IRYNA)
    with pytest.raises(ConflictGone):
        get_conflict(store, str(uuid.uuid4()), **IRYNA)
    orphan = pull_conflict(store, record_id=uuid.uuid4(), with_record=False)
    row = get_conflict(store, str(orphan), **IRYNA)
    assert row.record.name is None and row.record.family_id is None
    with pytest.raises(ConflictGone) as gone:
        resolve(store, str(orphan), "вул. Садова, 3", **IRYNA)
    assert gone.value.key == "conflicts.record_missing"
    _fid, cid = _family_conflict(store)
    conflict = store.get(Conflict, cid)
    pull(store, "conflict", cid, {"status": "resolved", "resolved_by": "iryna"},
         at=clock(9_000), author="server")
    assert store.get(Conflict, cid).status.value == "resolved"
    assert conflict is not None
    assert [r.id for r in list_conflicts(store, **IRYNA)] == [str(orphan)]


def test_values_are_shown_in_words(store: LocalStore) -> None:
    tr = Translator("uk")
    fid = uuid.uuid4()
    pull_family(store, fid)
    pid = uuid.uuid4()
    pull(store, "person", pid, {"deleted": False, "family_id": str(fid), "last_name": "Коваленко",
                                "first_name": "Іван", "role": "child"}, at=clock(0, "d1"),
         author="olena")
    assert present("family", "displaced", True, tr) == "Так"
    assert present("family", "closed", False, tr) == "Ні"
    assert present("family", "next_visit_date", "2026-11-22", tr) == "22.11.2026"
    assert present("visit", "risk_level", "high", tr) == "високий"
    assert present("visit", "place", "school", tr) == "у закладі освіти"
    assert present("visit", "services", ["002.0", "001.0"], tr) == "Консультування, Інформування"
    assert present("visit", "present", [str(pid)], tr, store) == "Коваленко Іван"
    assert present("person", "family_id", str(fid), tr, store) == "Коваленко, Малин"
    assert present("family", "phone", None, tr) == "(порожньо)"
    assert present("family", "address", "", Translator("en")) == "(empty)"
    assert present("family", "consent_date", date(2026, 1, 2).isoformat(), tr) == "02.01.2026"
    assert present("visit", "visited_at", "2026-01-05T09:00:00+00:00", tr).startswith("05.01.2026 ")
    assert store.get(Person, pid) is not None


def test_every_field_people_edit_has_a_label_in_both_languages() -> None:
    missing = [field_label_key(kind.value, name)
               for kind, cls in KINDS.items() if kind.value != "conflict"
               for name in cls.model_fields if name not in ("id", "community")
               if field_label_key(kind.value, name) not in UK
               or field_label_key(kind.value, name) not in EN]
    assert missing == []
    for kind, fields in TEXT_FIELDS.items():
        assert set(fields) <= set(KINDS[kind].model_fields), kind   # type: ignore[index]


def test_a_placement_is_named_by_the_child_and_the_foster_family(store: LocalStore) -> None:
    foster = uuid.uuid4()
    pull_family(store, foster, family_name="Шевчук", settlement="Малин", foster_family=True)
    child = uuid.uuid4()
    pull(store, "person", child, {"deleted": False, "family_id": str(uuid.uuid4()),
                                  "last_name": "Коваленко", "first_name": "Іван",
                                  "role": "child"}, at=clock(0, "d1"), author="olena")
    pid = uuid.uuid4()
    pull(store, "placement", pid, {"deleted": False, "child_id": str(child),
                                   "foster_family_id": str(foster),
                                   "start_date": "2026-11-01", "planned_end": "2026-12-01"},
         at=clock(0, "d1"), author="olena")
    name = record_name(store, "placement", str(pid))
    assert (name.name, name.family_id) == ("Коваленко Іван · Шевчук, Малин", str(foster))
