# SPDX-License-Identifier: AGPL-3.0-or-later
"""Claims and grants of the SFU access token."""

import jwt
import pytest

from synapse_hubs.meetings.policy import MeetingPolicy
from synapse_hubs.rtc.grants import CallParticipant, video_grant
from synapse_hubs.rtc.sfu_jwt import encode_sfu_jwt, sfu_access_claims

SECRET = "s" * 40
MEETING = MeetingPolicy(title="Möte", access="public", owner="@o:hubs.test",
                        created_ts=1, e2ee=False)


def test_joined_moderator_may_publish():
    grant = video_grant("ROOM", CallParticipant("join", is_guest=False, meeting=MEETING,
                                                user_id="@o:hubs.test", is_moderator=True))

    assert grant == {
        "room": "ROOM",
        "roomJoin": True,
        "roomCreate": False,
        "canPublish": True,
        "canSubscribe": True,
        "canPublishData": True,
        "canUpdateOwnMetadata": True,
        "canPublishSources": ["camera", "microphone", "screen_share", "screen_share_audio"],
    }


@pytest.mark.parametrize("membership", ["invite", "leave", "knock", None])
def test_non_joined_may_not_publish(membership):
    grant = video_grant("ROOM", CallParticipant(membership, is_guest=True, meeting=None))

    assert grant["canPublish"] is False
    assert grant["roomCreate"] is False


def test_claims_layout():
    grant = video_grant("ROOM", CallParticipant("join", is_guest=False, meeting=None))

    claims = sfu_access_claims("APIkey", "@a:hubs.test:DEV", "Anna", grant,
                               now_s=1_700_000_000, lifetime_s=3600)

    assert claims == {
        "iss": "APIkey",
        "sub": "@a:hubs.test:DEV",
        "nbf": 1_700_000_000,
        "exp": 1_700_003_600,
        "name": "Anna",
        "video": grant,
    }


def test_jwt_decodes_with_secret():
    grant = video_grant("ROOM", CallParticipant("join", is_guest=False, meeting=None))
    claims = sfu_access_claims("APIkey", "identity", "Anna", grant, now_s=0, lifetime_s=60)

    token = encode_sfu_jwt(claims, SECRET)

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    decoded = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert decoded == claims


def test_jwt_rejects_wrong_secret():
    claims = sfu_access_claims("APIkey", "identity", "Anna", {}, now_s=0, lifetime_s=60)
    token = encode_sfu_jwt(claims, SECRET)

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "t" * 40, algorithms=["HS256"], options={"verify_exp": False})
