"""String tables of the app's screens, one module per area, merged by ``field_app.i18n``.

Each module holds two dicts, ``UK`` and ``EN``, with the same keys, prefixed by its area
(``card.``, ``visit.``, ``review.``...). Keeping areas apart keeps each table readable and lets
screens be worked on side by side. ``TABLES`` lists the modules; a key defined twice is an
error at import (``field_app.i18n``).

``glossary`` is not a table: it holds the one Ukrainian term for each thing of the trade and
the wrong variants, which ``tests/ui/test_glossary.py`` keeps out of every table.
"""

from __future__ import annotations

from types import ModuleType

from field_app.texts import (
    account,
    assessment,
    case_rules,
    case_screens,
    cases,
    conflicts,
    dashboard,
    errors,
    exports,
    family,
    placements,
    review,
    sync,
    validation,
    visit,
)

TABLES: tuple[ModuleType, ...] = (family, review, dashboard, placements, exports, sync,
                                  conflicts, account, visit, errors, validation, cases,
                                  case_rules, case_screens, assessment)
