"""Every error code the API can answer is in the table of docs/sync-protocol.md.

Clients branch on these codes (a device takes ``lost_work_already_reported`` as "the
administrator was told"), so a code missing from the table is a contract nobody can read.
"""

from __future__ import annotations

import re
from pathlib import Path

from shared_models.protocol import ErrorCode

DOC = Path(__file__).resolve().parents[2] / "docs" / "sync-protocol.md"


def test_every_error_code_has_a_row_in_the_protocol_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("### Error codes"):]
    rows = set(re.findall(r"^\| `([a-z_]+)` \| [0-9, ]+ \|", table, flags=re.MULTILINE))
    assert {c.value for c in ErrorCode} <= rows, {c.value for c in ErrorCode} - rows
