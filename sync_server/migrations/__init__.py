"""Alembic migrations of the server schema; ``serve`` applies them on start (see ``migrate``)."""
