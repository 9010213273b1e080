"""Child process for the crash tests: open a device's store and sync, until killed.

Usage: python -m tests.sync.crash_child STORE_PATH BASE_URL
Prints "open" once the store is unlocked, "step" after every pushed batch and pulled page,
and "synced" when a sync completes. The parent kills it after a chosen number of steps, so
the kill lands mid-sync however fast or slow the machine is.
"""

from __future__ import annotations

import sys

from field_app.store import LocalStore
from field_app.sync import Backoff, SyncClient
from field_app.sync.report import Progress
from tests.sync.conftest import PIN


def _step(_progress: Progress) -> None:
    print("step", flush=True)


def main() -> None:
    store = LocalStore.open(sys.argv[1], PIN)
    print("open", flush=True)
    client = SyncClient(store, sys.argv[2], batch_size=10, page_limit=20,
                        backoff=Backoff(attempts=3, base=0.01, cap=0.05))
    client.sync(_step)
    print("synced", flush=True)
    client.close()
    store.close()


if __name__ == "__main__":
    main()
