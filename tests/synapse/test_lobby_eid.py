# SPDX-License-Identifier: AGPL-3.0-or-later
"""Lobby and e-ID together: a guest verifies with e-ID first and only then knocks."""

from tests.harness.hubs_api import (
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    link_token,
    lobby_decide,
    lobby_waiting,
)
from tests.harness.matrix_client import MatrixError, quote
from tests.synapse.test_guest_eid import verify_with_test_provider


def test_eid_before_knock(homeserver):
    organiser = homeserver.register_user()
    # The test server's default policy requires BankID from guests.
    room_id = create_meeting(organiser, title="Samråd", eid_policy=None, lobby=True)["room_id"]
    token = link_token(create_link(organiser, room_id)["url"])
    guests = GuestApi(homeserver.base_url)

    body = guests.redeem(token, "Greta").json()

    assert body["joined"] is False
    assert "eid_url" in body
    assert "waiting" not in body
    assert organiser.membership(room_id, body["user_id"]) is None
    assert lobby_waiting(organiser, room_id)["waiting"] == []
    guest = guest_client(homeserver.base_url, body)
    try:
        guest.request("POST", f"/_matrix/client/v3/knock/{quote(room_id)}", json={})
    except MatrixError as refused:
        assert refused.status == 403
        assert refused.errcode == "SE_HUBS_EID_REQUIRED"
    else:
        raise AssertionError("an unverified guest could knock")

    verify_with_test_provider(homeserver, guest, room_id)
    back = guests.come_back(token, body["return_token"]).json()

    assert back["joined"] is False
    assert back["waiting"] is True
    assert organiser.membership(room_id, body["user_id"]) == "knock"
    [waiting] = lobby_waiting(organiser, room_id)["waiting"]
    assert waiting["user_id"] == body["user_id"]
    assert waiting["verification"] == {"method": "bankid", "loa": "loa3",
                                       "verified_name": "Tolvan Tolvansson"}
    lobby_decide(organiser, room_id, "admit", body["user_id"])
    assert organiser.membership(room_id, body["user_id"]) == "join"
