"""The sync protocol's wire format, shared by the device's client and the server.

See docs/sync-protocol.md for the exchange. Every request carries ``PROTOCOL_HEADER`` with
``PROTOCOL_VERSION``; every error answer is an ``ErrorBody`` with a stable ``ErrorCode``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared_models.clock import CLOCK_PATTERN
from shared_models.communities import CommunityCode
from shared_models.enums import RecordKind, Role
from shared_models.merge import FieldState, FieldWrite, RecordState
from shared_models.pullwire import change_dict
from shared_models.work_calendar import WorkCalendar

PROTOCOL_VERSION = 1
PROTOCOL_HEADER = "X-Poruch-Protocol"
#: Largest number of mutations in one push and of records in one pull page.
MAX_PUSH_BATCH = 500
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500
#: Largest feed position (a signed 64-bit integer in both databases): a cursor past it is
#: refused before it reaches a query.
MAX_POSITION = 2**63 - 1

#: The operator's work calendar (``CalendarAnswer``), for any signed-in device.
CALENDAR_PATH = "/api/v1/calendar"

#: A feed position or cursor; the one place its bounds are declared.
Position = Annotated[int, Field(ge=0, le=MAX_POSITION)]
#: How many records one pull page may hold.
PullLimit = Annotated[int, Field(ge=1, le=MAX_PULL_LIMIT)]


#: An encoded clock. Checked by pattern inside pydantic-core: a page holds thousands of clocks,
#: and a Python validator per clock cost more than parsing the page.
ClockText = Annotated[str, Field(max_length=100, pattern=CLOCK_PATTERN)]
FieldName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


class ErrorCode(StrEnum):
    """Stable machine-readable error codes of the API."""

    BAD_REQUEST = "bad_request"
    VALIDATION = "validation_error"
    UNAUTHENTICATED = "unauthenticated"
    BAD_CREDENTIALS = "bad_credentials"
    DEVICE_REVOKED = "device_revoked"
    FORBIDDEN = "forbidden"
    #: A revoked device's lost-work report came a second time: the first one was kept.
    LOST_WORK_ALREADY_REPORTED = "lost_work_already_reported"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    UNSUPPORTED_PROTOCOL = "unsupported_protocol"
    CLOCK_AHEAD = "clock_ahead"
    #: Per mutation only: a field names a record the server does not hold in that community
    #: (or of another kind). Sent from the app version that knows it; see sync-protocol.md.
    REFERENCE_MISSING = "reference_missing"
    #: Per mutation only: the change would leave a family with two open cases (a case's
    #: ``closed_on`` empty, not deleted); the other one must be closed first.
    CASE_ALREADY_OPEN = "case_already_open"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"


class ErrorBody(BaseModel):
    """The one shape of every error answer."""

    code: ErrorCode
    message: str


class WireWrite(BaseModel):
    """One field write as sent by a device (the server stamps the author)."""

    model_config = ConfigDict(extra="forbid")

    value: Any = None
    clock: ClockText
    supersedes: list[ClockText] = Field(default_factory=list, max_length=16)


class Mutation(BaseModel):
    """One outbox entry: a change to one record, idempotent by ``mutation_id``."""

    model_config = ConfigDict(extra="forbid")

    mutation_id: uuid.UUID
    record_id: uuid.UUID
    kind: RecordKind
    community: CommunityCode
    fields: dict[FieldName, WireWrite] = Field(min_length=1, max_length=64)

    def to_state(self, author: str) -> RecordState:
        """The change as a merge state, every write attributed to ``author``."""
        return RecordState(
            str(self.record_id), self.kind.value, self.community.value,
            {name: FieldState.of(FieldWrite(w.value, w.clock, tuple(w.supersedes), author))
             for name, w in self.fields.items()},
        )


class PushRequest(BaseModel):
    """A batch of mutations from one device, in outbox order."""

    model_config = ConfigDict(extra="forbid")

    device_clock: ClockText
    mutations: list[Mutation] = Field(min_length=1, max_length=MAX_PUSH_BATCH)


class MutationStatus(StrEnum):
    """What the server did with one mutation."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"      # applied, and it opened a conflict the author should see
    REJECTED = "rejected"      # not applied; ``code`` and ``reason`` say why; not retried as is


class MutationResult(BaseModel):
    """Per-mutation answer of a push."""

    mutation_id: uuid.UUID
    status: MutationStatus
    #: A code this version does not know (one a later server added) is kept as its text, so
    #: the answer is still read and the change held with the server's reason.
    code: ErrorCode | str | None = Field(default=None, union_mode="left_to_right")
    reason: str | None = None


class PushResponse(BaseModel):
    """Answer to a push: one result per mutation, in order, and the server's clock."""

    results: list[MutationResult]
    server_clock: ClockText


#: A user name as the author of a write ("server" for conflict records).
AuthorText = Annotated[str, Field(max_length=64)]


class RecordChange(BaseModel):
    """One record as of a feed position: its full current state, in compact form.

    ``values`` holds every field's current value. ``clock`` and ``author`` are those of most of
    its fields (a record saved in one edit has one clock and one author for all of them);
    ``clocks`` and ``authors`` name only the fields whose clock or author differs.
    """

    record_id: uuid.UUID
    kind: RecordKind
    community: CommunityCode
    position: Position
    clock: ClockText
    author: AuthorText = ""
    values: dict[FieldName, Any] = Field(min_length=1)
    clocks: dict[FieldName, ClockText] = Field(default_factory=dict)
    authors: dict[FieldName, AuthorText] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _exceptions_name_fields(self) -> RecordChange:
        unknown = (set(self.clocks) | set(self.authors)) - set(self.values)
        if unknown:
            raise ValueError(f"clocks or authors name fields without a value: {sorted(unknown)}")
        return self

    @classmethod
    def of(cls, record_id: uuid.UUID | str, kind: RecordKind | str,
           community: CommunityCode | str, position: int,
           fields: Mapping[str, tuple[Any, str, str]]) -> RecordChange:
        """A record as the server sends it, from ``{field: (value, clock, author)}``."""
        return cls.model_validate(change_dict(
            str(record_id), RecordKind(kind).value, CommunityCode(community).value, position,
            fields))

    def writes(self) -> dict[str, FieldWrite]:
        """The current write of every field (no ``supersedes``: a pull sends current values)."""
        c, a, cx, ax = self.clock, self.author, self.clocks, self.authors
        return {n: FieldWrite(v, cx.get(n, c), (), ax.get(n, a)) for n, v in self.values.items()}

    def to_state(self) -> RecordState:
        """The pulled record as a merge state (current values only)."""
        return RecordState(str(self.record_id), self.kind.value, self.community.value,
                           {n: FieldState.of(w) for n, w in self.writes().items()})


class PullResponse(BaseModel):
    """One page of the change feed for the communities the device may see.

    ``role`` is the role the page was served as (what decides which ``conflict`` records it
    holds); the device keeps it and sends it back as the pull's ``role`` query parameter.
    ``rescan`` lists communities whose cursor ran past records the user's current role sees
    differently (the role changed since): their cursors in this page are 0 and the page holds
    none of their records; the device drops their conflict records and their cursors in one
    transaction and pulls them again from the start (``more`` is true). Both are new in
    protocol 1's lifetime: older devices ignore them (and simply store the cursor 0).
    """

    changes: list[RecordChange]
    cursors: dict[CommunityCode, Position]
    more: bool
    purge: list[CommunityCode] = Field(default_factory=list)
    server_clock: ClockText
    role: Role | None = None
    rescan: list[CommunityCode] = Field(default_factory=list)


def encode_cursors(cursors: dict[CommunityCode, int] | dict[str, int]) -> str:
    """Cursors as the ``since`` query value: ``code:position,code:position``."""
    return ",".join(f"{CommunityCode(c).value}:{int(p)}" for c, p in sorted(cursors.items()))


def decode_cursors(text: str) -> dict[CommunityCode, int]:
    """Parse a ``since`` query value; raises ``ValueError`` with a readable message."""
    out: dict[CommunityCode, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        code, sep, pos = part.partition(":")
        # ASCII digits only ("²".isdigit() is true), and no more than the largest
        # position has: anything past it could not be stored, so no feed reaches it.
        if not sep or not (pos.isascii() and pos.isdigit()):
            raise ValueError(f"cursor {part[:40]!r} is not of the form community:position")
        if len(pos) > len(str(MAX_POSITION)) or int(pos) > MAX_POSITION:
            raise ValueError(f"cursor {part[:40]!r}: the position is past {MAX_POSITION}")
        try:
            out[CommunityCode(code)] = int(pos)
        except ValueError:
            raise ValueError(f"unknown community in cursor: {code[:40]!r}") from None
    return out


class CalendarAnswer(BaseModel):
    """The work calendar the server's operator set (``GET CALENDAR_PATH``): which days are
    working days, so every device counts the 5 working days of an assessment alike.

    The fields are ``WorkCalendar``'s JSON form; ``version`` is ``WorkCalendar.version``, also
    sent as the ETag, so a device that has it asks with ``If-None-Match`` and gets 304.
    """

    model_config = ConfigDict(extra="ignore")

    version: str = Field(min_length=1, max_length=64)
    #: ``[first, last]`` pairs (``last`` null: open). A list, not a tuple, in the schema:
    #: OpenAPI 3.0 has no fixed-length arrays, and a tuple's schema is not valid there.
    holidays_off: list[Annotated[list[date | None], Field(min_length=2, max_length=2)]]
    extra_days_off: list[date] = Field(default_factory=list)
    extra_working_days: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _periods_start(self) -> CalendarAnswer:
        if any(first is None for first, _ in self.holidays_off):
            raise ValueError("a holidays_off period needs its first day")
        return self

    @classmethod
    def of(cls, calendar: WorkCalendar) -> CalendarAnswer:
        """The answer that carries ``calendar``."""
        return cls(version=calendar.version,
                   holidays_off=[[first, last] for first, last in calendar.holidays_off],
                   extra_days_off=sorted(calendar.extra_days_off),
                   extra_working_days=sorted(calendar.extra_working_days))

    def calendar(self) -> WorkCalendar:
        """The ``WorkCalendar`` this answer carries (``ValueError`` if its periods are bad)."""
        return WorkCalendar.from_json(self.model_dump_json(exclude={"version"}))
