"""How a date reads (22.11.2026) in every language, on the device and in the models' messages.

Ukrainians write day, month and year with dots; the English screens and messages use the same
form so a date reads alike in both. ``field_app.dates`` builds on this for what people type.
"""

from __future__ import annotations

from datetime import date


def format_date(value: date) -> str:
    """A date as Ukrainians write it: 22.11.2026."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
