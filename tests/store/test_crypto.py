"""AES-256-GCM sealing: round trip, binding to its place, nonce uniqueness, key wrapping."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from field_app.store.crypto import NONCE_BYTES, Cipher, SealError, aad, new_data_key
from field_app.store.vault import TEST_KDF, KdfParams, derive_kek, new_salt, unwrap_key, wrap_key

KEY = bytes(range(32))


@given(st.binary(max_size=2000), st.text(max_size=40))
def test_seal_roundtrip(data: bytes, rid: str) -> None:
    c = Cipher(KEY, "k1")
    ad = aad("view", rid.replace("|", ""), "family", "zhytomyrska", "k1")
    assert c.open(c.seal(data, ad), ad) == data


def test_associated_data_binds_record_kind_community_and_key() -> None:
    c = Cipher(KEY, "k1")
    blob = c.seal(b"secret", aad("view", "id1", "family", "zhytomyrska", "k1"))
    for other in (aad("view", "id2", "family", "zhytomyrska", "k1"),
                  aad("base", "id1", "family", "zhytomyrska", "k1"),
                  aad("view", "id1", "person", "zhytomyrska", "k1"),
                  aad("view", "id1", "family", "malynska", "k1"),
                  aad("view", "id1", "family", "zhytomyrska", "k2")):
        with pytest.raises(SealError):
            c.open(blob, other)
    with pytest.raises(SealError):
        Cipher(bytes(32), "k1").open(blob, aad("view", "id1", "family", "zhytomyrska", "k1"))


@given(st.data())
def test_any_flipped_bit_or_truncation_fails(data: st.DataObject) -> None:
    c = Cipher(KEY, "k1")
    ad = b"ad"
    blob = c.seal(b"payload of a visit", ad)
    i = data.draw(st.integers(0, len(blob) - 1))
    bit = data.draw(st.integers(0, 7))
    flipped = bytearray(blob)
    flipped[i] ^= 1 << bit
    with pytest.raises(SealError):
        c.open(bytes(flipped), ad)
    cut = data.draw(st.integers(0, len(blob) - 1))
    with pytest.raises(SealError):
        c.open(blob[:cut], ad)


def test_nonces_are_unique_over_100k_encryptions() -> None:
    c = Cipher(new_data_key(), "k1")
    nonces = {c.seal(b"x", b"ad")[1:1 + NONCE_BYTES] for _ in range(100_000)}
    assert len(nonces) == 100_000


def test_wrap_unwrap_and_wrong_pin_or_altered_parameters() -> None:
    key, salt = new_data_key(), new_salt()
    kek = derive_kek("483920", salt, TEST_KDF, None)
    wrapped = wrap_key(key, kek, key_id="k", params=TEST_KDF, salt=salt, with_secret=False)
    assert unwrap_key(wrapped, kek, key_id="k", params=TEST_KDF, salt=salt,
                      with_secret=False) == key
    wrong = derive_kek("483921", salt, TEST_KDF, None)
    assert unwrap_key(wrapped, wrong, key_id="k", params=TEST_KDF, salt=salt,
                      with_secret=False) is None
    # Parameters are bound: lowering them in the file cannot yield the key.
    cheaper = KdfParams(memory_kib=32, iterations=1, lanes=1)
    assert unwrap_key(wrapped, kek, key_id="k", params=cheaper, salt=salt,
                      with_secret=False) is None


def test_device_secret_changes_the_kek() -> None:
    salt = new_salt()
    secret = os.urandom(32)
    assert derive_kek("483920", salt, TEST_KDF, secret) != derive_kek("483920", salt,
                                                                       TEST_KDF, None)
    assert derive_kek("483920", salt, TEST_KDF, secret) == derive_kek("483920", salt,
                                                                      TEST_KDF, secret)


def test_passphrase_is_normalized_before_derivation() -> None:
    salt = new_salt()
    composed = "Йосип і Ї-ї 2026"
    decomposed = "И\u0306осип і Ї-ї 2026"  # Й typed as И + combining breve
    assert composed != decomposed
    assert derive_kek(composed, salt, TEST_KDF, None) == derive_kek(decomposed, salt,
                                                                    TEST_KDF, None)
