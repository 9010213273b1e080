"""Refused changes against a real server: held with their corrections, sent again as one
change once the cause is gone; signing out tells the server when it can be reached."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from field_app.services.sync_overview import retry_refused, sync_overview
from field_app.sync import NeedsLogin
from field_app.sync.client import TOKEN_SECRET
from shared_models.communities import CommunityCode
from shared_models.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from shared_models.records import Family, Visit
from sync_server.accounts import set_communities, user_id_of
from sync_server.db import write_tx
from tests.sync.conftest import Device
from tests.sync.records import family, visit
from tools.live_server import LiveServer


def test_a_refused_family_is_corrected_and_sent_again(
        server: LiveServer, make_device: Callable[..., Device]) -> None:
    olena, sync = make_device("olena")
    taras, taras_sync = make_device("taras")
    theirs = family(community="pulynska", family_name="Мельник", settlement="Пулини")
    olena.save(theirs)                          # Olena is not (yet) in Pulyny
    report = sync.sync()
    assert report.rejected == 1
    [refused] = sync_overview(olena, username="olena", role="social_worker").refused
    assert refused.code == "forbidden" and refused.reason.key == "sync.refused.forbidden"
    assert refused.record.name == "Мельник, Пулини"
    # She corrects the record while it waits: the correction waits with it.
    olena.save(olena.get(Family, theirs.id).model_copy(update={"address": "вул. Миру, 2"}))
    again = sync.sync()
    assert (again.pushed, again.rejected) == (0, 0)
    assert olena.pending_count() == 2
    # The coordinator gives her Pulyny; she sends the change again.
    with write_tx(server.engine) as conn:
        set_communities(conn, user_id=user_id_of(conn, "olena"),
                        communities=[CommunityCode("malynska"), CommunityCode("pulynska")])
    assert retry_refused(olena, str(theirs.id)) is not None
    done = sync.sync()
    assert (done.pushed, done.rejected) == (1, 0)
    assert olena.pending_count() == 0
    assert sync_overview(olena, username="olena", role="social_worker").refused == []
    taras_sync.sync()
    got = taras.get(Family, theirs.id)
    assert got is not None and (got.family_name, got.address) == ("Мельник", "вул. Миру, 2")


def test_a_visit_whose_family_the_server_lacks_is_held_until_the_family_arrives(
        server: LiveServer, make_device: Callable[..., Device]) -> None:
    olena, sync = make_device("olena")
    petro, petro_sync = make_device("petro")
    fam = family(family_name="Бондар")
    v = visit(fam.id, "olena", next_steps="Огляд педіатра")
    olena.save(v)                               # the family itself is not on the server
    report = sync.sync()
    assert (report.pushed, report.rejected) == (0, 1)
    [refused] = sync_overview(olena, username="olena", role="social_worker").refused
    assert refused.code == "reference_missing"
    assert refused.reason.key == "sync.refused.reference"
    assert refused.reason.params == {"field_key": "conflicts.field.visit.family_id"}
    petro_sync.sync()
    assert petro.get(Visit, v.id) is None       # nobody received a visit without its family
    # The family reaches the server; the held visit is sent again and accepted, text intact.
    olena.save(fam)
    assert sync.sync().pushed == 1
    assert retry_refused(olena, str(v.id)) is not None
    done = sync.sync()
    assert (done.pushed, done.rejected) == (1, 0)
    petro_sync.sync()
    got = petro.get(Visit, v.id)
    assert got is not None and got.next_steps == "Огляд педіатра"


def test_logout_says_whether_the_server_was_told(server: LiveServer,
                                                 make_device: Callable[..., Device]) -> None:
    olena, sync = make_device("olena")
    token = olena.get_secret(TOKEN_SECRET)
    assert token is not None
    me = {"Authorization": f"Bearer {token.decode()}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    assert httpx.get(f"{server.base_url}/api/v1/me", headers=me).status_code == 200
    assert sync.logout() is True
    answer = httpx.get(f"{server.base_url}/api/v1/me", headers=me)   # the server forgot it
    assert answer.status_code == 401 and answer.json()["code"] == "device_revoked"
    with pytest.raises(NeedsLogin):
        sync.sync()
    _petro, petro_sync = make_device("petro")
    server.stop()
    assert petro_sync.logout() is False           # offline: only the local token is gone
    server.start()
