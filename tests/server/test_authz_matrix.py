"""Authorization matrix: every route × role × community (own, other) with the expected status.

``MATRIX`` lists every route of the app; ``test_every_route_is_in_the_matrix`` fails when a
route is added without deciding who may call it. Every 401/403 answer must leave an audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, text
from starlette.routing import Route

from shared_models.communities import CommunityCode
from shared_models.enums import Role
from sync_server.app import create_app
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import (
    PASSWORD,
    PROTO,
    ZH,
    ZV,
    Device,
    assessment_fields,
    case_fields,
    closure_fields,
    family_fields,
    foster_setup,
    login,
    make_user,
    mutation,
    note_fields,
    placement_fields,
    plan_task_fields,
    review_fields,
    visit_fields,
)

ROLES = ("anonymous", "social_worker", "supervisor", "coordinator", "admin")
OWN, OTHER = ZH, ZV
#: Not a refusal: the pull answers, and the other community is simply not in it.
HIDDEN = 0
Call = Callable[[AppClient, dict[str, str], str], int]


def _push(kind: str, target: str = "visit", *, own_target: bool = False) -> Call:
    def call(client: AppClient, headers: dict[str, str], community: str) -> int:
        dev = Device(client, headers, "m")
        code = OWN if community == "own" else OTHER
        user = headers.get("X-User", "")
        if kind == "family":
            fields = family_fields()
        elif kind == "placement":  # a child and a foster family to place them with
            setup, _birth, foster, child = foster_setup(code, dev.stamp())
            dev.push(setup)
            fields = placement_fields(child, foster)
        elif kind in CASE_KINDS:  # a family (and its case) to write the case cycle's record
            fam = mutation("family", code, family_fields(), dev.stamp())
            case = mutation("case", code, case_fields(fam["record_id"]), dev.stamp())
            dev.push([fam] if kind == "case" else [fam, case])
            fid, cid = fam["record_id"], case["record_id"]
            fields = (case_fields(fid) if kind == "case" else
                      assessment_fields(cid, fid, user) if kind == "assessment" else
                      plan_task_fields(cid, fid))
        else:  # a review needs a record to review: a worker of both communities writes it,
            # or (``own_target``) the caller, whose review four eyes then refuse
            author = user if own_target else "side_a"
            boss = dev if own_target else Device(
                client, {**login(client, author), "X-User": author}, "w")
            records = _reviewable(target, code, author, boss.stamp())
            assert boss.push(records).status_code == (401 if own_target and not user
                                                      else 200)
            fields = {**review_fields(records[-1]["record_id"], user), "target_kind": target}
        r = dev.push([mutation(kind, code, fields, dev.stamp())])
        if r.status_code != 200:
            return r.status_code
        res = r.json()["results"][0]
        return 200 if res["status"] == "applied" else 403 if res["code"] == "forbidden" else 400
    return call


#: The case cycle's kinds a worker writes.
CASE_KINDS = ("case", "assessment", "plan_task")


def _reviewable(target: str, code: CommunityCode, author: str, clock: str
                ) -> list[dict[str, Any]]:
    """Mutations creating a family and a record of ``target`` kind written by ``author`` (the
    last one): a visit, a note, a completed needs assessment, a case with its closure."""
    fam = mutation("family", code, family_fields(), clock)
    fid = fam["record_id"]
    if target in ("visit", "note"):
        make = visit_fields if target == "visit" else note_fields
        return [fam, mutation(target, code, make(fid, author), clock)]
    if target == "case":
        return [fam, mutation("case", code, {**case_fields(fid), **closure_fields()}, clock)]
    case = mutation("case", code, case_fields(fid), clock)
    return [fam, case, mutation("assessment", code,
                                assessment_fields(case["record_id"], fid, author), clock)]


def _pull(client: AppClient, headers: dict[str, str], community: str) -> int:
    r = client.get("/api/v1/sync/pull", headers=headers)
    if r.status_code != 200:
        return r.status_code
    wanted = "zhytomyrska" if community == "own" else "zviahelska"
    return 200 if wanted in r.json()["cursors"] else HIDDEN


def _pull_conflict(own_side: bool) -> Call:
    """Does the caller pull a conflict of that community? ``own_side``: the caller wrote the
    losing side; else two other workers wrote both sides."""
    def call(client: AppClient, headers: dict[str, str], community: str) -> int:
        code = OWN if community == "own" else OTHER
        a = Device(client, _side(client, "side_a"), "a")
        b = Device(client, headers, "m") if own_side else Device(
            client, _side(client, "side_b"), "b")
        fam = mutation("family", code, family_fields(address="вул. Миру, 1"), a.stamp())
        a.push([fam])
        base = fam["fields"]["address"]["clock"]
        edits = [mutation("family", code, {"address": text}, dev.stamp(),
                          record_id=fam["record_id"], supersedes={"address": base})
                 for dev, text in ((b, "вул. Київська, 5"), (a, "вул. Миру, 11"))]
        r = b.push([edits[0]])
        if r.status_code != 200:
            return r.status_code
        a.push([edits[1]])  # later clock: wins, so b's (the caller's) value is the loser
        r = client.get("/api/v1/sync/pull", headers=headers, params={"limit": 1000})
        if r.status_code != 200:
            return r.status_code
        found = [c for c in r.json()["changes"] if c["kind"] == "conflict"
                 and c["values"]["record_id"] == fam["record_id"]]
        return 200 if found else HIDDEN
    return call


#: (client id, user) -> (the client, kept so its id is never reused, and the login headers).
_SIDES: dict[tuple[int, str], tuple[AppClient, dict[str, str]]] = {}


def _side(client: AppClient, name: str) -> dict[str, str]:
    """A logged-in worker of both test communities (one login per client: Argon2 is slow)."""
    key = (id(client), name)
    if key not in _SIDES:
        _SIDES[key] = (client, login(client, name))
    return _SIDES[key][1]


def _devices(client: AppClient, headers: dict[str, str], community: str) -> int:
    r = client.get("/api/v1/devices/activity", headers=headers)
    if r.status_code != 200:
        return r.status_code
    # Whose devices show: "victim" works in the own community, "outsider" in the other.
    whose = "victim" if community == "own" else "outsider"
    login(client, whose)
    r = client.get("/api/v1/devices/activity", headers=headers)
    return 200 if whose in {d["user"] for d in r.json()["devices"]} else HIDDEN


def _lost_work(client: AppClient, headers: dict[str, str], community: str) -> int:
    # Only a revoked device may report what it lost: a live one of any role is refused.
    return client.post("/api/v1/devices/lost-work", headers=headers,
                       json={"outbox": {"visit": 1}, "drafts": 0}).status_code


def _export(kind: str) -> Call:
    def call(client: AppClient, headers: dict[str, str], community: str) -> int:
        code = "zhytomyrska" if community == "own" else "zviahelska"
        return client.get(f"/api/v1/exports/{kind}", headers=headers,
                          params={"community": code, "start": date(2026, 1, 1).isoformat(),
                                  "end": date(2026, 12, 31).isoformat()}).status_code
    return call


def _revoke(client: AppClient, headers: dict[str, str], community: str) -> int:
    # A device of a throwaway account, so the caller's own token stays valid.
    victim = login(client, "victim")
    device_id = client.get("/api/v1/me", headers=victim).json()["device_id"]
    return client.post(f"/api/v1/admin/devices/{device_id}/revoke",
                       headers=headers).status_code


def _get(path: str, proto: bool = True) -> Call:
    def call(client: AppClient, headers: dict[str, str], community: str) -> int:
        return client.get(path, headers=headers if proto else {}).status_code
    return call


def _login(client: AppClient, headers: dict[str, str], community: str) -> int:
    return client.post("/api/v1/auth/login", headers=PROTO, json={
        "username": "victim", "password": PASSWORD, "device_name": "x"}).status_code


def _logout(client: AppClient, headers: dict[str, str], community: str) -> int:
    return client.post("/api/v1/auth/logout", headers=headers).status_code


def same(status: int, anonymous: int = 401) -> dict[str, tuple[int, int]]:
    """Every signed-in role gets ``status`` for both communities."""
    return {"anonymous": (anonymous, anonymous),
            **{r: (status, status) for r in ROLES[1:]}}


OWN_ONLY = {"anonymous": (401, 401), "social_worker": (200, 403), "supervisor": (200, 403),
            "coordinator": (200, 200), "admin": (200, 200)}
PULL = {**OWN_ONLY, "social_worker": (200, HIDDEN), "supervisor": (200, HIDDEN)}
#: Conflicts go to their two authors and to the reviewers (supervisors, coordinators, admins).
CONFLICT_OF_OTHERS = {**PULL, "social_worker": (HIDDEN, HIDDEN)}
CONFLICT_OF_OWN = PULL
EXPORTS = {**OWN_ONLY, "social_worker": (403, 403)}
REVIEWS = {**OWN_ONLY, "social_worker": (403, 403)}
ADMIN_ONLY = {**same(403), "admin": (200, 200)}

#: (method, path) -> (the call, {role: (status in own community, status in another)}).
MATRIX: dict[tuple[str, str], tuple[Call, dict[str, tuple[int, int]]]] = {
    ("POST", "/api/v1/auth/login"): (_login, same(200, anonymous=200)),
    ("POST", "/api/v1/auth/logout"): (_logout, same(204)),
    ("GET", "/api/v1/me"): (_get("/api/v1/me"), same(200)),
    ("POST", "/api/v1/sync/push"): (_push("family"), OWN_ONLY),
    ("POST", "/api/v1/sync/push#review"): (_push("review"), REVIEWS),
    ("POST", "/api/v1/sync/push#review-of-note"): (_push("review", "note"), REVIEWS),
    # Four eyes: nobody's review of their own visit or note is accepted, whatever the role.
    ("POST", "/api/v1/sync/push#review-of-own"): (_push("review", own_target=True), same(403)),
    ("POST", "/api/v1/sync/push#review-of-own-note"): (
        _push("review", "note", own_target=True), same(403)),
    ("GET", "/api/v1/sync/pull"): (_pull, PULL),
    ("GET", "/api/v1/sync/pull#conflict-of-others"): (_pull_conflict(False), CONFLICT_OF_OTHERS),
    ("GET", "/api/v1/sync/pull#conflict-of-own"): (_pull_conflict(True), CONFLICT_OF_OWN),
    ("GET", "/api/v1/admin/devices"): (_get("/api/v1/admin/devices"), ADMIN_ONLY),
    ("POST", "/api/v1/admin/devices/{device_id}/revoke"): (_revoke, ADMIN_ONLY),
    ("GET", "/api/v1/exports/visits"): (_export("visits"), EXPORTS),
    ("GET", "/api/v1/exports/services"): (_export("services"), EXPORTS),
    ("GET", "/api/v1/exports/cases"): (_export("cases"), EXPORTS),
    ("GET", "/api/v1/exports/workbook"): (_export("workbook"), EXPORTS),
    ("POST", "/api/v1/sync/push#placement"): (_push("placement"), OWN_ONLY),
    ("POST", "/api/v1/sync/push#case"): (_push("case"), OWN_ONLY),
    ("POST", "/api/v1/sync/push#assessment"): (_push("assessment"), OWN_ONLY),
    ("POST", "/api/v1/sync/push#plan_task"): (_push("plan_task"), OWN_ONLY),
    # The supervisor decides on needs assessments and on closures, never on her own.
    ("POST", "/api/v1/sync/push#review-of-assessment"): (_push("review", "assessment"), REVIEWS),
    ("POST", "/api/v1/sync/push#review-of-case"): (_push("review", "case"), REVIEWS),
    ("POST", "/api/v1/sync/push#review-of-own-assessment"): (
        _push("review", "assessment", own_target=True), same(403)),
    ("POST", "/api/v1/sync/push#review-of-own-case"): (
        _push("review", "case", own_target=True), same(403)),
    ("GET", "/api/v1/devices/activity"): (_devices, {**EXPORTS, "supervisor": (200, HIDDEN)}),
    ("POST", "/api/v1/devices/lost-work"): (_lost_work, same(403)),
    ("GET", "/api/v1/calendar"): (_get("/api/v1/calendar"), same(200)),
    ("GET", "/health"): (_get("/health", proto=False), same(200, anonymous=200)),
    ("GET", "/openapi.json"): (_get("/openapi.json", proto=False), same(200, anonymous=200)),
    ("GET", "/docs"): (_get("/docs", proto=False), same(200, anonymous=200)),
    ("GET", "/docs/oauth2-redirect"): (_get("/docs/oauth2-redirect", proto=False),
                                       same(200, anonymous=200)),
    ("GET", "/redoc"): (_get("/redoc", proto=False), same(200, anonymous=200)),
}


def test_every_route_is_in_the_matrix() -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:"))
    # API routes from the OpenAPI document (FastAPI nests included routers), plus the docs.
    routes = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    for route in app.routes:
        if isinstance(route, Route):
            routes |= {(m, route.path) for m in route.methods or () if m != "HEAD"}
    listed = {(m, p.split("#")[0]) for m, p in MATRIX}
    assert routes == listed, f"missing from MATRIX: {routes - listed}; stale: {listed - routes}"


def refusals(engine: Engine) -> int:
    with engine.begin() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM audit_log WHERE outcome = 'refused'")).scalar_one())


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_matrix(route: tuple[str, str], client: AppClient, engine: Engine,
                      settings: Settings) -> None:
    call, expected = MATRIX[route]
    make_user(engine, settings, "victim", Role.SOCIAL_WORKER, [OWN])
    make_user(engine, settings, "outsider", Role.SOCIAL_WORKER, [OTHER])
    for side in ("side_a", "side_b"):
        make_user(engine, settings, side, Role.SOCIAL_WORKER, [OWN, OTHER])
    for role in ROLES[1:]:
        make_user(engine, settings, role, Role(role), [OWN])
    got: dict[str, tuple[int, int]] = {}
    tokens: dict[str, dict[str, str]] = {}
    fresh = route == ("POST", "/api/v1/auth/logout")  # logout spends its token
    for role in ROLES:
        statuses = []
        for community in ("own", "other"):
            if role == "anonymous":
                headers = dict(PROTO)
            elif fresh or role not in tokens:  # logging in costs an Argon2 hash: reuse
                headers = tokens[role] = {**login(client, role), "X-User": role}
            else:
                headers = tokens[role]
            before = refusals(engine)
            status = call(client, headers, community)
            statuses.append(status)
            if status in (401, 403):
                assert refusals(engine) > before, f"{role} {community}: refusal not audited"
        got[role] = (statuses[0], statuses[1])
    assert got == expected
