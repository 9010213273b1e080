"""Poruch field app: the encrypted offline store, the sync client, services and Flet views."""
