"""The revocation notice file: what it holds, and what a crash or damage leaves.

Written before the wipe so a restart still tells the worker what was lost: counts, whether the
administrator was told, the day — nothing else, and never something half-written.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from field_app.services.problem import Problem
from field_app.services.sync_problems import stored_revocation_problem
from field_app.sync import lost_notice
from field_app.sync.lost_notice import LostNotice
from shared_models.revocation import LostWorkReport

LOST = LostWorkReport.model_validate({"outbox": {"visit": 2, "note": 1}, "drafts": 1})
DAY = date(2026, 12, 7)


def test_a_notice_round_trips_and_holds_only_counts_a_flag_and_a_day(tmp_path: Path) -> None:
    lost_notice.write(tmp_path, LostNotice(LOST, True, DAY))
    assert lost_notice.read(tmp_path) == LostNotice(LOST, True, DAY)
    data = json.loads(lost_notice.notice_path(tmp_path).read_text())
    assert data == {"version": 1, "on": "2026-12-07", "reported": True,
                    "lost": {"outbox": {"visit": 2, "note": 1}, "drafts": 1}}
    assert [p.name for p in tmp_path.iterdir()] == [lost_notice.NOTICE_FILE]   # no temp left
    assert stored_revocation_problem(tmp_path) == Problem(
        "sync.err.revoked_lost", {"changes": 3, "drafts": 1, "date": "07.12.2026"})
    lost_notice.write(tmp_path, LostNotice(None, False, DAY))   # could not count: plain words
    assert stored_revocation_problem(tmp_path) == Problem("sync.err.revoked")
    lost_notice.clear(tmp_path)
    assert lost_notice.read(tmp_path) is None and stored_revocation_problem(tmp_path) is None
    lost_notice.clear(tmp_path)                                  # twice is fine


def test_a_crash_while_writing_leaves_the_previous_notice_whole(tmp_path: Path) -> None:
    lost_notice.write(tmp_path, LostNotice(LOST, False, DAY))
    # Killed halfway through writing the told version: only the temporary file is partial.
    temp = lost_notice.notice_path(tmp_path).with_name(lost_notice.NOTICE_FILE + ".tmp")
    temp.write_bytes(b'{"version": 1, "on": "2026-12-07", "repo')
    assert lost_notice.read(tmp_path) == LostNotice(LOST, False, DAY)
    lost_notice.write(tmp_path, LostNotice(LOST, True, DAY))     # the next run overwrites it
    assert lost_notice.read(tmp_path) == LostNotice(LOST, True, DAY)
    assert not temp.exists()
    temp.write_bytes(b"junk")
    lost_notice.clear(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_or_foreign_notice_is_not_shown(tmp_path: Path) -> None:
    path = lost_notice.notice_path(tmp_path)
    for raw in (b"", b"{", b"[]", b'{"version": 2, "on": "2026-12-07", "reported": true}',
                b'{"version": 1, "on": "yesterday", "reported": true, "lost": null}',
                ('{"version": 1, "on": "2026-12-07", "reported": true, '
                 '"lost": {"outbox": {"Коваленко": 1}, "drafts": 0}}').encode(),
                b'{"version": 1, "on": "2026-12-07", "reported": true, "lost": null, "x": "'
                + b"a" * 20_000 + b'"}'):
        path.write_bytes(raw)
        assert lost_notice.read(tmp_path) is None, raw[:60]
        assert stored_revocation_problem(tmp_path) is None
