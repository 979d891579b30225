# SPDX-License-Identifier: AGPL-3.0-or-later
"""Password checks on guest links: limits per link and per client address, and restarts.

Each limit gets its own homeserver with a small limit, because every test
client shares the address 127.0.0.1 and would otherwise lock out the others.
"""

import pytest

from tests.conftest import DATABASES, start_homeserver
from tests.harness.hubs_api import GuestApi, create_link, create_meeting, link_token

PASSWORD = "Rätt lösen"


@pytest.fixture(scope="module", params=DATABASES)
def link_limited_homeserver(request, tmp_path_factory):
    server = start_homeserver(
        tmp_path_factory, request.param,
        module_overrides={"guests": {"password_attempts_per_link": 3,
                                     "password_attempts_per_address": 1000}},
    )
    yield server
    server.stop()


@pytest.fixture(scope="module", params=DATABASES)
def address_limited_homeserver(request, tmp_path_factory):
    server = start_homeserver(
        tmp_path_factory, request.param,
        module_overrides={"guests": {"password_attempts_per_link": 1000,
                                     "password_attempts_per_address": 3}},
    )
    yield server
    server.stop()


def new_password_link(server, organiser=None) -> str:
    organiser = organiser or server.register_user()
    room_id = create_meeting(organiser, title="Lösenordsmöte")["room_id"]
    return link_token(create_link(organiser, room_id, password=PASSWORD)["url"])


def test_link_limit(link_limited_homeserver):
    guests = GuestApi(link_limited_homeserver.base_url)
    token = new_password_link(link_limited_homeserver)
    other_token = new_password_link(link_limited_homeserver)

    wrong = [guests.redeem(token, "Greta", password=f"fel {n}") for n in range(3)]
    limited = guests.redeem(token, "Greta", password=PASSWORD)

    assert [answer.status_code for answer in wrong] == [403, 403, 403]
    assert limited.status_code == 403
    assert all(answer.json() == limited.json() for answer in wrong)
    assert limited.json()["errcode"] == "M_FORBIDDEN"
    assert guests.redeem(other_token, "Greta", password=PASSWORD).status_code == 200


def test_password_and_limit_survive_restart(link_limited_homeserver):
    guests = GuestApi(link_limited_homeserver.base_url)
    limited_token = new_password_link(link_limited_homeserver)
    fresh_token = new_password_link(link_limited_homeserver)
    for attempt in range(3):
        guests.redeem(limited_token, "Greta", password=f"fel {attempt}")

    link_limited_homeserver.restart_synapse()

    assert guests.redeem(limited_token, "Greta", password=PASSWORD).status_code == 403
    assert guests.redeem(fresh_token, "Greta", password="fel").status_code == 403
    assert guests.redeem(fresh_token, "Greta", password=PASSWORD).status_code == 200


def test_address_limit(address_limited_homeserver):
    server = address_limited_homeserver
    guests = GuestApi(server.base_url)
    organiser = server.register_user()
    first, second, untouched = (new_password_link(server, organiser) for _ in range(3))

    wrong = [
        guests.redeem(first, "Greta", password="fel 1"),
        guests.redeem(first, "Greta", password="fel 2"),
        guests.redeem(second, "Greta", password="fel 3"),
    ]
    limited = guests.redeem(second, "Greta", password=PASSWORD)
    limited_elsewhere = guests.redeem(untouched, "Greta", password=PASSWORD)

    assert [answer.status_code for answer in wrong] == [403, 403, 403]
    assert limited.status_code == 403
    assert limited_elsewhere.status_code == 403
    assert all(answer.json() == limited.json() for answer in wrong + [limited_elsewhere])


def test_failure_rows_hold_no_address(address_limited_homeserver):
    token = new_password_link(address_limited_homeserver)
    GuestApi(address_limited_homeserver.base_url).redeem(token, "Greta", password="fel")

    rows = address_limited_homeserver.query("SELECT scope FROM hubs_guest_password_failures")

    assert rows
    assert all("127.0.0.1" not in scope for (scope,) in rows)
    assert any(scope.startswith("address:") for (scope,) in rows)
