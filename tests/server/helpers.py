"""Builders for server tests: users with a precomputed password hash, devices, mutations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine

from shared_models.clock import HybridClock
from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PullResponse,
    RecordChange,
    encode_cursors,
)
from sync_server import accounts
from sync_server.db import write_tx
from sync_server.security import hash_password
from sync_server.settings import ARGON2_MIN_MEMORY_KIB, ARGON2_MIN_TIME_COST, Settings
from tests.server.appclient import AppClient

PASSWORD = "correct horse battery staple"
PROTO = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
ZH, ZV, AN = CommunityCode.ZHYTOMYRSKA, CommunityCode.ZVIAHELSKA, CommunityCode.ANDRUSHIVSKA


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One Argon2id hash of ``PASSWORD`` for every test user (hashing costs ~50 ms)."""
    return hash_password(PASSWORD, memory_kib=ARGON2_MIN_MEMORY_KIB,
                         time_cost=ARGON2_MIN_TIME_COST)


def make_user(engine: Engine, settings: Settings, username: str, role: Role,
              communities: Iterable[CommunityCode] = ()) -> int:
    """Create a user whose password is ``PASSWORD``."""
    with write_tx(engine) as conn:
        return accounts.create_user(conn, username=username, role=role,
                                    communities=communities, password_hash=password_hash(),
                                    settings=settings)


def login(client: AppClient, username: str, device: str = "test phone") -> dict[str, str]:
    """Headers (protocol + bearer token) of a fresh device of ``username``."""
    r = client.post("/api/v1/auth/login", headers=PROTO,
                    json={"username": username, "password": PASSWORD, "device_name": device})
    assert r.status_code == 200, r.text
    return {**PROTO, "Authorization": f"Bearer {r.json()['token']}"}


class Device:
    """A simulated device: its own clock, a token, and cursors."""

    def __init__(self, client: Any, headers: dict[str, str], node: str) -> None:
        self.client = client
        self.headers = headers
        self.clock = HybridClock(node)
        self.cursors: dict[str, int] = {}
        self.seen: dict[str, dict[str, Any]] = {}

    def stamp(self) -> str:
        """A fresh clock value."""
        return self.clock.now().encode()

    def push(self, mutations: list[dict[str, Any]]) -> Any:
        """Push a batch; returns the response."""
        return self.client.post("/api/v1/sync/push", headers=self.headers,
                                json={"device_clock": self.stamp(), "mutations": mutations})

    def pull_all(self, limit: int = 100) -> list[dict[str, Any]]:
        """Pull until ``more`` is false; returns every change received, in order."""
        got: list[dict[str, Any]] = []
        while True:
            r = self.client.get("/api/v1/sync/pull", headers=self.headers,
                                params={"since": encode_cursors(self.cursors), "limit": limit})
            assert r.status_code == 200, r.text
            body = r.json()
            PullResponse.model_validate(body)  # every page matches the protocol's schema
            got.extend(body["changes"])
            for ch in body["changes"]:
                self.seen[ch["record_id"]] = ch
            self.cursors = {c: p for c, p in body["cursors"].items()}
            if not body["more"]:
                return got


def fields_of(change: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{field: {"value", "clock", "author"}}`` of a pulled change (its compact form expanded)."""
    writes = RecordChange.model_validate(change).writes()
    return {n: {"value": w.value, "clock": w.clock, "author": w.author} for n, w in writes.items()}


def wire(fields: dict[str, Any], clock: str, supersedes: dict[str, str] | None = None
         ) -> dict[str, Any]:
    """Wire form of field writes all made at ``clock``."""
    supersedes = supersedes or {}
    return {k: {"value": v, "clock": clock,
                "supersedes": [supersedes[k]] if k in supersedes else []}
            for k, v in fields.items()}


def mutation(kind: str, community: CommunityCode, fields: dict[str, Any], clock: str, *,
             record_id: str | None = None, supersedes: dict[str, str] | None = None,
             mutation_id: str | None = None) -> dict[str, Any]:
    """One mutation (new ids unless given)."""
    return {"mutation_id": mutation_id or str(uuid.uuid4()),
            "record_id": record_id or str(uuid.uuid4()), "kind": kind,
            "community": community.value, "fields": wire(fields, clock, supersedes)}


def family_fields(name: str = "Коваленко", **extra: Any) -> dict[str, Any]:
    """Fields of a valid new family."""
    return {"family_name": name, "settlement": "Житомир", **extra}


def visit_fields(family_id: str, author: str, **extra: Any) -> dict[str, Any]:
    """Fields of a valid new visit made an hour ago."""
    at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    return {"family_id": family_id, "visited_at": at, "risk_level": "low", "author": author,
            "services": ["002.0"], **extra}


def note_fields(family_id: str, author: str, text: str = "Сім'я потребує супроводу") -> dict:
    """Fields of a valid new note."""
    at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    return {"family_id": family_id, "text": text, "written_at": at, "author": author}


def review_fields(target_id: str, reviewer: str, decision: str = "approved") -> dict:
    """Fields of a valid review of a visit."""
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    return {"target_kind": "visit", "target_id": target_id, "decision": decision,
            "comment": "" if decision == "approved" else "Уточніть план",
            "reviewer": reviewer, "reviewed_at": at}


def person_fields(family_id: str, last_name: str = "Коваленко", first_name: str = "Марія",
                  **extra: Any) -> dict[str, Any]:
    """Fields of a valid new child of ``family_id``."""
    return {"family_id": family_id, "last_name": last_name, "first_name": first_name,
            "birth_date": "2018-04-02", "role": "child", **extra}


def placement_fields(child_id: str, foster_family_id: str, **extra: Any) -> dict[str, Any]:
    """Fields of a valid placement that started ten days ago, planned for two months."""
    start = datetime.now(UTC).date() - timedelta(days=10)
    return {"child_id": child_id, "foster_family_id": foster_family_id,
            "start_date": start.isoformat(),
            "planned_end": (start + timedelta(days=60)).isoformat(), **extra}


def foster_setup(community: CommunityCode, clock: str) -> tuple[list[dict[str, Any]], str, str,
                                                                str]:
    """Mutations creating a birth family with a child and a foster family; and their ids."""
    birth = mutation("family", community, family_fields("Коваленко"), clock)
    foster = mutation("family", community, family_fields("Петренко", foster_family=True), clock)
    child = mutation("person", community, person_fields(birth["record_id"]), clock)
    return [birth, foster, child], birth["record_id"], foster["record_id"], child["record_id"]


def case_fields(family_id: str, **extra: Any) -> dict[str, Any]:
    """Fields of a valid open case of ``family_id`` requested three days ago."""
    opened = datetime.now(UTC).date() - timedelta(days=3)
    return {"family_id": family_id, "opened_on": opened.isoformat(),
            "reporter_kind": "school", "request_summary": "Дитина пропускає заняття", **extra}


def closure_fields(reason: str = "goals_achieved", result: str = "achieved") -> dict[str, Any]:
    """Fields that record a case's closure today."""
    return {"closed_on": datetime.now(UTC).date().isoformat(), "closure_reason": reason,
            "closure_result": result}


def assessment_fields(case_id: str, family_id: str, assessor: str, *, completed: bool = True,
                      **extra: Any) -> dict[str, Any]:
    """Fields of a needs assessment of ``case_id`` started two days ago (completed today)."""
    today = datetime.now(UTC).date()
    done: dict[str, Any] = {"completed_on": today.isoformat(), "difficult_circumstances": True,
                            "decision": "support"} if completed else {}
    return {"case_id": case_id, "family_id": family_id, "assessor": assessor,
            "started_on": (today - timedelta(days=2)).isoformat(), **done, **extra}


def plan_task_fields(case_id: str, family_id: str, **extra: Any) -> dict[str, Any]:
    """Fields of a plan task of ``case_id`` due in a month."""
    due = datetime.now(UTC).date() + timedelta(days=30)
    return {"case_id": case_id, "family_id": family_id, "goal": "Відвідування школи",
            "task": "Домовитися з класним керівником", "due_date": due.isoformat(), **extra}
