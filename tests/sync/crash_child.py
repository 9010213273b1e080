"""Child process for the crash tests: open a device's store and sync, until killed.

Usage: python -m tests.sync.crash_child STORE_PATH BASE_URL
Prints "synced" when a sync completes (the parent usually kills it long before).
"""

from __future__ import annotations

import sys

from field_app.store import LocalStore
from field_app.sync import Backoff, SyncClient
from tests.sync.conftest import PIN


def main() -> None:
    store = LocalStore.open(sys.argv[1], PIN)
    client = SyncClient(store, sys.argv[2], batch_size=10, page_limit=20,
                        backoff=Backoff(attempts=3, base=0.01, cap=0.05))
    client.sync()
    print("synced", flush=True)
    client.close()
    store.close()


if __name__ == "__main__":
    main()
