"""Argon2id (RFC 9106) through whichever implementation this platform has, never a weaker KDF.

Two implementations compute the same function, so a store made with one opens with the other:

- ``cryptography``'s ``Argon2id`` (OpenSSL 3.2 or newer): desktops, servers, CI;
- ``argon2-cffi-bindings``' reference C code through its low-level ``argon2_ctx``, which
  takes the ``secret`` (the device secret) and the associated data that argon2-cffi's
  ``hash_secret_raw`` cannot pass: Android, whose Python bundles OpenSSL 3.0, where
  cryptography raises ``UnsupportedAlgorithm`` (docs/android.md).

The first use probes cryptography, falls back to the bindings, and checks the chosen one
against RFC 9106's Argon2id test vector (section 5.3, with a secret and associated data).
When neither gives the vector's tag, ``KdfUnavailable`` is raised: the store is neither
created nor opened, and the first-start screen says why. There is no fallback to anything
cheaper than Argon2id.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from field_app.store.errors import StoreError

CRYPTOGRAPHY = "cryptography"
BINDINGS = "argon2-cffi-bindings"
#: Preference order: cryptography where its OpenSSL has Argon2id, then the reference code.
BACKENDS = (CRYPTOGRAPHY, BINDINGS)

@dataclass(frozen=True, slots=True)
class Vector:
    """One Argon2id test vector: inputs and the expected tag."""

    password: bytes
    salt: bytes
    secret: bytes
    ad: bytes
    memory_kib: int
    iterations: int
    lanes: int
    tag: bytes


#: RFC 9106 section 5.3 (Argon2id, version 0x13): 32 KiB, 3 passes, 4 lanes, 32-byte tag.
RFC9106_ARGON2ID = Vector(
    password=b"\x01" * 32, salt=b"\x02" * 16, secret=b"\x03" * 8, ad=b"\x04" * 12,
    memory_kib=32, iterations=3, lanes=4,
    tag=bytes.fromhex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"),
)


class KdfUnavailable(StoreError):
    """Neither implementation of Argon2id works here: the store cannot be made or opened."""

    code = "kdf_unavailable"


def argon2id(backend: str, password: bytes, *, salt: bytes, length: int, iterations: int,
             lanes: int, memory_kib: int, secret: bytes | None, ad: bytes | None) -> bytes:
    """Argon2id (version 0x13) with the named implementation; raises what it raises."""
    impl = {CRYPTOGRAPHY: _with_cryptography, BINDINGS: _with_bindings}.get(backend)
    if impl is not None:
        return impl(password, salt=salt, length=length, iterations=iterations, lanes=lanes,
                    memory_kib=memory_kib, secret=secret, ad=ad)
    raise ValueError(f"unknown Argon2id implementation: {backend}")


def _with_cryptography(password: bytes, *, salt: bytes, length: int, iterations: int,
                       lanes: int, memory_kib: int, secret: bytes | None,
                       ad: bytes | None) -> bytes:
    # Looked up at each call, not imported by name: the phone-versions test job replaces the
    # class to behave as the phone's OpenSSL 3.0 does.
    from cryptography.hazmat.primitives.kdf import argon2  # noqa: PLC0415

    kdf = argon2.Argon2id(salt=salt, length=length, iterations=iterations, lanes=lanes,
                          memory_cost=memory_kib, ad=ad or None, secret=secret or None)
    return kdf.derive(password)


def _with_bindings(password: bytes, *, salt: bytes, length: int, iterations: int, lanes: int,
                   memory_kib: int, secret: bytes | None, ad: bytes | None) -> bytes:
    from _argon2_cffi_bindings import ffi, lib  # noqa: PLC0415

    out = ffi.new("uint8_t[]", length)
    # cffi keeps these buffers alive as long as the names below are bound.
    keep: list[Any] = []

    def buf(data: bytes | None) -> tuple[Any, int]:
        if not data:
            return ffi.NULL, 0
        cdata = ffi.new("uint8_t[]", data)
        keep.append(cdata)
        return cdata, len(data)

    pwd, pwdlen = buf(password)
    salt_c, saltlen = buf(salt)
    secret_c, secretlen = buf(secret)
    ad_c, adlen = buf(ad)
    ctx = ffi.new("argon2_context *", {
        "out": out, "outlen": length,
        "pwd": pwd, "pwdlen": pwdlen,
        "salt": salt_c, "saltlen": saltlen,
        "secret": secret_c, "secretlen": secretlen,
        "ad": ad_c, "adlen": adlen,
        "t_cost": iterations, "m_cost": memory_kib,
        "lanes": lanes, "threads": lanes,
        "version": lib.ARGON2_VERSION_13,
        "allocate_cbk": ffi.NULL, "free_cbk": ffi.NULL,
        "flags": lib.ARGON2_DEFAULT_FLAGS,
    })
    result = lib.argon2_ctx(ctx, lib.Argon2_id)
    if result != lib.ARGON2_OK:
        message = ffi.string(lib.argon2_error_message(result)).decode("ascii", "replace")
        raise ValueError(f"Argon2id failed: {message}")
    return bytes(ffi.buffer(out, length))


def matches_rfc9106(backend: str) -> bool:
    """Whether ``backend`` works here and gives RFC 9106's Argon2id tag (5.3)."""
    v = RFC9106_ARGON2ID
    try:
        tag = argon2id(backend, v.password, salt=v.salt, length=len(v.tag),
                       iterations=v.iterations, lanes=v.lanes, memory_kib=v.memory_kib,
                       secret=v.secret, ad=v.ad)
    except Exception:  # UnsupportedAlgorithm, ImportError, a broken build...
        return False
    return tag == v.tag


_lock = threading.Lock()
_chosen: str | None = None


def active_backend() -> str:
    """The implementation this process uses (probed once); ``KdfUnavailable`` if none works."""
    global _chosen  # noqa: PLW0603  (one probe per process)
    with _lock:
        if _chosen is None:
            for backend in BACKENDS:
                if matches_rfc9106(backend):
                    _chosen = backend
                    break
            else:
                raise KdfUnavailable()
        return _chosen


def reset() -> None:
    """Forget the probed implementation (tests that change what is importable)."""
    global _chosen  # noqa: PLW0603
    with _lock:
        _chosen = None


def derive(password: bytes, *, salt: bytes, length: int, iterations: int, lanes: int,
           memory_kib: int, secret: bytes | None, ad: bytes | None) -> bytes:
    """Argon2id with this platform's implementation (the store's only key derivation)."""
    return argon2id(active_backend(), password, salt=salt, length=length,
                    iterations=iterations, lanes=lanes, memory_kib=memory_kib,
                    secret=secret, ad=ad)
