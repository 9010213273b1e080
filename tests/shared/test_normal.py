"""``normal.normal_json``'s cheap checks give pydantic's own JSON form, or say it differs.

For values a model accepted, ``normal_json`` must answer ``None`` exactly when every value is
``model_dump(mode="json")``'s, and that dump otherwise: its shortcuts for ids, moments and
lists must never take a value in another form for the normal one (an upper-case id, a
moment at "+00:00" or with an offset in seconds, a boolean sent as 1).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared_models.normal import field_json, normal_json
from shared_models.records import Family, Visit

NOW = datetime.now(UTC)
zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5,
                                                                              minutes=-30)),
                         timezone(timedelta(0))])
moments = st.builds(lambda ago, tz: (NOW - timedelta(seconds=ago)).astimezone(tz),
                    st.integers(60, 10**8), zones)


def _moment_texts(moment: datetime) -> list[Any]:
    iso = moment.isoformat()
    return [iso, iso.replace("+00:00", "Z"), iso.replace("T", " "), int(moment.timestamp())]


def _id_texts(value: uuid.UUID) -> list[Any]:
    return [str(value), str(value).upper(), value.hex, f"{{{value}}}"]


@given(family_id=st.uuids(), present=st.lists(st.uuids(), max_size=3), at=moments,
       pick=st.integers(0, 3), services=st.sampled_from([[], ["002.0"], ["002.0", "010.2"]]),
       risk=st.sampled_from(["low", "high"]), deleted=st.sampled_from([False, True, 1, 0,
                                                                       "yes", "false"]))
@settings(max_examples=400, deadline=None, database=None)
def test_normal_json_is_pydantics_json_form(*, family_id: uuid.UUID, present: list[uuid.UUID],
                                            at: datetime, pick: int, services: list[str],
                                            risk: str, deleted: Any) -> None:
    values = {
        "family_id": _id_texts(family_id)[pick], "visited_at": _moment_texts(at)[pick],
        "present": [_id_texts(p)[pick] for p in present], "services": services,
        "risk_level": risk, "author": "olena", "deleted": deleted}
    model = Visit.model_validate({**values, "community": "zhytomyrska"})
    dumped = {k: v for k, v in model.model_dump(mode="json").items() if k in values}
    same = json.dumps(dumped, sort_keys=True) == json.dumps(values, sort_keys=True)
    got = normal_json(model, values)
    assert got == (None if same else dumped)
    # Each value alone, as an update's write is checked: the same normal form.
    for name, value in values.items():
        assert field_json("visit", name, value) == dumped[name]


def test_field_json_refuses_what_the_field_refuses() -> None:
    for name, value in [("displaced", "maybe"), ("phone", "12"), ("next_visit_date",
                                                                  "9999-12-31"),
                        ("assigned_worker", "a\x00"), ("family_name", "")]:
        try:
            field_json("family", name, value)
        except ValidationError:
            continue
        raise AssertionError(f"{name}={value!r} accepted")
    assert field_json("family", "family_name", "  Коваленко ") == "Коваленко"
    model = Family(community="zhytomyrska", family_name="Коваленко", settlement="Житомир")
    assert normal_json(model, {"family_name": "Коваленко", "settlement": "Житомир"}) is None
