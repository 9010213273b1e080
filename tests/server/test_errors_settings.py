"""The one error shape on every error path, limits, gzip, and documented settings."""

from __future__ import annotations

import asyncio
import gzip
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import Engine

from shared_models.enums import Role
from sync_server.app import create_app
from sync_server.settings import Settings
from tests.server.appclient import AppClient
from tests.server.helpers import PROTO, ZH, Device, family_fields, login, make_user, mutation

DOCS = Path(__file__).resolve().parents[2] / "docs" / "server.md"


def assert_error(r: object, status: int, code: str) -> None:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert set(body) == {"code", "message"} and body["code"] == code and body["message"]
    assert "Traceback" not in body["message"]


def test_error_shapes(client: AppClient, engine: Engine, settings: Settings) -> None:
    assert_error(client.get("/nope"), 404, "not_found")
    assert_error(client.get("/api/v1/nope", headers=PROTO), 404, "not_found")
    assert_error(client.request("DELETE", "/health"), 405, "bad_request")
    assert_error(client.post("/api/v1/auth/login", headers=PROTO, json={"username": 1}),
                 422, "validation_error")
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    headers = login(client, "olena")
    r = client.post("/api/v1/sync/push", headers=headers,
                    json={"device_clock": "yesterday", "mutations": []})
    assert_error(r, 422, "validation_error")
    assert "device_clock" in r.json()["message"]
    r = client.get("/api/v1/sync/pull", headers=headers, params={"since": "atlantis:3"})
    assert_error(r, 422, "validation_error")
    assert "atlantis" in r.json()["message"]
    r = client.get("/api/v1/sync/pull", headers=headers, params={"limit": 100000})
    assert_error(r, 422, "validation_error")


def test_body_limit(engine: Engine, settings: Settings) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2048})
    with AppClient(create_app(small, engine=engine)) as c:
        r = c.post("/api/v1/auth/login", headers=PROTO, content=b"x" * 4096)
        assert_error(r, 413, "payload_too_large")

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(4):
                yield b"y" * 1024

        r = c.post("/api/v1/auth/login", headers=PROTO, content=chunks())
        assert_error(r, 413, "payload_too_large")


def test_unexpected_error_is_a_plain_500(engine: Engine, settings: Settings) -> None:
    app: FastAPI = create_app(settings, engine=engine)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with AppClient(app) as c:
        r = c.get("/boom")
    assert_error(r, 500, "server_error")
    assert "secret internals" not in r.text


def test_large_pulls_are_gzipped(client: AppClient, engine: Engine, settings: Settings) -> None:
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    dev = Device(client, login(client, "olena"), "p")
    dev.push([mutation("family", ZH, family_fields(f"Сім'я {i}"), dev.stamp())
              for i in range(40)])
    r = client.get("/api/v1/sync/pull", headers={**dev.headers, "Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and len(r.json()["changes"]) == 40
    assert len(gzip.compress(r.content)) > 0


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`PORUCH_([A-Z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields <= documented, f"undocumented settings: {sorted(fields - documented)}"
    assert documented <= fields, f"documented but gone: {sorted(documented - fields)}"


@pytest.mark.parametrize("secret", ["change-me", "", "short"])
def test_production_refuses_placeholder_secrets(secret: str) -> None:
    with pytest.raises(ValidationError, match="PORUCH_SECRET_KEY"):
        Settings(env="production", secret_key=secret)
    Settings(env="production", secret_key="x" * 40)


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORUCH_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("PORUCH_PULL_PAGE_CAP", "50")
    s = Settings()
    assert s.database_url == "postgresql://u@h/db" and s.pull_page_cap == 50
    monkeypatch.setenv("PORUCH_ARGON2_MEMORY_KIB", "1024")
    with pytest.raises(ValidationError):
        Settings()


def test_pull_page_cap(engine: Engine, settings: Settings) -> None:
    capped = settings.model_copy(update={"pull_page_cap": 2})
    make_user(engine, settings, "olena", Role.SOCIAL_WORKER, [ZH])
    with AppClient(create_app(capped, engine=engine)) as c:
        dev = Device(c, login(c, "olena"), "p")
        dev.push([mutation("family", ZH, family_fields(), dev.stamp()) for _ in range(3)])
        body = c.get("/api/v1/sync/pull", headers=dev.headers, params={"limit": 500}).json()
        assert len(body["changes"]) == 2 and body["more"] is True


def test_docs_pages_load_nothing_from_other_hosts(client: AppClient) -> None:
    """/docs and /redoc work on an office server with no internet: every asset is ours."""
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = (re.findall(r'(?:src|href|spec-url)="([^"]+)"', html)
                  + re.findall(r"url: '([^']+)'", html))
        assert assets, page
        for url in assets:
            assert url.startswith("/"), f"{page} loads {url} from another host"
            answer = client.get(url)
            assert answer.status_code == 200 and answer.content, url


def test_an_engine_made_by_the_app_is_closed_when_it_stops(tmp_path: Path) -> None:
    """The server lets go of its database connections on shutdown (SQLite then checkpoints)."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'poruch.db'}"))

    async def serve_once() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get("/health")).status_code == 200
            assert app.state.engine.pool.checkedin() == 1  # the health check's, pooled

    asyncio.run(serve_once())
    assert app.state.engine.pool.checkedin() == 0
