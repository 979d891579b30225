# SPDX-License-Identifier: AGPL-3.0-or-later
"""Chat across servers: partners meet, a non-partner is kept out at every door."""

import time

import pytest

from tests.harness.federation import FederationRig
from tests.harness.homeserver import Homeserver
from tests.harness.hubs_api import create_meeting
from tests.harness.matrix_client import MatrixClient, MatrixError

pytestmark = pytest.mark.timeout(180)


def wait_for(condition, timeout_s: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def partner_refusals(server: Homeserver, user_id: str) -> list[str]:
    """The lines in which the server's partner policy refused or dropped something of user_id."""
    return [line for line in server.synapse_log().splitlines()
            if "partner_policy" in line and user_id in line and "not a partner" in line]


def invited_rooms(client: MatrixClient) -> set[str]:
    return set(client.request("GET", "/_matrix/client/v3/sync",
                              params={"timeout": 0})["rooms"].get("invite", {}))


def test_partner_user_joins_meeting_and_chats_both_ways(rig: FederationRig) -> None:
    anna = rig["a"].register_user()
    bertil = rig["b"].register_user()
    room_id = create_meeting(anna, access="private")["room_id"]

    anna.invite(room_id, bertil.user_id)
    wait_for(lambda: room_id in invited_rooms(bertil), what="the invite to reach B")
    bertil.request("POST", f"/_matrix/client/v3/join/{room_id}", json={},
                   params={"server_name": rig.server_names["a"]})
    wait_for(lambda: anna.membership(room_id, bertil.user_id) == "join",
             what="B's join to reach A")

    anna.send_message(room_id, "Hej från A")
    bertil.send_message(room_id, "Hej från B")
    for client in (anna, bertil):
        for text in ("Hej från A", "Hej från B"):
            client.wait_for_message(room_id, lambda event, t=text: event["content"].get("body") == t,
                                    timeout_s=20)


def test_non_partner_is_refused_at_invite_join_and_knock(rig: FederationRig) -> None:
    anna = rig["a"].register_user()
    cecilia = rig["c"].register_user()
    public_room = create_meeting(anna, access="public")["room_id"]

    # Our user cannot invite the stranger.
    with pytest.raises(MatrixError) as refused:
        anna.invite(public_room, cecilia.user_id)
    assert refused.value.status == 403
    assert "not a partner" in refused.value.body["error"]

    # The stranger cannot invite our user into a room on C.
    c_room = cecilia.create_room(preset="private_chat")
    with pytest.raises(MatrixError) as refused:
        cecilia.invite(c_room, anna.user_id)
    # C's server passes on A's refusal, but not always A's words: A's log says why.
    assert refused.value.status == 403
    assert any(c_room in line for line in partner_refusals(rig["a"], cecilia.user_id))

    # Nor join or knock on A's meeting.
    for action in ("join", "knock"):
        with pytest.raises(MatrixError) as refused:
            cecilia.request("POST", f"/_matrix/client/v3/{action}/{public_room}", json={},
                            params={"server_name": rig.server_names["a"]})
        assert refused.value.status == 403, (action, refused.value.body)
        assert any(f"Refused {action} by in {public_room}" in line
                   for line in partner_refusals(rig["a"], cecilia.user_id)), action

    assert public_room not in invited_rooms(anna)
    assert c_room not in invited_rooms(anna)
    assert anna.membership(public_room, cecilia.user_id) is None
    # A's database holds nothing C's user sent.
    assert rig["a"].query("SELECT COUNT(*) FROM events WHERE sender = ?",
                          (cecilia.user_id,)) == [(0,)]
