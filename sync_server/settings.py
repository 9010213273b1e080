"""Typed server settings, read from ``PORUCH_*`` environment variables (pydantic-settings).

Every field here is documented in docs/server.md (a test checks it). Outside development the
settings refuse placeholder secrets, so a production server cannot start with the defaults.
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared_models.clock import MAX_DRIFT_MS
from shared_models.protocol import MAX_PULL_LIMIT
from shared_models.work_calendar import DEFAULT_CALENDAR, WorkCalendar

#: Values that mark a secret as "not set yet"; refused when ``env`` is not development.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development"})
#: OWASP's minimum for Argon2id: 19 MiB of memory, 2 passes.
ARGON2_MIN_MEMORY_KIB = 19 * 1024
ARGON2_MIN_TIME_COST = 2


class Settings(BaseSettings):
    """Server configuration. Construct with keyword arguments in tests, from env in production."""

    model_config = SettingsConfigDict(env_prefix="PORUCH_", extra="ignore", frozen=True)

    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///./data/poruch.db"
    secret_key: SecretStr = SecretStr("change-me")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    instance_id: str = Field(
        default_factory=lambda: secrets.token_hex(4), pattern=r"^[A-Za-z0-9_-]{1,32}$"
    )
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    pull_page_cap: int = Field(default=MAX_PULL_LIMIT, ge=1, le=MAX_PULL_LIMIT)
    max_clock_drift_ms: int = Field(default=MAX_DRIFT_MS, ge=0)
    login_window_seconds: int = Field(default=15 * 60, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=30, ge=1)
    argon2_memory_kib: int = Field(default=ARGON2_MIN_MEMORY_KIB, ge=ARGON2_MIN_MEMORY_KIB)
    argon2_time_cost: int = Field(default=ARGON2_MIN_TIME_COST, ge=ARGON2_MIN_TIME_COST)
    token_idle_days: int = Field(default=60, ge=1, le=3650)
    db_pool_size: int = Field(default=10, ge=1)
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    gzip_min_bytes: int = Field(default=4096, ge=0)  # compressed answers (zstd or gzip)
    zstd_level: int = Field(default=1, ge=-7, le=22)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # The oblast's working days (a JSON file in ``WorkCalendar``'s form); unset: the built-in.
    work_calendar: Path | None = None

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        # A forgotten secret in production is worse than a server that refuses to start.
        if self.env != "development":
            value = self.secret_key.get_secret_value()
            if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < 32:
                raise ValueError(
                    "PORUCH_SECRET_KEY is a placeholder or shorter than 32 characters: "
                    "set a random value (python -c 'import secrets; print(secrets.token_hex(32))')"
                )
        return self

    @model_validator(mode="after")
    def _calendar_loads(self) -> Settings:
        # Read once, here: a calendar file that is missing or wrong stops the start with its
        # reason, rather than devices counting due dates by rules nobody meant.
        _ = self.calendar
        return self

    @cached_property
    def calendar(self) -> WorkCalendar:
        """The work calendar devices count working days by (``PORUCH_WORK_CALENDAR``)."""
        if self.work_calendar is None:
            return DEFAULT_CALENDAR
        return load_calendar(self.work_calendar)

    @cached_property
    def is_sqlite(self) -> bool:
        """True when the database is an embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    @cached_property
    def server_node(self) -> str:
        """Node id of this instance's hybrid clock (unique per instance sharing a database)."""
        return f"server-{self.instance_id}"


def load_calendar(path: Path) -> WorkCalendar:
    """The calendar in the file at ``path``; ``ValueError`` naming the file and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"PORUCH_WORK_CALENDAR: cannot read {path}: {exc}") from None
    try:
        return WorkCalendar.from_json(text)
    except ValueError as exc:
        raise ValueError(f"PORUCH_WORK_CALENDAR: {path}: {exc}") from None
