# SPDX-License-Identifier: AGPL-3.0-or-later
"""SFU token service: lk-jwt-service compatible responses and every rejection."""

import base64
import hashlib
import secrets

import jwt
import pytest
import requests

from tests.harness.hubs_api import (
    RTC_PREFIX,
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    link_token,
    request_get_token,
    request_sfu_get,
    revoke_link,
)


def expected_room_name(room_id: str) -> str:
    """lk-jwt-service's rule, written out by hand: SHA-256 of '["<room>","m.call#ROOM"]'."""
    digest = hashlib.sha256(f'["{room_id}","m.call#ROOM"]'.encode()).digest()
    return base64.b64encode(digest).decode().rstrip("=")


def expected_hashed_identity(user_id: str, device_id: str, member_id: str) -> str:
    digest = hashlib.sha256(f'["{user_id}","{device_id}","{member_id}"]'.encode()).digest()
    return base64.b64encode(digest).decode().rstrip("=")


def decode(homeserver, token: str) -> dict:
    return jwt.decode(token, homeserver.secrets.sfu_api_secret, algorithms=["HS256"],
                      issuer=homeserver.secrets.sfu_api_key)


def sfu_get_body(client, room_id: str) -> dict:
    return {"room": room_id, "openid_token": client.openid_token(),
            "device_id": client.device_id}


def get_token_body(client, room_id: str, member_id: str = "member-1") -> dict:
    return {
        "room_id": room_id,
        "slot_id": "m.call#ROOM",
        "openid_token": client.openid_token(),
        "member": {"id": member_id, "claimed_user_id": client.user_id,
                   "claimed_device_id": client.device_id},
    }


@pytest.fixture
def meeting(homeserver):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Samtal")["room_id"]
    return organiser, room_id


def test_sfu_get_issues_livekit_jwt(homeserver, meeting):
    organiser, room_id = meeting

    answer = request_sfu_get(homeserver.base_url, sfu_get_body(organiser, room_id))

    assert answer.status_code == 200
    body = answer.json()
    assert body["url"] == homeserver.deployment.sfu_ws_url
    claims = decode(homeserver, body["jwt"])
    assert claims["iss"] == homeserver.secrets.sfu_api_key
    assert claims["sub"] == f"{organiser.user_id}:{organiser.device_id}"
    assert claims["exp"] - claims["nbf"] == 3600
    assert claims["name"]
    assert claims["video"] == {
        "room": expected_room_name(room_id),
        "roomJoin": True,
        "roomCreate": False,
        "canPublish": True,
        "canSubscribe": True,
        "canPublishData": True,
        "canUpdateOwnMetadata": True,
        "canPublishSources": ["camera", "microphone", "screen_share", "screen_share_audio"],
    }


def test_get_token_issues_hashed_identity(homeserver, meeting):
    organiser, room_id = meeting

    answer = request_get_token(homeserver.base_url,
                               get_token_body(organiser, room_id, member_id="a1b2c3"))

    assert answer.status_code == 200
    claims = decode(homeserver, answer.json()["jwt"])
    assert claims["sub"] == expected_hashed_identity(organiser.user_id, organiser.device_id,
                                                     "a1b2c3")
    assert claims["video"]["room"] == expected_room_name(room_id)
    assert claims["video"]["canPublish"] is True


def test_token_records_identity(homeserver, meeting):
    organiser, room_id = meeting

    request_get_token(homeserver.base_url, get_token_body(organiser, room_id, member_id="rec-1"))

    identity = expected_hashed_identity(organiser.user_id, organiser.device_id, "rec-1")
    rows = homeserver.query(
        "SELECT r.room_id, p.user_id, p.device_id FROM hubs_rtc_participants p"
        " JOIN hubs_rtc_rooms r ON r.livekit_room = p.livekit_room WHERE p.identity = ?",
        (identity,),
    )
    assert rows == [(room_id, organiser.user_id, organiser.device_id)]


def test_guest_gets_token_with_name(homeserver, meeting):
    organiser, room_id = meeting
    token = link_token(create_link(organiser, room_id)["url"])
    guest = guest_client(homeserver.base_url, GuestApi(homeserver.base_url).redeem(
        token, "Greta Gäst").json())

    answer = request_sfu_get(homeserver.base_url, sfu_get_body(guest, room_id))

    assert answer.status_code == 200
    claims = decode(homeserver, answer.json()["jwt"])
    assert claims["name"] == "Greta Gäst"
    assert claims["sub"] == f"{guest.user_id}:{guest.device_id}"
    assert claims["video"]["canPublish"] is True


def test_token_for_plain_room_member(homeserver):
    user = homeserver.register_user()
    room_id = user.create_room(name="Vanligt rum")

    answer = request_sfu_get(homeserver.base_url, sfu_get_body(user, room_id))

    assert answer.status_code == 200
    assert decode(homeserver, answer.json()["jwt"])["video"]["room"] == expected_room_name(room_id)


def test_non_member_refused(homeserver, meeting):
    _, room_id = meeting
    outsider = homeserver.register_user()

    for answer in (request_sfu_get(homeserver.base_url, sfu_get_body(outsider, room_id)),
                   request_get_token(homeserver.base_url, get_token_body(outsider, room_id))):
        assert answer.status_code == 403
        assert answer.json()["errcode"] == "M_FORBIDDEN"


def test_invited_user_refused(homeserver, meeting):
    organiser, room_id = meeting
    invitee = homeserver.register_user()
    organiser.invite(room_id, invitee.user_id)

    answer = request_sfu_get(homeserver.base_url, sfu_get_body(invitee, room_id))

    assert answer.status_code == 403


def test_revoked_link_guest_refused(homeserver, meeting):
    organiser, room_id = meeting
    link = create_link(organiser, room_id)
    guest = guest_client(homeserver.base_url, GuestApi(homeserver.base_url).redeem(
        link_token(link["url"]), "Greta").json())
    body = sfu_get_body(guest, room_id)
    revoke_link(organiser, room_id, link["link_id"])

    answer = request_sfu_get(homeserver.base_url, body)

    assert answer.status_code == 403
    assert answer.json()["errcode"] == "M_FORBIDDEN"


def test_forged_openid_token_refused(homeserver, meeting):
    organiser, room_id = meeting
    body = sfu_get_body(organiser, room_id)
    body["openid_token"]["access_token"] = secrets.token_urlsafe(18)

    answer = request_sfu_get(homeserver.base_url, body)

    assert answer.status_code == 401
    assert answer.json()["errcode"] == "M_UNAUTHORIZED"


def test_expired_openid_token_refused(homeserver, meeting):
    organiser, room_id = meeting
    body = sfu_get_body(organiser, room_id)
    # Synapse hard-codes a one-hour OpenID token lifetime with no setting to
    # shorten it, so the test moves the stored expiry into the past.
    homeserver.query("UPDATE open_id_tokens SET ts_valid_until_ms = ? WHERE token = ?",
                     (1, body["openid_token"]["access_token"]))

    answer = request_sfu_get(homeserver.base_url, body)

    assert answer.status_code == 401
    assert answer.json()["errcode"] == "M_UNAUTHORIZED"


def test_unknown_server_name_refused(homeserver, meeting):
    organiser, room_id = meeting
    body = sfu_get_body(organiser, room_id)
    body["openid_token"]["matrix_server_name"] = "hs-b.test"

    answer = request_sfu_get(homeserver.base_url, body)

    assert answer.status_code == 403
    assert answer.json()["errcode"] == "M_FORBIDDEN"


def test_claimed_user_mismatch_refused(homeserver, meeting):
    organiser, room_id = meeting
    body = get_token_body(organiser, room_id)
    body["member"]["claimed_user_id"] = f"@someone-else:{homeserver.server_name}"

    answer = request_get_token(homeserver.base_url, body)

    assert answer.status_code == 401
    assert answer.json()["errcode"] == "M_UNAUTHORIZED"


@pytest.mark.parametrize("endpoint, missing", [
    ("sfu/get", "room"),
    ("sfu/get", "device_id"),
    ("sfu/get", "openid_token"),
    ("get_token", "room_id"),
    ("get_token", "slot_id"),
    ("get_token", "member"),
    ("get_token", "openid_token"),
])
def test_missing_field_refused(homeserver, meeting, endpoint, missing):
    organiser, room_id = meeting
    build = sfu_get_body if endpoint == "sfu/get" else get_token_body
    body = build(organiser, room_id)
    del body[missing]

    answer = requests.post(f"{homeserver.base_url}{RTC_PREFIX}/{endpoint}", json=body, timeout=30)

    assert answer.status_code == 400
    assert answer.json()["errcode"] == "M_BAD_JSON"
    assert missing in answer.json()["error"]


@pytest.mark.parametrize("endpoint", ["sfu/get", "get_token"])
def test_malformed_json_refused(homeserver, endpoint):
    answer = requests.post(f"{homeserver.base_url}{RTC_PREFIX}/{endpoint}",
                           data=b'{"room": "!x', headers={"Content-Type": "application/json"},
                           timeout=30)

    assert answer.status_code == 400
    assert answer.json()["errcode"] == "M_NOT_JSON"
    assert "Traceback" not in answer.text


def test_non_object_json_refused(homeserver):
    answer = requests.post(f"{homeserver.base_url}{RTC_PREFIX}/sfu/get", json=["room"],
                           timeout=30)

    assert answer.status_code == 400
    assert answer.json()["errcode"] == "M_BAD_JSON"


def test_cors_preflight(homeserver):
    """Synapse responds to every preflight itself, so the POST must carry CORS too."""
    preflight = requests.options(
        f"{homeserver.base_url}{RTC_PREFIX}/sfu/get",
        headers={"Origin": "https://call.example.org",
                 "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
        timeout=30,
    )
    answer = requests.post(f"{homeserver.base_url}{RTC_PREFIX}/sfu/get", json={},
                           headers={"Origin": "https://call.example.org"}, timeout=30)

    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert answer.status_code == 400
    assert answer.json()["errcode"] == "M_BAD_JSON"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"


def test_delegate_delayed_leave_not_supported(homeserver):
    answer = requests.post(f"{homeserver.base_url}{RTC_PREFIX}/delegate_delayed_leave",
                           json={}, timeout=30)

    assert answer.status_code == 404
    assert answer.json()["errcode"] == "M_NOT_FOUND"


def test_healthz(homeserver):
    answer = requests.get(f"{homeserver.base_url}{RTC_PREFIX}/healthz", timeout=30)

    assert answer.status_code == 200
