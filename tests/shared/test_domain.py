"""Communities and the services catalogue, checked against docs/domain.md's tables."""

from __future__ import annotations

import pytest

from shared_models.communities import COMMUNITIES, CommunityCode, community
from shared_models.services import SERVICES, search_services, service


def test_eleven_communities_with_unique_katottg_codes() -> None:
    assert len(COMMUNITIES) == 11
    codes = {c.katottg for c in COMMUNITIES.values()}
    assert len(codes) == 11
    assert all(k.startswith("UA18") and len(k) == 19 for k in codes)


def test_community_names_in_both_languages() -> None:
    z = community("zviahelska")
    assert z.name("uk") == "Звягельська громада"
    assert z.name("en") == "Zviahel community"
    assert z.raion_uk == "Звягельський район"
    assert all(c.code.value.isascii() for c in COMMUNITIES.values())


def test_unknown_community_names_the_code() -> None:
    with pytest.raises(KeyError, match="kyivska"):
        community("kyivska")
    assert CommunityCode("malynska") in COMMUNITIES


def test_services_catalogue_codes_and_search() -> None:
    # 010.2 serves прийомні сім'ї, ДБСТ and guardians; the app's "foster families" are patronage.
    assert service("010.2").name_en.startswith("Social support of families raising orphans")
    assert "foster" not in service("010.2").name_en.lower()
    assert service("early-intervention").code == ""
    assert not service("006.0").verified
    assert [s.key for s in search_services("консульт")] == ["002.0"]
    assert [s.key for s in search_services("MEDIATION")] == ["003.0"]
    assert len(search_services("")) == len(SERVICES)
    with pytest.raises(KeyError, match="999"):
        service("999")
