"""Canary: a unique marker typed into records never appears in any byte the store wrote."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from field_app.store import LocalStore
from shared_models.records import Family, Visit
from tests.store.conftest import PIN, create_store, data_key, family, note, raw_bytes, visit


def _forms(marker: str) -> list[bytes]:
    # UTF-8 as stored, the JSON escape form, and UTF-16 in case anything wrote wide text.
    return [marker.encode(), marker.encode("utf-16-le"),
            marker.encode("unicode_escape"), marker.encode("ascii", "backslashreplace")]


def _assert_absent(path: Path, *markers: str) -> None:
    blob = raw_bytes(path)
    assert blob, "the store wrote nothing?"
    for marker in markers:
        for form in _forms(marker):
            assert form not in blob, f"marker {marker!r} found in the store's files"


@pytest.fixture
def sqlite_tmp(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point SQLite's temp files into the scanned directory (temp_store=MEMORY: none expected)."""
    tmp = path.parent / "sqlite-tmp"
    tmp.mkdir()
    monkeypatch.setenv("SQLITE_TMPDIR", str(tmp))
    return tmp


def test_marker_never_in_raw_files_after_save_checkpoint_edit_delete(
        path: Path, sqlite_tmp: Path) -> None:
    ascii_marker = f"CANARY{uuid.uuid4().hex[:12]}"
    uk_marker = "Канарка" + uuid.uuid4().hex[:6]
    s = create_store(path)
    s.set_user(f"user-{ascii_marker}")
    s.set_secret("token", f"token-{ascii_marker}".encode())
    f = family(family_name=f"{uk_marker}", settlement="Житомир", address=ascii_marker,
               phone="+380 67 000 11 22", consent_by=uk_marker, consent_date="2026-01-05")
    s.save(f)
    v = visit(f.id, child_needs=f"{ascii_marker} {uk_marker}", next_steps=uk_marker)
    s.save(v)
    s.save(note(f.id, text=f"{ascii_marker}\n{uk_marker}"))
    assert str(f.id).encode() in raw_bytes(path)  # the scan does see what was written
    _assert_absent(path, ascii_marker, uk_marker, "+380 67 000 11 22")  # WAL, before checkpoint
    s.checkpoint()
    _assert_absent(path, ascii_marker, uk_marker)

    edited = f"EDITED{uuid.uuid4().hex[:10]}"
    f.address = edited
    f.family_name = "Ред" + edited
    s.save(f)
    v.child_needs = edited
    s.save(v)
    _assert_absent(path, ascii_marker, uk_marker, edited)
    s.checkpoint()
    _assert_absent(path, ascii_marker, uk_marker, edited)

    s.delete(Family, f.id)
    s.delete(Visit, v.id)
    s.acknowledge([p.mutation_id for p in s.pending_changes()])
    s.checkpoint()
    _assert_absent(path, ascii_marker, uk_marker, edited)
    key = data_key(path)
    s.close()
    _assert_absent(path, ascii_marker, uk_marker, edited)
    assert key not in raw_bytes(path)
    assert PIN.encode() not in raw_bytes(path)
    assert list(sqlite_tmp.iterdir()) == []  # no temp files at all

    again = LocalStore.open(path, PIN)  # and the data is all there behind the key
    assert again.get(Family, f.id, include_deleted=True).address == edited  # type: ignore[union-attr]
    again.close()


def test_only_metadata_columns_are_in_the_clear(path: Path) -> None:
    import sqlite3

    s = create_store(path)
    s.save(family())
    s.close()
    con = sqlite3.connect(path)
    cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
            for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                    "AND name LIKE 'local_%'")}
    con.close()
    assert cols["local_record"] == ["id", "kind", "community", "position", "dirty",
                                    "updated_ms", "base_ct", "view_ct"]
    assert cols["local_outbox"] == ["seq", "mutation_id", "record_id", "kind", "community",
                                    "created_ms", "payload_ct"]
    assert cols["local_secret"] == ["name", "value_ct"]
