"""Poruch sync server: accounts, community scope, push, pull and merge (FastAPI + SQLModel)."""
