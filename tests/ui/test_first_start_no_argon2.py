"""First start on a device without Argon2id: the screen says why, nothing is created.

The real first-start screen (headless Flet session harness) over the real ``StoreDevice``,
with cryptography's Argon2id failing as on the phone's OpenSSL 3.0 and argon2-cffi-bindings
missing: neither implementation works, so the store must not be made with anything weaker.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.kdf import argon2

from field_app.services.state import Phase
from field_app.store import kdf
from tests.phone.no_argon2 import PhoneArgon2id
from tests.ui.harness import run, start_app
from tests.ui.test_ui_store_device import URL, _device


def test_first_start_without_argon2_says_why(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(argon2, "Argon2id", PhoneArgon2id)
    monkeypatch.setitem(sys.modules, "_argon2_cffi_bindings", None)
    kdf.reset()

    async def flow() -> None:
        device = _device(tmp_path)
        h = await start_app(tmp_path, device)
        assert h.page.route == "/setup"
        for key, value in [("server_url", URL), ("username", "olena"), ("password", "пароль"),
                           ("pin", "246810"), ("pin_repeat", "246810")]:
            await h.type(h.find(key=key), value)
        await h.click(h.find(key="setup-submit"))
        message = h.find(key="setup-message").value
        assert message.startswith("На цьому телефоні немає потрібного захисту даних (Argon2id)")
        assert h.page.route == "/setup" and device.phase() is Phase.SETUP
        assert not any(p.name.startswith("poruch-store") for p in tmp_path.iterdir())

    try:
        run(flow)
    finally:
        kdf.reset()
