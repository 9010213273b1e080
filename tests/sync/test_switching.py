"""A sync shortens the GIL switch interval while it runs and always gives it back."""

from __future__ import annotations

import sys
import threading

import pytest

from field_app.sync.threads import SYNC_SWITCH_INTERVAL, brisk_switching


def test_shortened_inside_restored_after_even_on_error() -> None:
    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError), brisk_switching():
        assert sys.getswitchinterval() == pytest.approx(SYNC_SWITCH_INTERVAL, rel=0.05)
        with brisk_switching():  # nested: the outer one restores
            pass
        assert sys.getswitchinterval() == pytest.approx(SYNC_SWITCH_INTERVAL, rel=0.05)
        raise RuntimeError("the link dropped")
    assert sys.getswitchinterval() == pytest.approx(before, rel=0.05)


def test_overlapping_syncs_on_two_threads_restore_once_both_are_done() -> None:
    before = sys.getswitchinterval()
    inside, release = threading.Event(), threading.Event()

    def other_sync() -> None:
        with brisk_switching():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=other_sync)
    with brisk_switching():
        t.start()
        assert inside.wait(10)
    assert sys.getswitchinterval() == pytest.approx(SYNC_SWITCH_INTERVAL, rel=0.05)  # still syncing
    release.set()
    t.join(10)
    assert sys.getswitchinterval() == pytest.approx(before, rel=0.05)


def test_never_lengthens_a_shorter_interval() -> None:
    before = sys.getswitchinterval()
    sys.setswitchinterval(SYNC_SWITCH_INTERVAL / 5)
    try:
        with brisk_switching():
            assert sys.getswitchinterval() == pytest.approx(SYNC_SWITCH_INTERVAL / 5, rel=0.05)
    finally:
        sys.setswitchinterval(before)
