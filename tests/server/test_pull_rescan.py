"""A role change that moves the conflict filter, on SQLite and PostgreSQL: the pull names the
communities to read again (``rescan``), answers their cursors with 0 and none of their records
until the device asks from 0, and then serves them by the new role. Nothing is kept on the
server: the device's ``role`` query parameter (the ``role`` of its last page) is what tells."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from shared_models.enums import Role
from shared_models.protocol import PullResponse, encode_cursors
from sync_server import accounts
from sync_server.db import write_tx
from sync_server.push import conflict_id
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import ZH, ZV, Device, family_fields, login, make_user, mutation


@pytest.fixture
def cast(client: AppClient, engine: Engine, settings: Settings) -> dict[str, Device]:
    """Two workers of Zhytomyr who will disagree, and Ivan, a worker of Zhytomyr and
    Zviahel who wrote neither side (and a family in Zviahel)."""
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    make_user(engine, settings, "petro", Role.SOCIAL_WORKER, [ZH])
    make_user(engine, settings, "ivan", Role.SOCIAL_WORKER, [ZH, ZV])
    devices = {name: Device(client, login(client, name), f"{name}-phone")
               for name in ("olena", "petro", "ivan")}
    ivan = devices["ivan"]
    assert ivan.push([mutation("family", ZV, family_fields(), ivan.stamp())]).status_code == 200
    return devices


def _conflict(a: Device, b: Device) -> str:
    """A family whose address ``a`` and ``b`` edit concurrently; the conflict's id."""
    fam = mutation("family", ZH, family_fields(address="вул. Миру, 1"), a.stamp())
    assert a.push([fam]).status_code == 200
    base = fam["fields"]["address"]["clock"]
    edits = [mutation("family", ZH, {"address": f"вул. Миру, {n}"}, d.stamp(),
                      record_id=fam["record_id"], supersedes={"address": base})
             for n, d in ((11, a), (5, b))]
    for d, e in zip((a, b), edits, strict=True):
        assert d.push([e]).status_code == 200
    loser = min(edits, key=lambda m: m["fields"]["address"]["clock"])
    return conflict_id(fam["record_id"], "address", loser["fields"]["address"]["clock"])


def _page(dev: Device, role: str | None) -> dict[str, Any]:
    """One pull page as a device that was served as ``role`` (``None``: an old device)."""
    params = {"since": encode_cursors(dev.cursors), "limit": 100}
    if role is not None:
        params["role"] = role
    r = dev.client.get("/api/v1/sync/pull", headers=dev.headers, params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    PullResponse.model_validate(body)
    return body


def _sync(dev: Device, role: str | None) -> tuple[list[str], list[str], str | None]:
    """Pull every page as a new device does (drop the rescanned cursors, keep the page's
    role); returns the record ids received, the communities rescanned and the last role."""
    got: list[str] = []
    rescanned: list[str] = []
    while True:
        body = _page(dev, role)
        got += [c["record_id"] for c in body["changes"]]
        rescanned += body.get("rescan", [])
        dev.cursors = {c: p for c, p in body["cursors"].items()
                       if c not in body.get("rescan", [])}
        role = body["role"]
        if not body["more"]:
            return got, rescanned, role


def _set_role(engine: Engine, username: str, role: Role) -> None:
    with write_tx(engine) as conn:
        accounts.set_role(conn, user_id=accounts.user_id_of(conn, username), role=role)


def _audited_rescans(engine: Engine) -> list[str]:
    with engine.begin() as conn:
        return [d for (d,) in conn.execute(text(
            "SELECT detail FROM audit_log WHERE action = 'pull' AND actor = 'ivan' ORDER BY id"))
            if "rescan=" in d]


def test_a_promoted_worker_reads_again_and_receives_older_conflicts(
        cast: dict[str, Device], engine: Engine) -> None:
    ivan = cast["ivan"]
    cid = _conflict(cast["olena"], cast["petro"])
    got, rescanned, role = _sync(ivan, None)
    assert cid not in got and rescanned == [] and role == "social_worker"
    past = ivan.cursors["zhytomyrska"]
    assert past > 0
    _set_role(engine, "ivan", Role.SUPERVISOR)
    # The notice: cursors at 0 for every community the device had read, none of their records.
    body = _page(ivan, "social_worker")
    assert (body["rescan"], body["role"], body["more"]) == (
        ["zhytomyrska", "zviahelska"], "supervisor", True)
    assert body["changes"] == [] and body["cursors"] == {"zhytomyrska": 0, "zviahelska": 0}
    # A lost answer loses nothing: the device that did not act on it is told again.
    assert _page(ivan, "social_worker")["rescan"] == ["zhytomyrska", "zviahelska"]
    got, rescanned, role = _sync(ivan, "social_worker")
    assert cid in got and role == "supervisor"
    assert rescanned == ["zhytomyrska", "zviahelska"]
    assert ivan.cursors["zhytomyrska"] == past
    assert _sync(ivan, "supervisor") == ([], [], "supervisor")   # once only
    assert _audited_rescans(engine) == [
        "records=0 more=True purge= rescan=zhytomyrska,zviahelska"] * 3


def test_a_demoted_supervisor_is_told_to_read_again(cast: dict[str, Device],
                                                    engine: Engine) -> None:
    _set_role(engine, "ivan", Role.SUPERVISOR)
    ivan = cast["ivan"]
    cid = _conflict(cast["olena"], cast["petro"])
    got, _rescanned, role = _sync(ivan, None)
    assert cid in got and role == "supervisor"
    _set_role(engine, "ivan", Role.SOCIAL_WORKER)
    got, rescanned, role = _sync(ivan, "supervisor")
    assert rescanned == ["zhytomyrska", "zviahelska"] and role == "social_worker"
    assert cid not in got and got   # the rest of the community came again, not the conflict


@pytest.mark.parametrize(("before", "after"), [
    (Role.SUPERVISOR, Role.COORDINATOR), (Role.COORDINATOR, Role.ADMIN),
    (Role.ADMIN, Role.SUPERVISOR)])
def test_a_role_change_that_filters_conflicts_alike_reads_nothing_again(
        cast: dict[str, Device], engine: Engine, before: Role, after: Role) -> None:
    _set_role(engine, "ivan", before)
    ivan = cast["ivan"]
    _conflict(cast["olena"], cast["petro"])
    _sync(ivan, None)
    _set_role(engine, "ivan", after)
    assert _sync(ivan, before.value) == ([], [], after.value)


def test_old_devices_and_devices_at_zero_get_no_notice(cast: dict[str, Device],
                                                       engine: Engine) -> None:
    ivan = cast["ivan"]
    cid = _conflict(cast["olena"], cast["petro"])
    _set_role(engine, "ivan", Role.SUPERVISOR)
    # Nothing read yet: the first pull is already filtered by the new role.
    got, rescanned, _role = _sync(ivan, "social_worker")
    assert cid in got and rescanned == []
    # A device that does not say its role (an old app) is served as before.
    _set_role(engine, "ivan", Role.SOCIAL_WORKER)
    assert _sync(ivan, None) == ([], [], "social_worker")
