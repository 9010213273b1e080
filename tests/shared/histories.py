"""Hypothesis strategy: causal histories of one record edited on several offline replicas.

Replicas have wall clocks days apart, edit fields while offline and sync pairwise at random.
Each edit supersedes exactly what its replica showed, as the app does. The strategy returns
every write made and every replica's final state, to check the merge laws against.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from shared_models.clock import HybridClock
from shared_models.merge import FieldWrite, RecordState, merge_records, state_from_writes

DAY = 86_400_000
START = 1_800_000_000_000
RECORD = ("6f1c1f0e-0000-4000-8000-000000000001", "visit", "malynska")
FIELDS = ("next_steps", "risk_level", "deleted")
VALUES = ("", "Мати відвідала консультацію", "потрібна допомога", "low", "high",
          True, False, None, ["002.0"], {"a": 1})


@dataclass
class Replica:
    """One device or server: its clock and its merged view of the record."""

    clock: HybridClock
    state: RecordState | None = None


@dataclass(frozen=True)
class History:
    """What a simulated run produced."""

    writes: list[tuple[str, FieldWrite]]  # (field, write) in the order they were made
    replicas: list[RecordState | None]


def single(field: str, write: FieldWrite) -> RecordState:
    """A record state holding one write."""
    return state_from_writes(*RECORD, {field: write})


def merge_into(state: RecordState | None, other: RecordState) -> RecordState:
    """Merge ``other`` into a possibly empty state."""
    return other if state is None else merge_records(state, other)


@st.composite
def histories(draw: st.DrawFn, max_ops: int = 40) -> History:
    """A random causal history of edits and syncs among 2-5 replicas."""
    n = draw(st.integers(2, 5))
    now = [START]
    replicas = []
    for i in range(n):
        skew = draw(st.integers(-3 * DAY, 3 * DAY))
        replicas.append(Replica(HybridClock(f"r{i}", wall=lambda s=skew: now[0] + s,
                                            max_drift_ms=None)))
    writes: list[tuple[str, FieldWrite]] = []
    ops = draw(st.lists(
        st.tuples(st.sampled_from(["edit", "edit", "sync"]), st.integers(0, n - 1),
                  st.integers(0, n - 1), st.sampled_from(FIELDS), st.sampled_from(VALUES)),
        min_size=1, max_size=max_ops))
    ops[0] = ("edit", *ops[0][1:])  # at least one write to reason about
    for op, i, j, field, value in ops:
        now[0] += draw(st.integers(0, 120_000))
        me = replicas[i]
        if op == "edit":
            shown = me.state.fields.get(field) if me.state else None
            w = FieldWrite(value, me.clock.now().encode(),
                           (shown.clock,) if shown else (), f"r{i}")
            me.state = merge_into(me.state, single(field, w))
            writes.append((field, w))
        elif i != j and replicas[j].state is not None:
            other = replicas[j].state
            me.state = merge_into(me.state, other)
            me.clock.receive(other.max_clock)
    return History(writes, [r.state for r in replicas])
