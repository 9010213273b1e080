"""What the UI shows when something is wrong: an i18n key and its placeholders.

Every service returns its refusals as ``Problem``s, and the views word them in the worker's
language (``Translator.problem``); a message that arrives already worded (by the server or
the sync client) is a ``LITERAL`` problem carrying both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a value, as an i18n key and its placeholders."""

    key: str
    params: dict[str, object] = field(default_factory=dict)

    @classmethod
    def literal(cls, uk: str, en: str) -> Problem:
        """A message that arrives already worded (by the server or the sync client)."""
        return cls(LITERAL, {"uk": uk, "en": en})


#: Key of a ``Problem`` whose words are in its params ("uk", "en"), not in our table.
LITERAL = "literal"
