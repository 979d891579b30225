# SPDX-License-Identifier: AGPL-3.0-or-later
"""Chat across servers: partners meet, a non-partner is kept out at every door."""

import pytest

from tests.harness.federation import FederationRig
from tests.harness.federated_rooms import (
    invite_and_join,
    invited_rooms,
    join_via,
    partner_refusals,
)
from tests.harness.hubs_api import create_meeting
from tests.harness.matrix_client import MatrixError

pytestmark = pytest.mark.timeout(180)


def test_partner_user_joins_meeting_and_chats_both_ways(rig: FederationRig) -> None:
    anna = rig["a"].register_user()
    bertil = rig["b"].register_user()
    room_id = create_meeting(anna, access="private")["room_id"]

    invite_and_join(rig, anna, "a", room_id, bertil)

    anna.send_message(room_id, "Hej från A")
    bertil.send_message(room_id, "Hej från B")
    for client in (anna, bertil):
        for text in ("Hej från A", "Hej från B"):
            client.wait_for_message(
                room_id, lambda event, t=text: event["content"].get("body") == t, timeout_s=20)


def test_non_partner_refused_everywhere(rig: FederationRig) -> None:
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
    # C's server passes on A's 403 but not always A's message, so A's log is checked.
    assert refused.value.status == 403
    assert any(c_room in line for line in partner_refusals(rig["a"], cecilia.user_id))

    # Nor join or knock on A's meeting.
    for action in ("join", "knock"):
        with pytest.raises(MatrixError) as refused:
            cecilia.request("POST", f"/_matrix/client/v3/{action}/{public_room}", json={},
                            params={"server_name": rig.server_names["a"]})
        assert refused.value.status == 403, (action, refused.value.body)
        assert any(f"Refused {action} in {public_room}" in line
                   for line in partner_refusals(rig["a"], cecilia.user_id)), action

    assert public_room not in invited_rooms(anna)
    assert c_room not in invited_rooms(anna)
    assert anna.membership(public_room, cecilia.user_id) is None
    # A's database contains no event that C's user sent.
    assert rig["a"].query("SELECT COUNT(*) FROM events WHERE sender = ?",
                          (cecilia.user_id,)) == [(0,)]


def test_our_user_cannot_join_non_partner_room(rig: FederationRig) -> None:
    anna = rig["a"].register_user()
    cecilia = rig["c"].register_user()
    # Before room version 12 the room ID names C, so A can tell whose room it is.
    c_room = cecilia.create_room(preset="public_chat", room_version="11")
    assert c_room.endswith(":" + rig.server_names["c"])

    with pytest.raises(MatrixError) as refused:
        join_via(anna, c_room, rig.server_names["c"])

    assert refused.value.status == 403
    assert "not a partner" in refused.value.body["error"]
    assert cecilia.membership(c_room, anna.user_id) is None
