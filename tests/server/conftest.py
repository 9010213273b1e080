"""Server fixtures: every storage test runs on SQLite *and* on the real PostgreSQL.

``backend`` is parametrised: ``sqlite`` copies a migrated template file per test;
``postgres`` migrates one dedicated database ``poruch_test_<random>`` per session, truncates
it between tests and drops it at the end. PostgreSQL unreachable is a failure, not a skip.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from shared_models.communities import CommunityCode
from sync_server.app import create_app
from sync_server.db import make_engine
from sync_server.migrate import upgrade
from sync_server.settings import Settings
from sync_server.tables import metadata
from tests.server.appclient import AppClient

PG_HOST = "127.0.0.1"
PG_ADMIN_DSN = f"host={PG_HOST} port=5432 user=postgres dbname=postgres connect_timeout=5"
SECRET = "test-secret-key-that-is-long-enough-0123456789"


def pg_url(dbname: str) -> str:
    """SQLAlchemy URL of a database on the test PostgreSQL server."""
    return f"postgresql+psycopg://postgres@{PG_HOST}:5432/{dbname}"


def create_pg_database() -> str:
    """Create a fresh empty database and return its name (fails if PostgreSQL is down)."""
    name = f"poruch_test_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL on {PG_HOST}:5432 is required and unreachable: {exc}")
    return name


def drop_pg_database(name: str) -> None:
    """Drop a test database, closing whatever still connects to it."""
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """URL of a migrated PostgreSQL database for this session."""
    name = create_pg_database()
    try:
        upgrade(pg_url(name))
        yield pg_url(name)
    finally:
        drop_pg_database(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that tests copy (migrating each time would be slower)."""
    path = tmp_path_factory.mktemp("template") / "poruch.db"
    upgrade(f"sqlite:///{path}")
    return path


def reset_postgres(engine: Engine) -> None:
    """Empty every table and reset the feed counters (faster than a new database)."""
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO feed_counter (community, position) VALUES (:c, 0)"),
                     [{"c": c.value} for c in CommunityCode])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "poruch.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    engine = make_engine(url, pool_size=1)
    try:
        reset_postgres(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for a test app on ``database_url``."""
    return Settings(database_url=database_url, secret_key=SECRET, instance_id="test",
                    env="development")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """The engine the test app uses."""
    eng = make_engine(settings.database_url, pool_size=5)
    yield eng
    eng.dispose()


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[AppClient]:
    """An in-process client of a fresh app."""
    with AppClient(create_app(settings, engine=engine)) as c:
        yield c
