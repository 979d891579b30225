# SPDX-License-Identifier: AGPL-3.0-or-later
"""Meetings API: creating public and private meetings, reading them, input validation."""

import pytest

from tests.harness.hubs_api import create_meeting, get_meeting
from tests.harness.matrix_client import MatrixError


def service_user(homeserver) -> str:
    return f"@hubs:{homeserver.server_name}"


def test_public_meeting_response(homeserver):
    organiser = homeserver.register_user()

    body = create_meeting(organiser, title="Samråd om detaljplan", access="public")

    assert body["room_id"].startswith("!")
    assert body["title"] == "Samråd om detaljplan"
    assert body["access"] == "public"
    assert body["e2ee"] is False
    assert body["meeting_url"] == (
        f"{homeserver.base_url}/_synapse/client/hubs/meet/{body['room_id']}"
        f"?via={homeserver.server_name}"
    )


def test_eid_policy_set_at_creation(homeserver):
    organiser = homeserver.register_user()

    body = create_meeting(organiser, eid_policy={"required_for": "everyone"})

    expected = {"required_for": "everyone", "methods": ["bankid"], "min_loa": "loa3"}
    assert body["eid"] == expected
    assert organiser.state_event(body["room_id"], "se.hubs.eid_policy") == expected


def test_meeting_without_eid_follows_server_default(homeserver):
    organiser = homeserver.register_user()

    body = create_meeting(organiser, eid_policy=None)

    assert body["eid"] == {"required_for": "external", "methods": ["bankid"], "min_loa": "loa3"}
    state_types = {event["type"] for event in organiser.state(body["room_id"])}
    assert "se.hubs.eid_policy" not in state_types


def test_public_meeting_state(homeserver):
    organiser = homeserver.register_user()

    room_id = create_meeting(organiser, title="Öppet möte", access="public")["room_id"]

    meeting = organiser.state_event(room_id, "se.hubs.meeting")
    assert meeting["title"] == "Öppet möte"
    assert meeting["access"] == "public"
    assert meeting["owner"] == organiser.user_id
    assert meeting["e2ee"] is False
    assert isinstance(meeting["created_ts"], int)
    assert organiser.state_event(room_id, "m.room.join_rules")["join_rule"] == "invite"
    assert organiser.state_event(room_id, "m.room.guest_access")["guest_access"] == "forbidden"
    assert (organiser.state_event(room_id, "m.room.history_visibility")["history_visibility"]
            == "joined")
    state_types = {event["type"] for event in organiser.state(room_id)}
    assert "m.room.encryption" not in state_types


def test_meeting_power_levels(homeserver):
    organiser = homeserver.register_user()

    room_id = create_meeting(organiser)["room_id"]

    power_levels = organiser.state_event(room_id, "m.room.power_levels")
    assert power_levels["users"] == {service_user(homeserver): 100}
    assert power_levels["events"]["se.hubs.meeting"] == 100
    assert power_levels["events"]["m.room.join_rules"] == 100
    assert power_levels["events"]["org.matrix.msc3401.call.member"] == 0
    assert power_levels["state_default"] == 50
    assert power_levels["users_default"] == 0


def test_service_account_joined(homeserver):
    organiser = homeserver.register_user()

    room_id = create_meeting(organiser)["room_id"]

    assert organiser.membership(room_id, service_user(homeserver)) == "join"


def test_member_cannot_change_meeting_policy(homeserver):
    organiser = homeserver.register_user()
    member = homeserver.register_user()
    room_id = create_meeting(organiser, title="Skyddad policy")["room_id"]
    organiser.invite(room_id, member.user_id)
    member.join(room_id)

    with pytest.raises(MatrixError) as refused:
        member.put_state(room_id, "se.hubs.meeting", "",
                         {"title": "Kapad", "access": "public", "owner": member.user_id,
                          "created_ts": 0, "e2ee": False})

    assert refused.value.status == 403
    assert organiser.state_event(room_id, "se.hubs.meeting")["title"] == "Skyddad policy"


def test_private_meeting_encrypted_by_default(homeserver):
    organiser = homeserver.register_user()

    body = create_meeting(organiser, title="Personalärende", access="private")

    room_id = body["room_id"]
    assert body["e2ee"] is True
    assert organiser.state_event(room_id, "se.hubs.meeting")["e2ee"] is True
    encryption = organiser.state_event(room_id, "m.room.encryption")
    assert encryption["algorithm"] == "m.megolm.v1.aes-sha2"
    assert organiser.state_event(room_id, "m.room.join_rules")["join_rule"] == "invite"
    assert organiser.membership(room_id, service_user(homeserver)) == "join"


def test_private_meeting_without_e2ee(homeserver):
    organiser = homeserver.register_user()

    body = create_meeting(organiser, access="private", e2ee=False)

    assert body["e2ee"] is False
    state_types = {event["type"] for event in organiser.state(body["room_id"])}
    assert "m.room.encryption" not in state_types


def test_get_meeting_for_owner(homeserver):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Läsbart möte")["room_id"]

    body = get_meeting(organiser, room_id)

    assert body == {
        "room_id": room_id,
        "title": "Läsbart möte",
        "access": "public",
        "e2ee": False,
        "lobby": False,
        "owner": organiser.user_id,
        "is_moderator": True,
    }


def test_get_meeting_for_plain_member(homeserver):
    organiser = homeserver.register_user()
    member = homeserver.register_user()
    room_id = create_meeting(organiser)["room_id"]
    organiser.invite(room_id, member.user_id)
    member.join(room_id)

    body = get_meeting(member, room_id)

    assert body["is_moderator"] is False
    assert body["owner"] == organiser.user_id


def test_get_meeting_refuses_non_member(homeserver):
    organiser = homeserver.register_user()
    outsider = homeserver.register_user()
    room_id = create_meeting(organiser)["room_id"]

    body = get_meeting(outsider, room_id, expect=403)

    assert body["errcode"] == "M_FORBIDDEN"


def test_get_meeting_refuses_invited_user(homeserver):
    organiser = homeserver.register_user()
    invitee = homeserver.register_user()
    room_id = create_meeting(organiser)["room_id"]
    organiser.invite(room_id, invitee.user_id)

    body = get_meeting(invitee, room_id, expect=403)

    assert body["errcode"] == "M_FORBIDDEN"


def test_get_meeting_of_plain_room(homeserver):
    user = homeserver.register_user()
    room_id = user.create_room(name="Vanligt rum")

    body = get_meeting(user, room_id, expect=404)

    assert body["errcode"] == "M_NOT_FOUND"


def test_create_meeting_needs_access_token(homeserver):
    anonymous = homeserver.client()

    body = create_meeting(anonymous, expect=401)

    assert body["errcode"] == "M_MISSING_TOKEN"


@pytest.mark.parametrize("body, errcode", [
    ({"access": "public"}, "M_MISSING_PARAM"),
    ({"title": "Möte"}, "M_MISSING_PARAM"),
    ({"title": "", "access": "public"}, "M_INVALID_PARAM"),
    ({"title": " \u200b\u202e ", "access": "public"}, "M_INVALID_PARAM"),
    ({"title": "x" * 201, "access": "public"}, "M_INVALID_PARAM"),
    ({"title": 42, "access": "public"}, "M_BAD_JSON"),
    ({"title": "Möte", "access": "secret"}, "M_INVALID_PARAM"),
    ({"title": "Möte", "access": "public", "e2ee": "yes"}, "M_BAD_JSON"),
    ({"title": "Möte", "access": "public", "eid": "yes"}, "M_INVALID_PARAM"),
    ({"title": "Möte", "access": "public", "eid": {"required_for": "guests"}}, "M_INVALID_PARAM"),
    ({"title": "Möte", "access": "public", "eid": {"methods": ["passport"]}}, "M_INVALID_PARAM"),
])
def test_create_meeting_validation(homeserver, body, errcode):
    organiser = homeserver.register_user()

    answer = organiser.request("POST", "/_synapse/client/hubs/v1/meetings", json=body,
                               expect=400)

    assert answer["errcode"] == errcode
    assert answer["error"]


def test_create_meeting_malformed_json(homeserver):
    organiser = homeserver.register_user()

    answer = organiser.request("POST", "/_synapse/client/hubs/v1/meetings",
                               data=b"{not json", headers={"Content-Type": "application/json"},
                               expect=400)

    assert answer["errcode"] == "M_NOT_JSON"


def test_title_cleaned_of_control_characters(homeserver):
    organiser = homeserver.register_user()

    body = create_meeting(organiser, title="  Budget\u202e möte\u200b\n2026 ")

    assert body["title"] == "Budget möte 2026"
