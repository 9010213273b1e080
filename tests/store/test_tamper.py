"""Tampering with the file behind the store's back: detected, reported, never shown as data."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from field_app.i18n import Translator
from field_app.store import CorruptRecord, LocalStore
from shared_models.records import Family
from tests.store.conftest import PIN, create_store, family, sql


def _three(path: Path) -> list[Family]:
    s = create_store(path)
    fams = [family(family_name=n) for n in ("Андрієнко", "Бойко", "Вовк")]
    for f in fams:
        s.save(f)
    s.set_secret("token", b"tok")
    s.close()
    return fams


def _flip(path: Path, rid: str, column: str, index: int) -> None:
    ((blob,),) = sql(path, f"SELECT {column} FROM local_record WHERE id = ?", (rid,))  # noqa: S608
    b = bytearray(blob)
    b[index % len(b)] ^= 0x01
    sql(path, f"UPDATE local_record SET {column} = ? WHERE id = ?", (bytes(b), rid))  # noqa: S608


def _check_reported(path: Path, bad: Family, good: list[Family],
                    caplog: pytest.LogCaptureFixture) -> None:
    s = LocalStore.open(path, PIN)
    with caplog.at_level(logging.WARNING, logger="field_app.store"):
        listed = s.all(Family)
    assert sorted(f.family_name for f in listed) == sorted(f.family_name for f in good)
    assert [e.record_id for e in s.corrupt_records()] == [str(bad.id)]
    assert str(bad.id) in caplog.text
    with pytest.raises(CorruptRecord) as err:
        s.get(Family, bad.id)
    assert err.value.record_id == str(bad.id)
    assert err.value.record_id == str(bad.id)
    assert all(str(bad.id) in Translator(lang).t("store.err.corrupt", **err.value.params())
               for lang in ("uk", "en"))
    for f in good:  # the rest stays usable, including writes
        assert s.get(Family, f.id) == f
    s.save(family(family_name="Нова"))
    assert len(s.all(Family)) == len(good) + 1
    assert any("authentication failed" in p for p in s.verify())
    s.close()


def test_flipped_byte_in_a_record_is_detected(path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    a, b, c = _three(path)
    _flip(path, str(b.id), "view_ct", 30)
    _check_reported(path, b, [a, c], caplog)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, 10_000))
def test_any_flipped_byte_is_detected(tmp_path: Path, index: int) -> None:
    path = tmp_path / uuid.uuid4().hex / "poruch.db"  # hypothesis may repeat an index
    a, b, c = _three(path)
    _flip(path, str(a.id), "view_ct", index)
    s = LocalStore.open(path, PIN)
    assert {f.id for f in s.all(Family)} == {b.id, c.id}
    with pytest.raises(CorruptRecord):
        s.get(Family, a.id)
    s.close()


def test_swapped_ciphertexts_are_detected(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    a, b, c = _three(path)
    ((va,),) = sql(path, "SELECT view_ct FROM local_record WHERE id = ?", (str(a.id),))
    ((vb,),) = sql(path, "SELECT view_ct FROM local_record WHERE id = ?", (str(b.id),))
    sql(path, "UPDATE local_record SET view_ct = ? WHERE id = ?", (vb, str(a.id)))
    sql(path, "UPDATE local_record SET view_ct = ? WHERE id = ?", (va, str(b.id)))
    s = LocalStore.open(path, PIN)
    assert [f.id for f in s.all(Family)] == [c.id]
    assert {e.record_id for e in s.corrupt_records()} == {str(a.id), str(b.id)}
    for f in (a, b):
        with pytest.raises(CorruptRecord):
            s.get(Family, f.id)
    s.close()


@pytest.mark.parametrize("keep", [0, 1, 13, 29, -1])
def test_truncated_ciphertext_is_detected(path: Path, caplog: pytest.LogCaptureFixture,
                                          keep: int) -> None:
    a, b, c = _three(path)
    ((blob,),) = sql(path, "SELECT view_ct FROM local_record WHERE id = ?", (str(c.id),))
    sql(path, "UPDATE local_record SET view_ct = ? WHERE id = ?", (blob[:keep], str(c.id)))
    _check_reported(path, c, [a, b], caplog)


def test_changed_cleartext_metadata_is_detected(path: Path) -> None:
    a, b, _c = _three(path)
    # Moving a record to another community or kind in the clear breaks its associated data.
    sql(path, "UPDATE local_record SET community = 'malynska' WHERE id = ?", (str(a.id),))
    sql(path, "UPDATE local_record SET id = ? WHERE id = ?", ("x" + str(b.id)[1:], str(b.id)))
    s = LocalStore.open(path, PIN)
    assert len(s.all(Family)) == 1
    assert len(s.corrupt_records()) == 2
    s.close()


def test_tampered_outbox_entry_and_base_state_and_secret(path: Path) -> None:
    a, b, _c = _three(path)
    s = LocalStore.open(path, PIN)
    s.acknowledge([p.mutation_id for p in s.pending_changes() if p.record_id == str(b.id)])
    s.close()
    ((payload,),) = sql(path, "SELECT payload_ct FROM local_outbox WHERE record_id = ?",
                        (str(a.id),))
    sql(path, "UPDATE local_outbox SET payload_ct = ? WHERE record_id = ?",
        (payload[:-1] + bytes([payload[-1] ^ 1]), str(a.id)))
    _flip(path, str(b.id), "base_ct", 40)
    ((tok,),) = sql(path, "SELECT value_ct FROM local_secret WHERE name = 'token'")
    sql(path, "UPDATE local_secret SET value_ct = ? WHERE name = 'token'", (tok[:-3],))
    s = LocalStore.open(path, PIN)
    with pytest.raises(CorruptRecord) as err:
        s.pending_changes()
    assert err.value.record_id == str(a.id)
    with pytest.raises(CorruptRecord) as err:
        s.save(s.get(Family, b.id).model_copy(update={"address": "x"}))  # type: ignore[union-attr]
    assert err.value.record_id == str(b.id)
    with pytest.raises(CorruptRecord):
        s.get_secret("token")
    problems = s.verify()
    assert any(str(a.id) in p for p in problems) and any(str(b.id) in p for p in problems)
    s.close()


def test_tampered_wrapped_key_or_parameters_refuse_to_unlock(path: Path) -> None:
    from field_app.store import WrongPin

    _three(path)
    sql(path, "UPDATE local_vault SET kdf = ?",
        ('{"iterations": 1, "lanes": 1, "memory_kib": 32}',))
    with pytest.raises(WrongPin):
        LocalStore.open(path, PIN)
