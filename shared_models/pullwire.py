"""Pull pages as bytes: records encoded once on the server, pages read fast on the device.

The schema of a page is ``protocol.PullResponse`` (OpenAPI shows it; tests validate against
it). This module is the fast path on both sides of it:

* ``encode_change`` gives the JSON text of one record's ``RecordChange``. The server computes it
  when it writes the record and keeps it beside the record, so a pull page is assembled from
  stored text instead of re-serialising every record for every device.
* ``decode_pull_page`` is the device's reader: ``json.loads`` plus checks in plain Python that
  accept only what ``PullResponse`` accepts (``tests/shared/test_pullwire.py`` holds the two
  together), giving light ``PulledRecord`` tuples instead of pydantic models per record and
  per field — parsing a 1,000-record page through the models cost more than storing it.

The compact record form: every value in ``values``; ``clock`` and ``author`` are those of most
fields (ties go to the higher clock, the greater name, so every instance makes the same
choice); ``clocks`` and ``authors`` list only the fields that differ, and are left out when
empty.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from json.scanner import make_scanner
from typing import Any, NamedTuple

from shared_models.clock import CLOCK_PATTERN
from shared_models.communities import CommunityCode
from shared_models.enums import RecordKind, Role
from shared_models.merge import FieldState, FieldWrite, RecordState

_CLOCK = re.compile(CLOCK_PATTERN)
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_KINDS = frozenset(k.value for k in RecordKind)
_COMMUNITIES = frozenset(c.value for c in CommunityCode)
_ROLES = frozenset(r.value for r in Role)
_CLOCK_MAX = 100
_AUTHOR_MAX = 64
_NAME_MAX = 64
#: Field names already checked (a page repeats a dozen names thousands of times); bounded, so
#: a hostile page cannot grow it without end.
_GOOD_NAMES: set[str] = set()
_GOOD_NAMES_MAX = 4096
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: JSON text as pull pages write it (compact, keys in their order, not ASCII-escaped).
wire_json = _ENCODER.encode


class PageError(ValueError):
    """A pull page that does not match the protocol (cut short, garbled or malformed)."""


class PulledRecord(NamedTuple):
    """One record of a pull page, checked, in the compact form of ``RecordChange``."""

    record_id: str
    kind: str
    community: str
    position: int
    clock: str
    author: str
    values: dict[str, Any]
    clocks: dict[str, str]
    authors: dict[str, str]
    #: The record's exact JSON text in the page, when the page had the server's line layout.
    raw: bytes | None = None
    #: The exact JSON text of ``values`` within ``raw``, when it can be cut out unambiguously.
    raw_values: bytes | None = None

    @property
    def max_clock(self) -> str:
        """The highest clock of any field."""
        return max(self.clock, *self.clocks.values()) if self.clocks else self.clock

    def writes(self) -> dict[str, FieldWrite]:
        """The current write of every field."""
        c, a, cx, ax = self.clock, self.author, self.clocks, self.authors
        return {n: FieldWrite(v, cx.get(n, c), (), ax.get(n, a)) for n, v in self.values.items()}

    def to_state(self) -> RecordState:
        """The record as a merge state (current values only)."""
        return RecordState(self.record_id, self.kind, self.community,
                           {n: FieldState.of(w) for n, w in self.writes().items()})


class PulledPage(NamedTuple):
    """A checked pull page (``PullResponse`` in light form)."""

    changes: list[PulledRecord]
    cursors: dict[str, int]
    more: bool
    purge: list[str]
    server_clock: str
    #: The role the page was served as, and communities to pull again from the start.
    role: str | None = None
    rescan: tuple[str, ...] = ()


def compact_fields(fields: Mapping[str, tuple[Any, str, str]]
                   ) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """``(clock, author, clocks, authors)`` of ``{field: (value, clock, author)}``."""
    if not fields:
        raise ValueError("a record has at least one field")
    rest = iter(fields.values())
    _, clock, author = next(rest)
    if all(c == clock and a == author for _, c, a in rest):
        return clock, author, {}, {}  # one save, one author: the usual record
    clock_count = Counter(c for _, c, _ in fields.values())
    author_count = Counter(a for _, _, a in fields.values())
    clock = max(clock_count.items(), key=lambda kv: (kv[1], kv[0]))[0]
    author = max(author_count.items(), key=lambda kv: (kv[1], kv[0]))[0]
    clocks = {n: c for n, (_, c, _) in fields.items() if c != clock}
    authors = {n: a for n, (_, _, a) in fields.items() if a != author}
    return clock, author, clocks, authors


def change_dict(record_id: str, kind: str, community: str, position: int,
                fields: Mapping[str, tuple[Any, str, str]]) -> dict[str, Any]:
    """The ``RecordChange`` of a record as JSON-ready data (identity, then compact fields)."""
    clock, author, clocks, authors = compact_fields(fields)
    out: dict[str, Any] = {
        "record_id": record_id, "kind": kind, "community": community, "position": position,
        "clock": clock, "author": author,
    }
    if clocks:
        out["clocks"] = clocks
    if authors:
        out["authors"] = authors
    out["values"] = {n: f[0] for n, f in fields.items()}  # last: see ``_values_text``
    return out


def encode_change(record_id: str, kind: str, community: str, position: int,
                  fields: Mapping[str, tuple[Any, str, str]]) -> str:
    """The JSON text of a record's ``RecordChange`` (what a pull page carries for it)."""
    return _ENCODER.encode(change_dict(record_id, kind, community, position, fields))


def encode_page(changes: list[str], cursors: Mapping[str, int], more: bool,
                purge: list[str], server_clock: str, *, role: str | None = None,
                rescan: list[str] | tuple[str, ...] = ()) -> bytes:
    """A ``PullResponse`` body from records already encoded by ``encode_change``.

    One record per line (JSON allows the newlines; its strings cannot hold a raw one), so the
    device can keep each record's exact text without serialising it again. ``role`` is sent
    when given, ``rescan`` only when it names a community.
    """
    rest: dict[str, Any] = {"cursors": dict(cursors), "more": more, "purge": purge,
                            "server_clock": server_clock}
    if role is not None:
        rest["role"] = role
    if rescan:
        rest["rescan"] = list(rescan)
    tail = _ENCODER.encode(rest)
    if not changes:
        return ('{"changes":[],' + tail[1:]).encode()
    return ('{"changes":[\n' + ",\n".join(changes) + "\n]," + tail[1:]).encode()


# --- decoding -------------------------------------------------------------------------------

def _refuse_constant(name: str) -> Any:
    raise PageError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as infinity, which JSON cannot carry
        raise PageError(f"{text[:30]} is out of range")
    return value


#: Built once: ``json.loads`` with an option builds a decoder per call, which showed per record.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite)
# The decoder's own scanner (C): one value at an index, no whitespace handling around it.
_SCAN: Callable[[str, int], tuple[Any, int]] = make_scanner(_DECODER)  # type: ignore[arg-type]


def _one_value(text: bytes) -> Any:
    """The one JSON value ``text`` holds (raises ``ValueError``/``StopIteration`` otherwise)."""
    string = text.decode()
    value, end = _SCAN(string, 0)
    if end != len(string):
        raise ValueError("more than one value on a line")
    return value


def _clock(value: Any, where: str) -> str:
    if type(value) is not str or len(value) > _CLOCK_MAX or _CLOCK.fullmatch(value) is None:
        raise PageError(f"{where}: not a clock")
    return value


def _author(value: Any, where: str) -> str:
    if type(value) is not str or len(value) > _AUTHOR_MAX:
        raise PageError(f"{where}: not a user name")
    return value


def _names(names: Any, where: str) -> None:
    for name in names:
        if name in _GOOD_NAMES:
            continue
        if len(name) > _NAME_MAX or _FIELD_NAME.fullmatch(name) is None:
            raise PageError(f"{where}: {name[:70]!r} is not a field name")
        if len(_GOOD_NAMES) < _GOOD_NAMES_MAX:
            _GOOD_NAMES.add(name)


def _record_id(value: Any) -> str:
    # Only the canonical spelling (what the server sends): other spellings are read
    # differently by different UUID parsers, and a record id must mean one record.
    if type(value) is not str or _UUID.fullmatch(value) is None:
        raise PageError(f"record_id: not a UUID in canonical form: {str(value)[:50]!r}")
    return value


def _sub(data: dict[str, Any], key: str, values: dict[str, Any], where: str) -> dict[str, Any]:
    sub = data.get(key)
    if sub is None and key not in data:
        return {}
    if type(sub) is not dict:
        raise PageError(f"{where}.{key}: not an object")
    _names(sub, f"{where}.{key}")
    if not sub.keys() <= values.keys():
        raise PageError(f"{where}.{key}: names fields without a value")
    return sub


def _change(data: Any, i: int, raw: bytes | None = None) -> PulledRecord:
    where = f"changes[{i}]"
    if type(data) is not dict:
        raise PageError(f"{where}: not an object")
    kind, community, position = data.get("kind"), data.get("community"), data.get("position")
    if type(kind) is not str or kind not in _KINDS:
        raise PageError(f"{where}.kind: unknown kind")
    if type(community) is not str or community not in _COMMUNITIES:
        raise PageError(f"{where}.community: unknown community")
    if type(position) is not int or position < 0:
        raise PageError(f"{where}.position: not a feed position")
    values = data.get("values")
    if type(values) is not dict or not values:
        raise PageError(f"{where}.values: not a non-empty object")
    _names(values, f"{where}.values")
    clocks = _sub(data, "clocks", values, where)
    for name, c in clocks.items():
        _clock(c, f"{where}.clocks.{name}")
    authors = _sub(data, "authors", values, where)
    for name, a in authors.items():
        _author(a, f"{where}.authors.{name}")
    return PulledRecord(
        _record_id(data.get("record_id")), kind, community, position,
        _clock(data.get("clock"), f"{where}.clock"),
        _author(data.get("author", ""), f"{where}.author"), values, clocks, authors, raw,
        _values_text(data, raw))


_VALUES_KEY = b',"values":'


def _values_text(data: dict[str, Any], raw: bytes | None) -> bytes | None:
    """The text of ``values`` in a record's line, when it is certainly that member's.

    ``encode_change`` writes ``values`` last. The key's text can only occur once in the line if
    it occurs at the top level alone (a quote inside a JSON string is escaped), so: not the
    first member, exactly one occurrence, the last key read, and the line ends right after it.
    """
    if (raw is None or raw.startswith(b'{"values":') or not raw.endswith(b"}")
            or next(reversed(data)) != "values" or raw.count(_VALUES_KEY) != 1):
        return None
    return raw[raw.index(_VALUES_KEY) + len(_VALUES_KEY):-1]


def _code(value: Any, where: str) -> str:
    if type(value) is not str or value not in _COMMUNITIES:
        raise PageError(f"{where}: unknown community")
    return value


def _loads(text: bytes) -> Any:
    try:
        return _DECODER.decode(text.decode())
    except PageError:
        raise
    except (ValueError, RecursionError) as exc:
        raise PageError(f"not JSON: {exc}") from None


_HEAD = b'{"changes":[\n'


def _lines(body: bytes) -> tuple[list[tuple[Any, bytes]], Any] | None:
    """Records (parsed, exact text) and the rest of a page in ``encode_page``'s line layout.

    ``None`` when the body is laid out otherwise (it is then read as plain JSON). Only a body
    whose lines are exactly ``{"changes":[``, records separated by ``,`` at line ends, and
    ``],...}`` passes, so what is read per line is what the whole body says.
    """
    if not body.startswith(_HEAD):
        return None
    lines = body.split(b"\n")
    if len(lines) < 3 or not lines[-1].startswith(b"],"):
        return None
    records = lines[1:-1]
    if any(not line.endswith(b",") for line in records[:-1]) or records[-1].endswith(b","):
        return None
    out: list[tuple[Any, bytes]] = []
    try:
        for i, line in enumerate(records):
            text = line if i == len(records) - 1 else line[:-1]
            out.append((_one_value(text), text))
        rest = _one_value(b"{" + lines[-1][2:])
    except (ValueError, RecursionError, StopIteration):
        return None
    if type(rest) is not dict or "changes" in rest:
        return None  # a second "changes" key: read the body as plain JSON instead
    return out, rest


def decode_pull_page(body: bytes | str) -> PulledPage:
    """Parse and check a ``PullResponse`` body; raises ``PageError`` saying what is wrong.

    A body in ``encode_page``'s line layout keeps each record's exact text (``raw``).
    """
    data = body.encode() if isinstance(body, str) else body
    laid_out = _lines(data)
    if laid_out is not None:
        records, rest = laid_out
        changes = [_change(d, i, text) for i, (d, text) in enumerate(records)]
    else:
        rest = _loads(data)
        if type(rest) is not dict:
            raise PageError("a page is a JSON object")
        listed = rest.get("changes")
        if type(listed) is not list:
            raise PageError("changes: not a list")
        changes = [_change(c, i) for i, c in enumerate(listed)]
    cursors, more = rest.get("cursors"), rest.get("more")
    if type(cursors) is not dict:
        raise PageError("cursors: not an object")
    if type(more) is not bool:
        raise PageError("more: not true or false")
    for code, position in cursors.items():
        _code(code, "cursors")
        if type(position) is not int or position < 0:  # the server never sends others
            raise PageError(f"cursors.{code}: not a feed position")
    purge = _codes(rest, "purge")
    server_clock = _clock(rest.get("server_clock"), "server_clock")
    role = rest.get("role")
    if role is not None and (type(role) is not str or role not in _ROLES):
        raise PageError("role: unknown role")
    return PulledPage(changes, cursors, more, purge, server_clock, role,
                      tuple(_codes(rest, "rescan")))


def _codes(rest: dict[str, Any], key: str) -> list[str]:
    """A page's optional list of community codes (``purge``, ``rescan``)."""
    codes = rest.get(key, [])
    if type(codes) is not list:
        raise PageError(f"{key}: not a list")
    for code in codes:
        _code(code, key)
    return list(codes)


def pulled(change: Any) -> PulledRecord:
    """A ``protocol.RecordChange`` (or a ``PulledRecord``) as a ``PulledRecord``."""
    if isinstance(change, PulledRecord):
        return change
    return PulledRecord(str(change.record_id), change.kind.value, change.community.value,
                        change.position, change.clock, change.author, dict(change.values),
                        dict(change.clocks), dict(change.authors), None, None)
