"""A record created in a push is stored from its writes' texts: they must be the merge's own.

``push_rows.encode_create`` builds a new record's stored state, fingerprint, history entry
and pull text straight from the JSON texts of the values as pushed, in one pass, not through
merge objects. Over generated
writes (text with quotes and Cyrillic, numbers, booleans, nulls, lists, objects nested in
lists, superseded clocks), each must equal what the general path builds from the merge
state: ``statejson.state_to_json``, ``statejson.feed_columns`` and the model-based
fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared_models.protocol import Mutation, PushRequest
from sync_server.history import entry_text, writes_text
from sync_server.push import payload_hash
from sync_server.push_rows import encode_create, encode_writes
from sync_server.statejson import feed_columns, state_to_json
from sync_server.wire import push_body

CLOCKS = [f"{1_795_000_000_000 + i:015d}-{i % 3:06d}-dev-{i % 2}" for i in range(12)]
values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
    | st.sampled_from(["лапки \" і \\ ї", "", "002.0"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3),
    max_leaves=8)


@st.composite
def mutations(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(["family_name", "settlement", "address", "services",
                                           "deleted", "present", "next_steps"]),
                          min_size=1, max_size=5, unique=True))
    fields = {}
    for name in names:
        at = draw(st.integers(4, len(CLOCKS) - 1))
        sup = draw(st.lists(st.sampled_from(CLOCKS[:at]), max_size=3))
        fields[name] = {"value": draw(values), "clock": CLOCKS[at], "supersedes": sup}
    return {"mutation_id": str(uuid.uuid4()), "record_id": str(uuid.uuid4()),
            "kind": draw(st.sampled_from(["family", "visit", "note"])),
            "community": "malynska", "fields": fields}


@given(raw=mutations(), position=st.integers(1, 10**9), author=st.sampled_from(
    ["olena", 'o"lena', "олена"]))
@settings(max_examples=300, deadline=None, database=None)
def test_fresh_texts_equal_the_merge_paths(raw: dict[str, Any], position: int,
                                           author: str) -> None:
    model = Mutation.model_validate(raw)
    m = push_body(PushRequest(device_clock=CLOCKS[-1], mutations=[model]))["mutations"][0]
    created = encode_create(m, author)
    fresh = created.fresh
    rid = str(m["record_id"])
    state = fresh.state(rid)  # the merge state the general path would hold
    assert json.loads(fresh.state_json) == state_to_json(state)
    assert fresh.feed(rid, position) == feed_columns(rid, state.kind, state.community, position,
                                                     state_to_json(state))
    assert fresh.deleted is state.deleted
    assert created.values == {name: w.value for name, w in model.fields.items()}
    # The fingerprint a replay of this mutation is compared with: the general path's, and the
    # SHA-256 of the mutation's canonical JSON.
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    assert created.fingerprint == payload_hash(m) == hashlib.sha256(
        canonical.encode()).hexdigest()
    # The history row: the general path's entries, in the order sent.
    writes = encode_writes(m)
    assert created.history == writes_text(
        entry_text(w.name, w.value_json, w.clock, w.supersedes_json) for w in writes)
    assert json.loads(created.history) == {
        name: [w.value, w.clock, *([w.supersedes] if w.supersedes else [])]
        for name, w in model.fields.items()}
