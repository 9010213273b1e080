"""Auto-sync policy: the triggers the app reports, never two at once, no sync storms."""

from __future__ import annotations

import random
import threading

from field_app.sync import AutoSyncPolicy, Backoff, Trigger


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_start_resume_and_manual_triggers() -> None:
    clock = Clock()
    p = AutoSyncPolicy(interval_s=600, min_gap_s=30, clock=clock)
    assert p.try_begin(Trigger.START)
    assert not p.try_begin(Trigger.MANUAL)  # one at a time, even by hand
    p.finish(ok=True)
    clock.t += 5
    assert not p.try_begin(Trigger.RESUME)  # too soon after the last one
    assert p.try_begin(Trigger.MANUAL)      # the button is never held back by the gap
    p.finish(ok=True)
    clock.t += 31
    assert p.try_begin(Trigger.RESUME)
    p.finish(ok=True)


def test_interval_fires_only_when_due() -> None:
    clock = Clock()
    p = AutoSyncPolicy(interval_s=600, min_gap_s=30, clock=clock)
    assert p.due()
    assert p.try_begin(Trigger.INTERVAL)
    p.finish(ok=True)
    clock.t += 300
    assert not p.due()
    assert not p.try_begin(Trigger.INTERVAL)
    clock.t += 301
    assert p.due() and p.try_begin(Trigger.INTERVAL)


def test_connectivity_coming_back_starts_a_sync_once() -> None:
    clock = Clock()
    p = AutoSyncPolicy(min_gap_s=30, clock=clock)
    assert not p.set_online(True)   # was already online: nothing new
    assert not p.set_online(False)
    assert not p.try_begin(Trigger.RESUME)  # offline: automatic syncs wait
    assert p.set_online(True)       # back online: go
    assert not p.set_online(True)
    p.finish(ok=True)


def test_failures_back_off_automatic_retries() -> None:
    clock = Clock()
    p = AutoSyncPolicy(min_gap_s=30, max_failure_gap_s=600, clock=clock)
    assert p.try_begin(Trigger.RESUME)
    p.finish(ok=False)
    gaps = []
    for _ in range(6):
        start = clock.t
        while not p.try_begin(Trigger.RESUME):
            clock.t += 1
        gaps.append(clock.t - start)
        p.finish(ok=False)
    assert gaps == [60, 120, 240, 480, 600, 600]
    assert p.try_begin(Trigger.MANUAL)  # the worker can always press the button
    p.finish(ok=True)
    clock.t += 30
    assert p.try_begin(Trigger.RESUME)  # success resets the backoff


def test_never_two_syncs_at_once_under_threads() -> None:
    p = AutoSyncPolicy(min_gap_s=0)
    winners = []
    barrier = threading.Barrier(16)

    def race() -> None:
        barrier.wait()
        if p.try_begin(Trigger.MANUAL):
            winners.append(1)

    threads = [threading.Thread(target=race) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1 and p.running


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    b = Backoff(attempts=6, base=0.5, cap=8, rng=random.Random(7))
    delays = [b.delay(n) for n in range(6)]
    assert all(0 <= d <= min(8, 0.5 * 2**n) for n, d in enumerate(delays))
    assert len(set(delays)) == 6  # jittered, not lock-step
    assert b.delay(0, retry_after=5) >= 5
    assert b.delay(0, retry_after=100) <= 8


def test_a_released_claim_counts_as_no_attempt() -> None:
    clock = Clock()
    p = AutoSyncPolicy(interval_s=600, min_gap_s=30, clock=clock)
    assert p.try_begin(Trigger.START)
    p.finish(ok=True)
    clock.t += 40
    p.set_online(False)
    assert p.set_online(True)               # the network came back: a claim...
    p.release()                             # ...the app could not use (it was locked)
    assert not p.running
    clock.t += 1
    assert p.try_begin(Trigger.START)       # the unlock is not held back by the gap
    p.finish(ok=False)
    clock.t += 40
    assert not p.try_begin(Trigger.RESUME)  # a real failure still backs off (60 s)


def test_a_requested_sync_goes_soon_but_never_beside_another() -> None:
    clock = Clock()
    p = AutoSyncPolicy(interval_s=900, min_gap_s=30, clock=clock)
    assert p.try_begin(Trigger.START)
    p.finish(ok=True)
    clock.t += 5
    assert not p.try_begin(Trigger.SOON)    # nothing was asked for: the gap holds
    p.request()                             # a supervisor decided: the author waits for it
    assert p.requested
    assert p.try_begin(Trigger.SOON)        # within the gap, since the last sync went well
    assert not p.requested
    p.request()                             # decided again while that sync runs
    assert not p.try_begin(Trigger.SOON)    # never two at once ...
    p.finish(ok=True)
    assert p.requested                      # ... but still wanted after it
    assert p.try_begin(Trigger.SOON)
    p.finish(ok=True)
    clock.t += 1
    assert not p.try_begin(Trigger.SOON)    # asked once, synced once


def test_a_requested_sync_keeps_the_back_off_offline_and_a_released_claim() -> None:
    clock = Clock()
    p = AutoSyncPolicy(min_gap_s=30, clock=clock)
    assert p.try_begin(Trigger.START)
    p.finish(ok=False)
    p.request()
    clock.t += 5
    assert not p.try_begin(Trigger.SOON)    # after a failure the back-off still applies
    clock.t += 60
    assert p.try_begin(Trigger.SOON)
    p.release()                             # locked meanwhile: nothing was sent
    assert p.requested
    p.set_online(False)
    assert not p.try_begin(Trigger.SOON)    # offline: wait for the network
    assert p.set_online(True)               # the network's sync sends the decision
    assert not p.requested
