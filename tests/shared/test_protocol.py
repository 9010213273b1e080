"""Wire format: cursors, mutations as merge states, readable refusals of malformed input."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from shared_models.clock import HLC
from shared_models.communities import CommunityCode
from shared_models.merge import FieldWrite
from shared_models.protocol import (
    ErrorCode,
    Mutation,
    MutationStatus,
    PushRequest,
    PushResponse,
    RecordChange,
    decode_cursors,
    encode_cursors,
)

C1 = HLC(1_000, 0, "dev").encode()
C2 = HLC(2_000, 0, "dev").encode()


def test_cursors_round_trip_and_refuse_garbage() -> None:
    cur = {CommunityCode.MALYNSKA: 42, CommunityCode.PULYNSKA: 0}
    assert decode_cursors(encode_cursors(cur)) == cur
    assert decode_cursors("") == {}
    with pytest.raises(ValueError, match="community:position"):
        decode_cursors("malynska")
    with pytest.raises(ValueError, match="unknown community"):
        decode_cursors("kyivska:3")


def test_mutation_becomes_a_state_attributed_to_the_pushing_user() -> None:
    m = Mutation(mutation_id=uuid.uuid4(), record_id=uuid.uuid4(), kind="note",
                 community="malynska", fields={"text": {"value": "т", "clock": C1}})
    state = m.to_state("olena")
    assert state.fields["text"].current.author == "olena"
    assert state.kind == "note" and state.community == "malynska"


def test_malformed_pushes_are_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="should match pattern"):
        Mutation(mutation_id=uuid.uuid4(), record_id=uuid.uuid4(), kind="note",
                 community="malynska", fields={"text": {"value": "т", "clock": "yesterday"}})
    with pytest.raises(ValidationError):
        PushRequest(device_clock=C1, mutations=[])
    with pytest.raises(ValidationError):
        Mutation(mutation_id=uuid.uuid4(), record_id=uuid.uuid4(), kind="note",
                 community="malynska", fields={"Bad Name": {"clock": C1}})


def test_pulled_record_as_state() -> None:
    rc = RecordChange(record_id=uuid.uuid4(), kind="family", community="malynska", position=7,
                      clock=C1, author="o", values={"settlement": "Малин", "phone": None},
                      clocks={"phone": C2}, authors={"phone": "p"})
    state = rc.to_state()
    assert state.values() == {"settlement": "Малин", "phone": None}
    assert state.fields["settlement"].current == FieldWrite("Малин", C1, (), "o")
    assert state.fields["phone"].current == FieldWrite(None, C2, (), "p")


def test_pulled_record_exceptions_must_name_fields_with_values() -> None:
    with pytest.raises(ValidationError, match="without a value"):
        RecordChange(record_id=uuid.uuid4(), kind="family", community="malynska",
                     position=7, clock=C1, values={"settlement": "Малин"},
                     clocks={"phone": C2})
    with pytest.raises(ValidationError):
        RecordChange(record_id=uuid.uuid4(), kind="family", community="malynska",
                     position=7, clock=C1, values={})


def test_a_refusal_code_this_version_does_not_know_is_still_read() -> None:
    """A later server may add per-mutation codes (``reference_missing`` was added so): an app
    still reads the answer, keeps the code as text and holds the change."""
    mid = uuid.uuid4()
    body = ('{"results":[{"mutation_id":"%s","status":"rejected","code":"%s","reason":"x"}],'
            '"server_clock":"000001795000000-000000-server"}')
    known = PushResponse.model_validate_json(body % (mid, "reference_missing"))
    assert known.results[0].code is ErrorCode.REFERENCE_MISSING
    later = PushResponse.model_validate_json(body % (mid, "a_code_from_later"))
    assert later.results[0].code == "a_code_from_later"
    assert later.results[0].status is MutationStatus.REJECTED
