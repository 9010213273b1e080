"""Packaging rules the phone build depends on (pyproject.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SERVER_ONLY = ("fastapi", "uvicorn", "alembic", "psycopg", "pydantic-settings", "argon2",
               "openpyxl", "kinto", "starlette-compress", "brotli")


def test_runtime_dependencies_are_the_clients_only() -> None:
    deps = CONFIG["project"]["dependencies"]
    assert "flet==1.0.5" in deps
    assert "flet-charts==1.0.5" in deps     # pinned with flet: its Flutter part must match
    assert "flet-secure-storage==1.0.5" in deps  # the device secret's keystore, as flet's
    assert not [d for d in deps if d.split("[")[0].split(">")[0].split("=")[0] in SERVER_ONLY]
    assert not [d for d in deps if d.startswith(("flet[", "flet-cli", "flet-web"))]
    extras = CONFIG["project"]["optional-dependencies"]
    assert {"server", "web", "dev"} <= set(extras)


def test_flet_build_settings() -> None:
    flet = CONFIG["tool"]["flet"]
    app = flet["app"]
    assert (ROOT / app["path"] / f"{app['module']}.py").is_file()
    assert {"sync_server", "tests", "tools", "bench"} <= set(app["exclude"])
    perms = flet["android"]["permission"]
    assert perms["android.permission.INTERNET"] is True
    assert perms["android.permission.ACCESS_BACKGROUND_LOCATION"] is False
    assert flet["android"]["manifest_application"]["allowBackup"] == "false"
