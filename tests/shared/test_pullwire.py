"""Pull pages: the server's stored record texts and the device's fast reader agree with the
protocol's schema (``PullResponse``) — what the reader accepts, the schema accepts and reads
the same way; whatever the schema refuses, the reader refuses."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared_models.clock import HLC
from shared_models.communities import CommunityCode
from shared_models.enums import RecordKind
from shared_models.protocol import PullResponse, RecordChange
from shared_models.pullwire import (
    PageError,
    PulledPage,
    compact_fields,
    decode_pull_page,
    encode_change,
    encode_page,
)

SERVER_CLOCK = HLC(1_795_000_000_000, 3, "server-a").encode()
names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
clocks = st.builds(lambda w, c, n: HLC(w, c, n).encode(),
                   st.integers(0, 10**15 - 1), st.integers(0, 999_999),
                   st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True))
authors = st.sampled_from(["olena", "petro", "server", "", "Іван"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=6)
fields = st.dictionaries(names, st.tuples(json_values, clocks, authors), min_size=1, max_size=6)
records = st.builds(
    lambda rid, kind, community, position, f: (str(rid), kind, community, position, f),
    st.uuids(), st.sampled_from([k.value for k in RecordKind]),
    st.sampled_from([c.value for c in CommunityCode]), st.integers(0, 10**12), fields)


def page_of(recs: list[tuple[Any, ...]], more: bool = False) -> bytes:
    return encode_page([encode_change(*r) for r in recs], {"malynska": 7, "pulynska": 0}, more,
                       ["zviahelska"], SERVER_CLOCK, role="supervisor", rescan=["pulynska"])


def same(page: PulledPage, model: PullResponse) -> None:
    """The fast reader and the schema read a page the same way."""
    assert page.cursors == {c.value: p for c, p in model.cursors.items()}
    assert (page.more, page.server_clock) == (model.more, model.server_clock)
    assert page.purge == [c.value for c in model.purge]
    assert (page.role, page.rescan) == (model.role and model.role.value,
                                        tuple(c.value for c in model.rescan))
    assert len(page.changes) == len(model.changes)
    for got, want in zip(page.changes, model.changes, strict=True):
        assert (got.record_id, got.kind, got.community, got.position) == (
            str(want.record_id), want.kind.value, want.community.value, want.position)
        assert (got.clock, got.author, got.clocks, got.authors) == (
            want.clock, want.author, want.clocks, want.authors)
        assert got.values == want.values
        assert got.to_state() == want.to_state()


@settings(max_examples=150, deadline=None)
@given(st.lists(records, max_size=6))
def test_encoded_pages_read_the_same_by_the_schema_and_the_fast_reader(
        recs: list[tuple[Any, ...]]) -> None:
    body = page_of(recs)
    page = decode_pull_page(body)
    same(page, PullResponse.model_validate_json(body))
    for got, (rid, kind, community, position, f) in zip(page.changes, recs, strict=True):
        assert {n: (w.value, w.clock, w.author) for n, w in got.writes().items()} == f
        # The exact text of each record is kept, and it is that record; so is its values'.
        assert got.raw is not None and json.loads(got.raw) == json.loads(
            encode_change(rid, kind, community, position, f))
        if "values" not in f:  # a field named "values" makes the cut ambiguous: not made
            assert got.raw_values is not None
        if got.raw_values is not None:
            assert json.loads(got.raw_values) == got.values
    # Any other layout of the same JSON reads the same (without the kept texts).
    for other in (json.dumps(json.loads(body)), json.dumps(json.loads(body), indent=1)):
        plain = decode_pull_page(other.encode())
        assert [c._replace(raw=None, raw_values=None) for c in page.changes] == plain.changes
        assert all(c.raw is None and c.raw_values is None for c in plain.changes)


def test_compact_form_names_only_the_exceptions() -> None:
    a, b = HLC(1_000, 0, "d").encode(), HLC(2_000, 0, "d").encode()
    fields = {"x": (1, a, "olena"), "y": (2, a, "olena"), "z": (3, b, "petro")}
    assert compact_fields(fields) == (a, "olena", {"z": b}, {"z": "petro"})
    # Ties go to the higher clock and the greater name: every instance encodes alike.
    assert compact_fields({"x": (1, a, "olena"), "y": (2, b, "petro")})[:2] == (b, "petro")
    change = json.loads(encode_change(str(uuid.uuid4()), "family", "malynska", 5, fields))
    assert change["values"] == {"x": 1, "y": 2, "z": 3}
    assert "clocks" not in json.loads(encode_change(str(uuid.uuid4()), "family", "malynska", 5,
                                                    {"x": (1, a, "olena")}))


GOOD = {"record_id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "kind": "family",
        "community": "malynska", "position": 3, "clock": SERVER_CLOCK, "author": "olena",
        "values": {"family_name": "Коваленко", "phone": None}, "clocks": {"phone": SERVER_CLOCK},
        "authors": {"phone": "petro"}}
#: Ways a record can be wrong (or odd but fine): (key, value); ``...`` deletes the key.
RECORD_EDITS: list[tuple[str, Any]] = [
    ("kind", "household"), ("kind", "FAMILY"), ("kind", None), ("community", "kyivska"),
    ("community", 5), ("position", -1), ("position", "3"), ("position", 3.0),
    ("position", True), ("position", ...), ("clock", "yesterday"), ("clock", SERVER_CLOCK + "\n"),
    ("clock", "001795000000000-000003-" + "n" * 65), ("clock", ...), ("author", 5),
    ("author", "x" * 65), ("author", ...), ("values", {}), ("values", []), ("values", ...),
    ("values", {"Family": 1}), ("values", {"a" * 65: 1}), ("values", {"_x": 1}),
    ("clocks", {"deleted": SERVER_CLOCK}), ("clocks", {"phone": "now"}), ("clocks", []),
    ("clocks", None), ("authors", {"phone": 7}), ("authors", {"nobody": "x"}),
    ("authors", None), ("record_id", "1B4E28BA-2FA1-11D2-883F-0016D3CCA427"),
    ("record_id", "1b4e28ba2fa111d2883f0016d3cca427"), ("record_id", "{1b4e28ba-2fa1-11d2-"
                                                                    "883f-0016d3cca427}"),
    ("record_id", "not-a-uuid"), ("record_id", 5), ("record_id", ...), ("extra", "ignored"),
]
PAGE_EDITS: list[tuple[str, Any]] = [
    ("cursors", {"kyivska": 1}), ("cursors", {"malynska": -1}), ("cursors", {"malynska": "1"}),
    ("cursors", []), ("cursors", ...), ("more", "yes"), ("more", 1), ("more", ...),
    ("purge", ["kyivska"]), ("purge", "malynska"), ("purge", ...), ("server_clock", "soon"),
    ("server_clock", ...), ("changes", {}), ("changes", ...), ("changes", [None]),
    ("changes", [[1, 2]]), ("role", "supervisor"), ("role", None), ("role", "boss"),
    ("role", 1), ("rescan", ["malynska"]), ("rescan", []), ("rescan", ["kyivska"]),
    ("rescan", "malynska"), ("rescan", None),
]


def _edited(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    out = dict(data)
    if value is ...:
        out.pop(key, None)
    else:
        out[key] = value
    return out


def agree(body: bytes) -> None:
    """Refused by the schema => refused by the reader; else both read it the same way."""
    try:
        model = PullResponse.model_validate_json(body)
    except ValidationError:
        with pytest.raises(PageError):
            decode_pull_page(body)
        return
    try:
        page = decode_pull_page(body)
    except PageError:
        return  # the reader may be stricter than the schema (canonical ids, true ints)
    same(page, model)


@pytest.mark.parametrize(("key", "value"), RECORD_EDITS, ids=lambda v: repr(v)[:40])
def test_a_wrong_record_is_refused_by_the_reader_whenever_the_schema_refuses_it(
        key: str, value: Any) -> None:
    record = _edited(GOOD, key, value)
    tail = {"cursors": {"malynska": 3}, "more": False, "server_clock": SERVER_CLOCK}
    for body in (json.dumps({"changes": [GOOD, record], **tail}, ensure_ascii=False),
                 encode_page([json.dumps(GOOD), json.dumps(record)], **tail, purge=[]
                             ).decode()):
        agree(body.encode())


@pytest.mark.parametrize(("key", "value"), PAGE_EDITS, ids=lambda v: repr(v)[:40])
def test_a_wrong_page_is_refused_by_the_reader_whenever_the_schema_refuses_it(
        key: str, value: Any) -> None:
    data = {"changes": [GOOD], "cursors": {"malynska": 3}, "more": False, "purge": [],
            "server_clock": SERVER_CLOCK}
    agree(json.dumps(_edited(data, key, value)).encode())


def test_refused_everywhere_non_json_numbers_and_bodies_cut_short() -> None:
    body = page_of([(str(uuid.uuid4()), "family", "malynska", 1,
                     {"family_name": ("Коваленко", SERVER_CLOCK, "olena")})], more=True)
    for bad in (body.replace(b'"Koval', b"NaN"), body.replace(b"1,", b"1e999,", 1),
                body.replace(b'"position":1', b'"position":NaN')):
        agree(bad)
    for cut in range(1, len(body), 7):
        with pytest.raises(PageError):
            decode_pull_page(body[:cut])
        with pytest.raises(ValidationError):
            PullResponse.model_validate_json(body[:cut])


@settings(max_examples=200, deadline=None)
@given(st.lists(records, min_size=1, max_size=3), st.data())
def test_any_byte_damage_to_the_line_layout_is_read_as_the_schema_reads_it(
        recs: list[tuple[Any, ...]], data: st.DataObject) -> None:
    """Newlines, commas and brackets moved or lost: the reader never keeps a record text that
    is not exactly that record, and never accepts what the schema refuses."""
    body = bytearray(page_of(recs))
    marks = [i for i, b in enumerate(body) if b in b"\n,[]{}"]
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.sampled_from(marks))
        op = data.draw(st.sampled_from(["drop", "newline", "comma", "dup"]))
        if op == "drop":
            body[i:i + 1] = b" "
        elif op == "newline":
            body[i:i] = b"\n"
        elif op == "comma":
            body[i:i] = b","
        else:
            body[i:i] = body[i:i + 1]
    agree(bytes(body))
    try:
        page = decode_pull_page(bytes(body))
    except PageError:
        return
    for c in page.changes:
        if c.raw is not None:
            assert RecordChange.model_validate_json(c.raw).to_state() == c.to_state()
        if c.raw_values is not None:
            assert json.loads(c.raw_values) == c.values


HEAD = ('{"record_id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","kind":"family",'
        '"community":"malynska","position":1,"clock":"' + SERVER_CLOCK + '"')


@pytest.mark.parametrize(("line", "cut"), [
    (HEAD + ',"author":"o","values":{"x":1}}', b'{"x":1}'),
    # A field named "values" first in ``clocks``: its key text is not the top-level one's.
    (HEAD + ',"author":"o","clocks":{"values":"' + SERVER_CLOCK + '"},"values":{"values":1}}',
     b'{"values":1}'),
    # ... and not first in ``clocks``: the key text occurs twice.
    (HEAD + ',"author":"o","clocks":{"a":"' + SERVER_CLOCK + '","values":"' + SERVER_CLOCK
     + '"},"values":{"a":1,"values":1}}', None),
    # A nested object with a "values" key inside the values.
    (HEAD + ',"author":"o","values":{"x":{"a":1,"values":2}}}', None),
    # "values" not last.
    (HEAD + ',"values":{"x":1},"author":"o"}', None),
    # "values" first, and again later (JSON keeps the last).
    ('{"values":{"x":1},' + HEAD[1:] + ',"author":"o","values":{"x":2}}', None),
    # Spaces the server does not write: read, but not cut.
    (HEAD + ',"author":"o", "values": {"x":1}}', None),
])
def test_values_text_is_cut_out_only_when_unambiguous(line: str, cut: bytes | None) -> None:
    body = encode_page([line], {"malynska": 1}, False, [], SERVER_CLOCK)
    (record,) = decode_pull_page(body).changes
    assert record.raw == line.encode() and record.raw_values == cut
    if cut is not None:
        assert json.loads(cut) == record.values
    agree(body)


def test_a_record_change_checks_its_exceptions() -> None:
    with pytest.raises(ValidationError, match="without a value"):
        RecordChange.model_validate({**GOOD, "clocks": {"address": SERVER_CLOCK}})
    assert RecordChange.model_validate(GOOD).writes()["phone"].author == "petro"
