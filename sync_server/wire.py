"""The push body parsed into plain dicts: the same rules as ``PushRequest``, a third the cost.

``shared_models.protocol.PushRequest`` is the documented wire model (OpenAPI, the device).
Validating a batch of hundreds of mutations into it makes a model object per field write —
over a hundred thousand objects for a bulk push — and that (with the garbage collector they
wake) cost more than the merge. The server validates the same JSON into ``TypedDict``s
instead: the same constraints (they are built from the very same annotated types), checked
in pydantic-core, giving dicts the push reads directly.

``tests/server/test_wire.py`` keeps the two in step: equal JSON schemas, and the same
verdict and values on generated bodies.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, NotRequired

from pydantic import ConfigDict, Field, TypeAdapter, with_config
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from shared_models.communities import CommunityCode
from shared_models.enums import RecordKind
from shared_models.protocol import MAX_PUSH_BATCH, ClockText, FieldName, PushRequest

_STRICT = ConfigDict(extra="forbid")


@with_config(_STRICT)
class WireWriteDict(TypedDict):
    """``WireWrite``: one field write (``value`` defaults to null, ``supersedes`` to [])."""

    value: NotRequired[Any]
    clock: ClockText
    supersedes: NotRequired[Annotated[list[ClockText], Field(max_length=16)]]


@with_config(_STRICT)
class MutationDict(TypedDict):
    """``Mutation``: a change to one record, idempotent by ``mutation_id``."""

    mutation_id: uuid.UUID
    record_id: uuid.UUID
    kind: RecordKind
    community: CommunityCode
    fields: Annotated[dict[FieldName, WireWriteDict], Field(min_length=1, max_length=64)]


@with_config(_STRICT)
class PushBody(TypedDict):
    """``PushRequest``: a batch of mutations from one device, in outbox order."""

    device_clock: ClockText
    mutations: Annotated[list[MutationDict], Field(min_length=1, max_length=MAX_PUSH_BATCH)]


PUSH_BODY = TypeAdapter(PushBody)


def parse_push(raw: bytes) -> PushBody:
    """Validate a push body (JSON bytes); raises pydantic's ``ValidationError``."""
    return PUSH_BODY.validate_json(raw)


def push_body(request: PushRequest | PushBody) -> PushBody:
    """A ``PushRequest`` model (seeding, tests) as the dict form the push reads."""
    if isinstance(request, PushRequest):
        return PUSH_BODY.validate_python(request.model_dump())
    return request
