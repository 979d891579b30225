# SPDX-License-Identifier: AGPL-3.0-or-later
"""SFU webhooks: a participant that left without a word loses its call membership."""

import base64
import hashlib
import json
import time

import jwt
import pytest
import requests

from tests.harness.hubs_api import (
    RTC_PREFIX,
    create_meeting,
    request_get_token,
    request_sfu_get,
)

CALL_MEMBER = "org.matrix.msc3401.call.member"


def membership_content(client) -> dict:
    return {
        "application": "m.call",
        "call_id": "",
        "scope": "m.room",
        "device_id": client.device_id,
        "membershipID": f"{client.user_id}:{client.device_id}",
        "expires": 14_400_000,
        "focus_active": {"type": "livekit", "focus_selection": "multi_sfu"},
        "foci_preferred": [],
        "created_ts": int(time.time() * 1000),
    }


def state_key(client) -> str:
    return f"_{client.user_id}_{client.device_id}_m.call"


def post_webhook(homeserver, event: dict, secret: str | None = None,
                 issuer: str | None = None, signed_body: bytes | None = None):
    body = json.dumps(event).encode()
    digest = base64.b64encode(hashlib.sha256(signed_body or body).digest()).decode()
    token = jwt.encode(
        {"iss": issuer or homeserver.secrets.sfu_api_key, "sha256": digest,
         "exp": int(time.time()) + 300},
        secret or homeserver.secrets.sfu_api_secret,
        algorithm="HS256",
    )
    return requests.post(f"{homeserver.base_url}{RTC_PREFIX}/sfu_webhook", data=body,
                         headers={"Authorization": token,
                                  "Content-Type": "application/webhook+json"},
                         timeout=30)


def left_event(room_name: str, identity: str, created_at: int | None = None) -> dict:
    return {
        "event": "participant_left",
        "room": {"name": room_name},
        "participant": {"identity": identity, "sid": "PA_test"},
        "id": "EV_test",
        "createdAt": str(created_at if created_at is not None else int(time.time()) + 1),
    }


@pytest.fixture
def caller(homeserver):
    """A meeting member in a call: membership published and an SFU token fetched."""
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Samtal")["room_id"]
    organiser.put_state(room_id, CALL_MEMBER, state_key(organiser), membership_content(organiser))
    jwt_token = request_sfu_get(homeserver.base_url, {
        "room": room_id, "openid_token": organiser.openid_token(),
        "device_id": organiser.device_id,
    }).json()["jwt"]
    claims = jwt.decode(jwt_token, options={"verify_signature": False})
    return organiser, room_id, claims["video"]["room"], claims["sub"]


def test_participant_left_ends_membership(homeserver, caller):
    client, room_id, room_name, identity = caller

    answer = post_webhook(homeserver, left_event(room_name, identity))

    assert answer.status_code == 200
    assert client.state_event(room_id, CALL_MEMBER, state_key(client)) == {}


def test_hashed_identity_resolved(homeserver):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser)["room_id"]
    organiser.put_state(room_id, CALL_MEMBER, state_key(organiser), membership_content(organiser))
    token = request_get_token(homeserver.base_url, {
        "room_id": room_id, "slot_id": "m.call#ROOM", "openid_token": organiser.openid_token(),
        "member": {"id": "m-1", "claimed_user_id": organiser.user_id,
                   "claimed_device_id": organiser.device_id},
    }).json()["jwt"]
    claims = jwt.decode(token, options={"verify_signature": False})

    post_webhook(homeserver, left_event(claims["video"]["room"], claims["sub"]))

    assert organiser.state_event(room_id, CALL_MEMBER, state_key(organiser)) == {}


def test_rejoin_creates_one_membership(homeserver, caller):
    client, room_id, room_name, identity = caller
    post_webhook(homeserver, left_event(room_name, identity))

    client.put_state(room_id, CALL_MEMBER, state_key(client), membership_content(client))

    active = [event for event in client.state(room_id)
              if event["type"] == CALL_MEMBER and event["content"]]
    assert len(active) == 1
    assert active[0]["state_key"] == state_key(client)


def test_reconnect_keeps_membership(homeserver, caller):
    client, room_id, room_name, identity = caller
    event = left_event(room_name, identity)
    event["participant"]["disconnectReason"] = "DUPLICATE_IDENTITY"

    answer = post_webhook(homeserver, event)

    assert answer.status_code == 200
    assert client.state_event(room_id, CALL_MEMBER, state_key(client))["device_id"] == \
        client.device_id


def test_membership_newer_than_leave_kept(homeserver, caller):
    client, room_id, room_name, identity = caller

    post_webhook(homeserver, left_event(room_name, identity, created_at=int(time.time()) - 60))

    assert client.state_event(room_id, CALL_MEMBER, state_key(client))["device_id"] == \
        client.device_id


@pytest.mark.parametrize("tamper", ["secret", "issuer", "body"])
def test_bad_signature_rejected(homeserver, caller, tamper):
    client, room_id, room_name, identity = caller
    event = left_event(room_name, identity)

    if tamper == "secret":
        answer = post_webhook(homeserver, event, secret="x" * 43)
    elif tamper == "issuer":
        answer = post_webhook(homeserver, event, issuer="someone-else")
    else:
        answer = post_webhook(homeserver, event, signed_body=b"{}")

    assert answer.status_code == 401
    assert answer.json()["errcode"] == "M_UNAUTHORIZED"
    assert client.state_event(room_id, CALL_MEMBER, state_key(client))["device_id"] == \
        client.device_id


def test_unsigned_webhook_rejected(homeserver, caller):
    client, room_id, room_name, identity = caller

    answer = requests.post(f"{homeserver.base_url}{RTC_PREFIX}/sfu_webhook",
                           json=left_event(room_name, identity), timeout=30)

    assert answer.status_code == 401
    assert client.state_event(room_id, CALL_MEMBER, state_key(client))["device_id"] == \
        client.device_id


def test_unknown_participant_ignored(homeserver):
    answer = post_webhook(homeserver, left_event("unknown-room", "unknown-identity"))

    assert answer.status_code == 200


def test_other_events_ignored(homeserver, caller):
    client, room_id, room_name, identity = caller

    answer = post_webhook(homeserver, {"event": "participant_joined", "room": {"name": room_name},
                                       "participant": {"identity": identity}})

    assert answer.status_code == 200
    assert client.state_event(room_id, CALL_MEMBER, state_key(client))["device_id"] == \
        client.device_id
