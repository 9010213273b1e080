"""The hybrid logical clock: monotonic, receive rule, text order, skewed and hostile clocks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_models.clock import (
    HLC,
    MAX_COUNTER,
    ClockDriftError,
    ClockError,
    HybridClock,
)

HOUR = 3_600_000
DAY = 24 * HOUR


class FakeWall:
    """A wall clock the test moves by hand, including backwards."""

    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


clocks = st.builds(
    HLC,
    wall_ms=st.integers(0, 10**15 - 1),
    counter=st.integers(0, MAX_COUNTER),
    node=st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True),
)


@given(clocks, clocks)
def test_text_order_equals_clock_order(a: HLC, b: HLC) -> None:
    assert (a < b) == (a.encode() < b.encode())
    assert (a == b) == (a.encode() == b.encode())


@given(clocks)
def test_encoding_round_trips(c: HLC) -> None:
    assert HLC.decode(c.encode()) == c


def test_now_is_monotonic_when_the_wall_clock_jumps_backwards() -> None:
    wall = FakeWall(1_800_000_000_000)
    clock = HybridClock("phone1", wall=wall)
    seen = [clock.now()]
    for step in (5, -HOUR, 0, -DAY, 10, 2 * HOUR, -1):
        wall.ms += step
        seen.append(clock.now())
    assert seen == sorted(seen)
    assert len(set(seen)) == len(seen)
    # After the wall clock catches up again, the clock returns to physical time.
    wall.ms = seen[-1].wall_ms + 1000
    assert clock.now() == HLC(wall.ms, 0, "phone1")


def test_receive_orders_after_both_local_and_remote() -> None:
    wall = FakeWall(1_800_000_000_000)
    clock = HybridClock("a", wall=wall)
    local = clock.now()
    remote = HLC(wall.ms + 1000, 7, "b")  # within the allowed drift
    got = clock.receive(remote)
    assert got > remote > local
    assert got == HLC(remote.wall_ms, 8, "a")
    assert clock.now() > got


def test_receive_same_wall_takes_max_counter_plus_one() -> None:
    wall = FakeWall(1_000)
    clock = HybridClock("a", wall=wall, last=HLC(5_000, 3, "a"))
    assert clock.receive(HLC(5_000, 9, "b")) == HLC(5_000, 10, "a")
    assert clock.receive(HLC(5_000, 1, "b")) == HLC(5_000, 11, "a")


def test_device_hours_behind_still_orders_its_edit_after_what_it_pulled() -> None:
    """A phone whose clock is 5 hours slow edits a value it pulled: its edit must win."""
    server_wall = FakeWall(1_800_000_000_000)
    server = HybridClock("server", wall=server_wall)
    pulled = server.now()
    phone = HybridClock("phone", wall=FakeWall(server_wall.ms - 5 * HOUR), max_drift_ms=None)
    phone.receive(pulled)
    edit = phone.now()
    assert edit > pulled


def test_far_future_clock_is_flagged_and_not_adopted() -> None:
    wall = FakeWall(1_800_000_000_000)
    server = HybridClock("server", wall=wall, max_drift_ms=5 * 60_000)
    before = server.last
    liar = HLC(wall.ms + 3 * DAY, 0, "phone")
    with pytest.raises(ClockDriftError) as info:
        server.receive(liar)
    assert info.value.drift_ms == 3 * DAY
    assert "ahead" in str(info.value)
    assert server.last == before
    assert server.now().wall_ms == wall.ms  # still on its own wall time


def test_trusting_clock_adopts_a_far_ahead_server() -> None:
    phone = HybridClock("phone", wall=FakeWall(1_000), max_drift_ms=None)
    got = phone.receive(HLC(10 * DAY, 0, "server"))
    assert got.wall_ms == 10 * DAY


def test_counter_overflow_moves_logical_time_forward() -> None:
    wall = FakeWall(1_000)
    clock = HybridClock("a", wall=wall, last=HLC(1_000, MAX_COUNTER, "a"))
    assert clock.now() == HLC(1_001, 0, "a")
    clock2 = HybridClock("a", wall=wall, last=HLC(1_000, MAX_COUNTER, "a"))
    assert clock2.receive(HLC(1_000, MAX_COUNTER, "b")) == HLC(1_001, 0, "a")


def test_restart_from_persisted_last_never_goes_back() -> None:
    wall = FakeWall(2_000_000)
    first = HybridClock("a", wall=wall)
    for _ in range(5):
        first.now()
    last = first.last.encode()
    wall.ms -= DAY  # the phone's clock was reset while it was off
    second = HybridClock("a", wall=wall, last=last)
    assert second.now() > HLC.decode(last)


@given(st.lists(st.tuples(st.sampled_from(["now", "recv"]), st.integers(-DAY, DAY),
                          st.integers(0, 50)), max_size=60))
def test_any_sequence_of_events_is_strictly_increasing(events: list[tuple[str, int, int]]) -> None:
    wall = FakeWall(1_800_000_000_000)
    clock = HybridClock("me", wall=wall, max_drift_ms=None)
    prev = clock.now()
    for kind, jump, counter in events:
        wall.ms = max(0, wall.ms + jump)
        got = clock.now() if kind == "now" else clock.receive(HLC(wall.ms + jump, counter, "you"))
        assert got > prev
        prev = got


@pytest.mark.parametrize("text", ["", "123", "000000000000001-000000-", "1-1-a",
                                  "000000000000001-000000-bad node", None])
def test_decode_rejects_malformed_text(text: str) -> None:
    with pytest.raises(ClockError):
        HLC.decode(text)


def test_invalid_node_id_is_refused() -> None:
    with pytest.raises(ClockError, match="invalid node id"):
        HybridClock("спільний телефон")
