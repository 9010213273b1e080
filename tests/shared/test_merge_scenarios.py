"""The merge rule in the stories users live: two offline edits, a resolution, a delete."""

from __future__ import annotations

import pytest

from shared_models.clock import HLC
from shared_models.merge import (
    FieldWrite,
    MergeError,
    RecordState,
    apply_change,
    check_change,
    merge_records,
    state_from_writes,
)

REC = ("0b8e8f64-5f1e-4d55-9a39-2f8c5a0c0001", "visit", "malynska")


def clk(ms: int, node: str = "a", counter: int = 0) -> str:
    return HLC(ms, counter, node).encode()


def change(**writes: FieldWrite) -> RecordState:
    return state_from_writes(*REC, writes)


def test_two_offline_edits_keep_the_losing_text_in_a_conflict() -> None:
    base = change(next_steps=FieldWrite("Записати до психолога", clk(100, "olena"), (), "olena"))
    mine = change(next_steps=FieldWrite("Оформити допомогу", clk(200, "olena"),
                                        (clk(100, "olena"),), "olena"))
    theirs = change(next_steps=FieldWrite("Візит до школи", clk(300, "petro"),
                                          (clk(100, "olena"),), "petro"))
    server = apply_change(None, base).state
    server = apply_change(server, mine).state
    out = apply_change(server, theirs)
    assert out.state.values()["next_steps"] == "Візит до школи"
    assert [w.value for w in out.opened["next_steps"]] == ["Оформити допомогу"]
    assert out.opened["next_steps"][0].author == "olena"
    # Same result in the other arrival order.
    other = merge_records(merge_records(merge_records(theirs, base), mine), theirs)
    assert other == out.state


def test_an_edit_of_what_the_author_saw_is_not_a_conflict() -> None:
    first = change(next_steps=FieldWrite("чернетка", clk(100)))
    second = change(next_steps=FieldWrite("остаточно", clk(200), (clk(100),)))
    out = apply_change(apply_change(None, first).state, second)
    assert out.opened == {}
    assert out.state.conflicts() == {}


def test_a_resolution_superseding_both_sides_closes_the_conflict() -> None:
    a = change(next_steps=FieldWrite("A", clk(100, "a")))
    b = change(next_steps=FieldWrite("B", clk(200, "b")))
    state = merge_records(a, b)
    assert [w.value for w in state.conflicts()["next_steps"]] == ["A"]
    resolved = change(next_steps=FieldWrite("A і B", clk(300, "sup"),
                                            (clk(100, "a"), clk(200, "b")), "sup"))
    out = apply_change(state, resolved)
    assert out.state.values()["next_steps"] == "A і B"
    assert [w.value for w in out.closed["next_steps"]] == ["A"]
    assert out.state.conflicts() == {}


def test_concurrent_identical_values_are_not_a_conflict() -> None:
    a = change(risk_level=FieldWrite("high", clk(100, "a")))
    b = change(risk_level=FieldWrite("high", clk(200, "b")))
    assert merge_records(a, b).conflicts() == {}


def test_an_edit_of_another_field_never_resurrects_a_deleted_record() -> None:
    created = change(next_steps=FieldWrite("x", clk(100)), deleted=FieldWrite(False, clk(100)))
    deleted = change(deleted=FieldWrite(True, clk(300, "b"), (clk(100),)))
    late_edit = change(next_steps=FieldWrite("y", clk(200, "c"), (clk(100),)))
    for order in ([created, deleted, late_edit], [created, late_edit, deleted],
                  [late_edit, deleted, created]):
        state = order[0]
        for s in order[1:]:
            state = merge_records(state, s)
        assert state.deleted
        assert state.values()["next_steps"] == "y"


def test_notes_are_immutable_but_a_replayed_write_is_fine() -> None:
    note = state_from_writes("n1", "note", "malynska",
                             {"text": FieldWrite("Сім'я отримала допомогу", clk(100))})
    edit = state_from_writes("n1", "note", "malynska",
                             {"text": FieldWrite("інший текст", clk(200), (clk(100),))})
    assert check_change(note, note) is None
    reason = check_change(note, edit)
    assert reason is not None and "cannot be edited" in reason


def test_a_record_cannot_move_to_another_community() -> None:
    a = state_from_writes("f1", "family", "malynska", {"settlement": FieldWrite("Малин", clk(1))})
    b = state_from_writes("f1", "family", "pulynska", {"settlement": FieldWrite("Пулини", clk(2))})
    assert "another community" in (check_change(a, b) or "")
    with pytest.raises(MergeError):
        merge_records(a, b)


def test_a_write_cannot_claim_to_supersede_its_future() -> None:
    with pytest.raises(MergeError, match="supersede"):
        FieldWrite("x", clk(100), (clk(200),))
    with pytest.raises(MergeError, match="not a clock"):
        FieldWrite("x", "yesterday")


def test_same_clock_different_value_breaks_ties_the_same_way_everywhere() -> None:
    a = change(next_steps=FieldWrite("a", clk(100)))
    b = change(next_steps=FieldWrite("b", clk(100)))
    assert merge_records(a, b) == merge_records(b, a)
    assert merge_records(a, b).values()["next_steps"] == "b"
