"""Argon2id on every platform: both implementations, the same key, and no weaker fallback.

The phone's Python has no Argon2id in its OpenSSL (docs/android.md), so the store derives
keys there through argon2-cffi-bindings. These tests prove the two implementations are the
same function (RFC 9106's vector, cross-checks with the device secret and associated data),
that a store moves between them, and what the worker sees when neither works.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.kdf import argon2

from field_app.i18n import Translator
from field_app.services.device import DeviceError
from field_app.services.state import Phase
from field_app.services.store_device import StoreDevice
from field_app.store import TEST_KDF, KdfParams, LocalStore
from field_app.store import kdf as kdf_mod
from field_app.store.kdf import BACKENDS, BINDINGS, CRYPTOGRAPHY, RFC9106_ARGON2ID, KdfUnavailable
from field_app.store.selfcheck import SqliteUnsafe, check_platform
from field_app.store.vault import derive_kek
from tests.phone.no_argon2 import PhoneArgon2id
from tests.store.conftest import PIN, family, sql

SECRET = bytes(range(32))
#: Tests that need cryptography's own Argon2id: the main run has it, the phone job does not.
OPENSSL = pytest.mark.openssl_argon2


@pytest.fixture(autouse=True)
def _fresh_probe() -> Iterator[None]:
    kdf_mod.reset()
    yield
    kdf_mod.reset()


def use(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the store derive through ``backend`` as if it were all the platform had."""
    if backend == BINDINGS:
        monkeypatch.setattr(argon2, "Argon2id", PhoneArgon2id)   # the phone's OpenSSL 3.0
    kdf_mod.reset()
    assert kdf_mod.active_backend() == backend


def no_argon2_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenSSL without Argon2 and argon2-cffi-bindings not installed."""
    monkeypatch.setattr(argon2, "Argon2id", PhoneArgon2id)
    monkeypatch.setitem(sys.modules, "_argon2_cffi_bindings", None)  # import fails
    kdf_mod.reset()


@pytest.mark.parametrize("backend", [pytest.param(CRYPTOGRAPHY, marks=OPENSSL), BINDINGS])
def test_rfc9106_argon2id_vector(backend: str) -> None:
    v = RFC9106_ARGON2ID
    tag = kdf_mod.argon2id(backend, v.password, salt=v.salt, length=32,
                           iterations=v.iterations, lanes=v.lanes, memory_kib=v.memory_kib,
                           secret=v.secret, ad=v.ad)
    assert tag.hex() == ("0d640df58d78766c08c037a34a8b53c9"
                         "d01ef0452d75b65eb52520e96b01e659")
    assert kdf_mod.matches_rfc9106(backend)


@OPENSSL
@pytest.mark.parametrize("case", [
    (64, 1, 1, None, None, 32),
    (256, 2, 2, SECRET, b"poruch:kek:v1", 32),
    (1024, 3, 4, SECRET[:8], b"x" * 40, 16),
    (8 * 1024, 1, 4, SECRET, b"poruch:kek:v1", 64),
])
def test_both_implementations_give_the_same_key(
        case: tuple[int, int, int, bytes | None, bytes | None, int]) -> None:
    memory_kib, iterations, lanes, secret, ad, length = case
    salt = os.urandom(16)
    password = "Пароль поруч 2026".encode()
    keys = {b: kdf_mod.argon2id(b, password, salt=salt, length=length, iterations=iterations,
                                lanes=lanes, memory_kib=memory_kib, secret=secret, ad=ad)
            for b in BACKENDS}
    assert len(keys[CRYPTOGRAPHY]) == length
    assert keys[CRYPTOGRAPHY] == keys[BINDINGS]


@OPENSSL
def test_secret_and_ad_change_the_key_in_both() -> None:
    salt = os.urandom(16)
    for backend in BACKENDS:
        def key(secret: bytes | None, ad: bytes | None, backend: str = backend) -> bytes:
            return kdf_mod.argon2id(backend, b"246810", salt=salt, length=32, iterations=1,
                                    lanes=1, memory_kib=64, secret=secret, ad=ad)
        base = key(SECRET, b"a")
        assert base != key(None, b"a")
        assert base != key(SECRET, b"b")
        assert base != key(SECRET[::-1], b"a")


@OPENSSL
def test_the_store_kek_is_the_same_with_the_app_parameters(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The real cost (64 MiB, 3 passes, 4 lanes) and the device secret, both ways."""
    salt = os.urandom(16)
    params = KdfParams()
    use(CRYPTOGRAPHY, monkeypatch)
    desktop = derive_kek(PIN, salt, params, SECRET)
    use(BINDINGS, monkeypatch)
    assert derive_kek(PIN, salt, params, SECRET) == desktop


@OPENSSL
@pytest.mark.parametrize(("made", "opened"), [(CRYPTOGRAPHY, BINDINGS),
                                              (BINDINGS, CRYPTOGRAPHY)])
def test_a_store_made_with_one_opens_with_the_other(tmp_path: Path, made: str, opened: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.db"
    with monkeypatch.context() as m:
        use(made, m)
        store = LocalStore.create(path, PIN, kdf=TEST_KDF, device_secret=SECRET)
        fam = family()
        store.save(fam)
        store.close()
    use(opened, monkeypatch)
    again = LocalStore.open(path, PIN, device_secret=SECRET)
    try:
        opened_family = again.get(type(fam), fam.id)
        assert opened_family is not None and opened_family.family_name == fam.family_name
    finally:
        again.close()


def test_no_argon2_refuses_to_create_and_leaves_nothing(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    no_argon2_at_all(monkeypatch)
    path = tmp_path / "store.db"
    with pytest.raises(KdfUnavailable) as refused:
        LocalStore.create(path, PIN, kdf=TEST_KDF)
    assert refused.value.code == "kdf_unavailable"
    assert "Argon2id" in Translator("uk").t("store.err.kdf_unavailable")
    assert list(tmp_path.iterdir()) == []


def test_no_argon2_at_unlock_counts_no_attempt(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.db"
    LocalStore.create(path, PIN, kdf=TEST_KDF).close()
    with monkeypatch.context() as m:
        no_argon2_at_all(m)
        for _ in range(12):                       # more than the wipe threshold
            with pytest.raises(KdfUnavailable):
                LocalStore.open(path, PIN)
    assert sql(path, "SELECT failures, unconfirmed FROM local_vault") == [(0, 0)]
    kdf_mod.reset()
    LocalStore.open(path, PIN).close()           # the data is still there


def test_a_wrong_implementation_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """An implementation that misses the RFC vector is as good as none: no weaker key."""
    real = kdf_mod.argon2id

    def off_by_one(backend: str, password: bytes, **kw: object) -> bytes:
        out = bytearray(real(backend, password, **kw))  # type: ignore[arg-type]
        out[0] ^= 1
        return bytes(out)

    monkeypatch.setattr(kdf_mod, "argon2id", off_by_one)
    with pytest.raises(KdfUnavailable):
        kdf_mod.active_backend()


def test_first_start_says_why_and_creates_nothing(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    no_argon2_at_all(monkeypatch)
    device = StoreDevice(tmp_path, sign_in=lambda *_: "olena", kdf=TEST_KDF)
    assert device.platform_problem() is not None
    with pytest.raises(DeviceError) as refused:
        device.set_up(server_url="https://poruch.zt.gov.ua", username="olena",
                      password="пароль", pin="246810")
    assert refused.value.problem.key == "store.err.kdf_unavailable"
    assert device.phase() is Phase.SETUP
    assert not any(p.name.startswith("poruch-store") for p in tmp_path.iterdir())
    uk, en = (Translator(lang).t("store.err.kdf_unavailable") for lang in ("uk", "en"))
    assert "Argon2id" in uk and "Argon2id" in en and uk != en
    assert "захист" in uk and "protection" in en


def test_self_check_reads_back_wal_and_secure_delete(tmp_path: Path) -> None:
    report = check_platform(tmp_path)
    assert (report.journal_mode, report.secure_delete) == ("wal", 1)
    assert report.kdf_backend in BACKENDS
    assert list(tmp_path.iterdir()) == []        # the scratch database is gone


def test_self_check_refuses_sqlite_without_wal(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from field_app.store import schema

    pragmas = tuple(p.replace("journal_mode=WAL", "journal_mode=DELETE")
                    for p in schema._PRAGMAS)
    monkeypatch.setattr(schema, "_PRAGMAS", pragmas)
    with pytest.raises(SqliteUnsafe):
        check_platform(tmp_path)
    device = StoreDevice(tmp_path, sign_in=lambda *_: "olena", kdf=TEST_KDF)
    problem = device.platform_problem()
    assert problem is not None and problem.key == "store.err.sqlite_unsafe"
