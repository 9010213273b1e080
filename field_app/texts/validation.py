"""Strings of the records' validation errors (``valid.<code>``), from ``shared_models.messages``.

The server answers a 422 with the same words, so they stay in ``MESSAGES`` (one source);
this module puts them in the app's tables, so an exception may carry just the code and data.
"""

from __future__ import annotations

from shared_models.messages import MESSAGES, explain

#: The words for an error type ``MESSAGES`` does not know ("Invalid value").
FALLBACK = "invalid"

UK: dict[str, str] = {f"valid.{code}": uk for code, (uk, _) in MESSAGES.items()}
UK[f"valid.{FALLBACK}"] = explain({}, "uk")

EN: dict[str, str] = {f"valid.{code}": en for code, (_, en) in MESSAGES.items()}
EN[f"valid.{FALLBACK}"] = explain({}, "en")
