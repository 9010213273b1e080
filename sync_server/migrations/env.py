"""Alembic environment: runs migrations on the connection ``migrate.upgrade`` passes in.

On PostgreSQL an advisory lock serialises migrations, so several instances starting at once
do not race each other through the same revision.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from sync_server.db import make_engine
from sync_server.tables import metadata

config = context.config
PG_MIGRATION_LOCK = 72_640_001  # arbitrary, fixed: the advisory lock id for migrations


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate using the connection given in ``config.attributes`` or the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            conn.commit()
        try:
            _run(conn)
            conn.commit()
        finally:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
                conn.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `python -m sync_server migrate`")
run_migrations_online()
