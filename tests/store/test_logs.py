"""No PIN, key, token or personal field ever reaches a log, even at DEBUG (SQL logging too)."""

from __future__ import annotations

import base64
import logging
import uuid
from pathlib import Path

import pytest

from field_app.i18n import Translator
from field_app.store import LocalStore, StoreError, WrongPin
from shared_models.records import Family
from tests.store.conftest import PIN, create_store, data_key, family, sql, visit

NEW_PIN = "582039"


def test_nothing_secret_in_logs_at_debug(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    marker = f"Персональне{uuid.uuid4().hex[:8]}"
    token = f"tok-{uuid.uuid4().hex}"
    caplog.set_level(logging.DEBUG)  # root at DEBUG: SQLAlchemy would log SQL and parameters
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    messages: list[str] = []
    try:
        s = create_store(path)
        s.set_user(f"olena-{marker}")
        s.set_secret("server_token", token.encode())
        f = family(family_name=marker, address=marker)
        s.save(f)
        s.save(visit(f.id, child_needs=marker))
        f.phone = "+380 67 765 43 21"
        s.save(f)
        key = data_key(path)
        s.all(Family)
        s.search(Family, marker[:5])
        s.acknowledge([p.mutation_id for p in s.pending_changes()])
        s.close()
        with pytest.raises(WrongPin) as err:
            LocalStore.open(path, "730194")
        messages += [str(err.value)] + [Translator(lang).t(f"store.err.{err.value.code}",
                                                           **err.value.params())
                                        for lang in ("uk", "en")]
        s = LocalStore.open(path, PIN)
        s.change_pin(PIN, NEW_PIN)
        s.close()
        ((blob,),) = sql(path, "SELECT view_ct FROM local_record WHERE kind = 'family'")
        sql(path, "UPDATE local_record SET view_ct = ? WHERE kind = 'family'", (blob[:-1],))
        s = LocalStore.open(path, NEW_PIN)
        assert s.all(Family) == []
        try:
            s.get(Family, f.id)
        except StoreError as exc:
            messages.append(str(exc))
        s.wipe()
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    text = caplog.text + "\n".join(messages) + "\n".join(
        repr(r.args) for r in caplog.records)
    assert "store unlocked" in text and "wrong PIN" in text  # logging did happen
    assert "INSERT INTO local_record" in text  # SQL with its parameters was logged too
    for secret in (PIN, NEW_PIN, marker, token, "765 43 21", key.hex(), repr(key)[2:-1],
                   base64.b64encode(key).decode()):
        assert secret not in text, f"a secret reached the logs: {secret[:3]}..."
