"""The server's fast push parse (``sync_server.wire``) is ``PushRequest``, rule for rule.

The documented wire model and the ``TypedDict``s the server validates into must accept and
refuse the same bodies and give the same values, and a mutation's fingerprint must stay what
it was when it was computed from the model (stored fingerprints tell a replay from a reused
id, across a server upgrade too).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared_models.communities import CommunityCode
from shared_models.enums import RecordKind
from shared_models.protocol import MAX_PUSH_BATCH, PushRequest
from sync_server.push import payload_hash
from sync_server.wire import PUSH_BODY, parse_push, push_body

_DROP = {"title", "description", "default"}


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """``schema`` with every ``$ref`` replaced by its definition, titles and defaults dropped."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k not in _DROP | {"$defs"}}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def test_the_two_schemas_state_the_same_rules() -> None:
    model = PushRequest.model_json_schema()
    fast = PUSH_BODY.json_schema()
    assert _inline(fast, fast.get("$defs", {})) == _inline(model, model.get("$defs", {}))


CLOCK = "001795000000000-000003-dev-a"


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` 19 times in 20: most generated bodies are valid, each part may break one."""
    return st.integers(0, 19).flatmap(lambda i: bad if i == 0 else good)


def maybe_extra(strategy: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    """A dict that, once in 20, carries a key the wire does not know."""
    return mostly(strategy, strategy.map(lambda d: {**d, "extra": 1}))


clocks = mostly(st.sampled_from([CLOCK, "001795000000001-000000-x", "001794999999999-999999-y"]),
                st.sampled_from(["yesterday", "", 17, "001795000000000-000000-" + "n" * 65]))
values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                      lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=6)
writes = maybe_extra(st.fixed_dictionaries(
    {"clock": clocks},
    optional={"value": values,
              "supersedes": mostly(st.lists(clocks, max_size=2), st.lists(clocks, min_size=17,
                                                                          max_size=17))}))
mutations = maybe_extra(st.fixed_dictionaries(
    {"mutation_id": mostly(st.uuids().map(str), st.sampled_from(["nope", 4])),
     "record_id": st.uuids().map(str),
     "kind": mostly(st.sampled_from([k.value for k in RecordKind]), st.just("cat")),
     "community": mostly(st.sampled_from([c.value for c in CommunityCode]),
                         st.just("atlantis")),
     "fields": mostly(st.dictionaries(st.sampled_from(["family_name", "deleted", "next",
                                                      "next_steps", "next_1"]),
                                      writes, min_size=1, max_size=3),
                      st.dictionaries(st.sampled_from(["Bad", "a" * 65, "ok"]), writes,
                                      max_size=2))}))
bodies = maybe_extra(st.fixed_dictionaries(
    {"device_clock": clocks,
     "mutations": mostly(st.lists(mutations, min_size=1, max_size=3), st.just([]))}))


def _old_fingerprint(m: Any) -> str:
    """The fingerprint as computed before the fast parse: canonical JSON of the model."""
    body = m.model_dump(mode="json")
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@given(body=bodies)
@settings(max_examples=400, deadline=None, database=None)
def test_same_verdict_values_and_fingerprints(body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    try:
        model = PushRequest.model_validate_json(raw)
    except ValidationError:
        model = None
    try:
        fast = parse_push(raw)
    except ValidationError:
        fast = None
    assert (model is None) == (fast is None), body
    if model is not None and fast is not None:
        assert push_body(model) == {**fast, "mutations": [
            {**m, "fields": {n: {"value": None, "supersedes": [], **w}
                             for n, w in m["fields"].items()}}
            for m in fast["mutations"]]}
        for m, d in zip(model.mutations, fast["mutations"], strict=True):
            assert payload_hash(d) == _old_fingerprint(m)


def test_batch_size_limit_is_the_same() -> None:
    m = {"mutation_id": str(uuid.uuid4()), "record_id": str(uuid.uuid4()), "kind": "family",
         "community": "zhytomyrska", "fields": {"family_name": {"value": "A", "clock": CLOCK}}}
    for n, ok in ((MAX_PUSH_BATCH, True), (MAX_PUSH_BATCH + 1, False)):
        raw = json.dumps({"device_clock": CLOCK, "mutations": [m] * n}).encode()
        assert (parse_push(raw) is not None) if ok else _refused(raw)


def _refused(raw: bytes) -> bool:
    for parse in (PushRequest.model_validate_json, parse_push):
        try:
            parse(raw)
        except ValidationError:
            continue
        return False
    return True
