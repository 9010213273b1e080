"""Destroying the store's files: overwrite, flush, unlink — the db and every SQLite side file.

Overwriting cannot reach copies a flash controller keeps of old blocks, which is why the real
guarantee is cryptographic: the wrapped key is destroyed first (see ``vault`` and
docs/device-security.md), so whatever survives on the chip is ciphertext without a key.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: Files SQLite may create beside the database.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
_CHUNK = 1 << 20


def store_files(path: Path) -> list[Path]:
    """The database and whichever of its side files exist."""
    candidates = [path, *(path.with_name(path.name + s) for s in SIDE_SUFFIXES)]
    return [p for p in candidates if p.exists()]


def shred(path: Path) -> None:
    """Overwrite a file with random bytes, flush it to disk, then unlink it."""
    size = path.stat().st_size
    with path.open("r+b", buffering=0) as f:
        written = 0
        while written < size:
            n = min(_CHUNK, size - written)
            f.write(os.urandom(n))
            written += n
        os.fsync(f.fileno())
    path.unlink()


def wipe_files(path: Path) -> list[Path]:
    """Shred the database and its side files; returns what was removed."""
    removed = []
    for p in store_files(path):
        shred(p)
        removed.append(p)
    fsync_dir(path.parent)
    return removed


def fsync_dir(directory: Path) -> None:
    """Make renames and unlinks in a directory durable (not possible everywhere: best effort)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
