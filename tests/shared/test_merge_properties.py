"""Merge rule properties, proven over random causal histories (>= 500 examples each).

The laws: merge is commutative, associative and idempotent; any delivery order of the same
writes gives the same state; replicas that exchanged everything are equal; and no value is
lost silently — each write is current, or an open conflict, or equal to the current value,
or superseded by a later write whose author saw it.
"""

from __future__ import annotations

from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st

from shared_models.merge import RecordState, canonical, merge_records

from .histories import History, histories, single

EXAMPLES = settings(max_examples=500)


def fold(writes: list) -> RecordState:
    return reduce(merge_records, (single(f, w) for f, w in writes))


def subset_states(draw: st.DrawFn, h: History, k: int) -> list[RecordState]:
    states = []
    for _ in range(k):
        picked = draw(st.lists(st.sampled_from(h.writes), min_size=1, max_size=len(h.writes)))
        states.append(fold(picked))
    return states


@EXAMPLES
@given(histories(), st.data())
def test_merge_is_commutative(h: History, data: st.DataObject) -> None:
    a, b = subset_states(data.draw, h, 2)
    assert merge_records(a, b) == merge_records(b, a)


@EXAMPLES
@given(histories(), st.data())
def test_merge_is_associative(h: History, data: st.DataObject) -> None:
    a, b, c = subset_states(data.draw, h, 3)
    assert merge_records(merge_records(a, b), c) == merge_records(a, merge_records(b, c))


@EXAMPLES
@given(histories(), st.data())
def test_merge_is_idempotent(h: History, data: st.DataObject) -> None:
    (a,) = subset_states(data.draw, h, 1)
    b = fold(h.writes)
    assert merge_records(a, a) == a
    assert merge_records(merge_records(a, b), b) == merge_records(a, b)


@EXAMPLES
@given(histories(), st.data())
def test_any_delivery_order_gives_the_same_state(h: History, data: st.DataObject) -> None:
    order = data.draw(st.permutations(h.writes))
    repeated = data.draw(st.lists(st.sampled_from(h.writes), max_size=5))  # duplicates too
    assert fold(order + repeated) == fold(h.writes)


@EXAMPLES
@given(histories())
def test_replicas_that_exchanged_everything_agree(h: History) -> None:
    everything = fold(h.writes)
    for state in h.replicas:
        if state is not None:
            assert merge_records(state, everything) == everything


@EXAMPLES
@given(histories())
def test_highest_clock_wins_deterministically(h: History) -> None:
    final = fold(h.writes)
    for field, fs in final.fields.items():
        mine = [w for f, w in h.writes if f == field]
        assert fs.current == max(mine, key=lambda w: w.key)


@EXAMPLES
@given(histories())
def test_no_value_is_lost_silently(h: History) -> None:
    final = fold(h.writes)
    superseded_by: dict[str, list] = {}
    for field, w in h.writes:
        for seen in w.supersedes:
            superseded_by.setdefault(f"{field}/{seen}", []).append(w)
    for field, w in h.writes:
        fs = final.fields[field]
        if w.key == fs.current.key or canonical(w.value) == canonical(fs.value):
            continue
        if any(c.key == w.key for c in fs.conflicts()):
            continue
        later = superseded_by.get(f"{field}/{w.clock}", [])
        assert later, f"{field}={w.value!r} at {w.clock} vanished without a conflict"
        # Superseded only by a causally later write whose author had it on screen.
        assert all(s.clock > w.clock for s in later)


@EXAMPLES
@given(histories())
def test_a_write_never_loses_to_one_it_superseded(h: History) -> None:
    by_clock = {(f, w.clock): w for f, w in h.writes}
    for field, w in h.writes:
        for seen in w.supersedes:
            old = by_clock[(field, seen)]
            assert w.clock > old.clock


@EXAMPLES
@given(histories())
def test_every_conflict_is_an_unseen_losing_write(h: History) -> None:
    final = fold(h.writes)
    seen = {(f, c) for f, w in h.writes for c in w.supersedes}
    for field, losers in final.conflicts().items():
        for loser in losers:
            assert (field, loser.clock) not in seen
            assert loser.key < final.fields[field].current.key
