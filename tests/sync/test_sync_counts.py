"""What "received" counts after a sync: changes from others, not this device's own echo.

A pull brings back the records this device has just pushed (the feed holds every record's
latest state); the sync screen said "Надіслано змін: 5, отримано: 4." after a worker sent
their own day's work, as if four things had come from colleagues.
"""

from __future__ import annotations

from collections.abc import Callable

from shared_models.records import Family
from tests.sync.conftest import Device
from tests.sync.records import family, note, visit


def test_own_changes_coming_back_are_not_received(make_device: Callable[..., Device]) -> None:
    olena, olena_sync = make_device("olena")
    petro, petro_sync = make_device("petro")
    fam = family()
    for record in (fam, visit(fam.id, "olena"), note(fam.id, "olena")):
        olena.save(record)
    sent = olena_sync.sync()
    assert (sent.pushed, sent.received) == (3, 0)
    assert sent.pulled == 3                      # the feed did send them back
    got = petro_sync.sync()
    assert (got.pushed, got.received) == (0, 3)  # new to Petro's phone
    # Petro changes one field of the family: for Olena that record is news.
    petro.save(petro.get(Family, fam.id).model_copy(update={"address": "вул. Лісова, 7"}))
    assert petro_sync.sync().received == 0
    back = olena_sync.sync()
    assert (back.pushed, back.received) == (0, 1)
    assert olena.get(Family, fam.id).address == "вул. Лісова, 7"
