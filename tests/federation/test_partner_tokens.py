# SPDX-License-Identifier: AGPL-3.0-or-later
"""SFU tokens for partner users, checked with their own server over federation.

The test that stops B stays last in this file (pytest keeps file order),
because the other tests need B up.
"""

import jwt
import pytest

from tests.harness.federated_rooms import invite_and_join
from tests.harness.federation import FederationRig
from tests.harness.hubs_api import create_meeting, request_get_token, request_sfu_get
from tests.harness.matrix_client import MatrixClient
from tests.synapse.test_token_service import get_token_body, sfu_get_body

pytestmark = pytest.mark.timeout(180)


def meeting_with_member(rig: FederationRig, guest_server: str) -> tuple[MatrixClient, str]:
    """A meeting on A that a new user of guest_server has joined; returns (that user, room)."""
    anna = rig["a"].register_user()
    visitor = rig[guest_server].register_user()
    room_id = create_meeting(anna, access="private")["room_id"]
    invite_and_join(rig, anna, "a", room_id, visitor)
    return visitor, room_id


def test_partner_user_gets_token_from_our_token_service(rig: FederationRig) -> None:
    bertil, room_id = meeting_with_member(rig, "b")
    body = get_token_body(bertil, room_id)
    assert body["openid_token"]["matrix_server_name"] == rig.server_names["b"]

    answer = request_get_token(rig["a"].base_url, body)

    assert answer.status_code == 200, answer.text
    assert answer.json()["url"] == rig["a"].deployment.sfu_ws_url
    claims = jwt.decode(answer.json()["jwt"], rig["a"].secrets.sfu_api_secret,
                        algorithms=["HS256"])
    assert claims["video"]["roomJoin"] is True
    # The verification went to B over federation, which B's log records.
    assert "/_matrix/federation/v1/openid/userinfo" in rig["b"].synapse_log()


def test_our_user_gets_token_from_partner(rig: FederationRig) -> None:
    bertil = rig["b"].register_user()
    anna = rig["a"].register_user()
    room_id = create_meeting(bertil, access="private")["room_id"]
    invite_and_join(rig, bertil, "b", room_id, anna)

    answer = request_get_token(rig["b"].base_url, get_token_body(anna, room_id))

    assert answer.status_code == 200, answer.text
    assert answer.json()["url"] == rig["b"].deployment.sfu_ws_url


def test_partner_user_not_in_room_is_refused(rig: FederationRig) -> None:
    anna = rig["a"].register_user()
    bertil = rig["b"].register_user()
    room_id = create_meeting(anna, access="private")["room_id"]

    answer = request_sfu_get(rig["a"].base_url, sfu_get_body(bertil, room_id))

    assert answer.status_code == 403
    assert answer.json()["errcode"] == "M_FORBIDDEN"
    assert "not a member" in answer.json()["error"]


def test_non_partner_user_is_refused_a_token(rig: FederationRig) -> None:
    anna = rig["a"].register_user()
    cecilia = rig["c"].register_user()
    room_id = create_meeting(anna, access="public")["room_id"]
    log_size = len(rig["c"].synapse_log())

    answer = request_sfu_get(rig["a"].base_url, sfu_get_body(cecilia, room_id))

    assert answer.status_code == 403
    assert answer.json()["errcode"] == "M_FORBIDDEN"
    assert "not a partner" in answer.json()["error"]
    # Refused before asking C anything.
    assert "openid/userinfo" not in rig["c"].synapse_log()[log_size:]


def test_forged_partner_token_gets_explicit_error(rig: FederationRig) -> None:
    bertil, room_id = meeting_with_member(rig, "b")
    body = get_token_body(bertil, room_id)
    body["openid_token"]["access_token"] = "forged" + body["openid_token"]["access_token"][6:]

    answer = request_get_token(rig["a"].base_url, body)

    assert answer.status_code == 401
    assert answer.json()["errcode"] == "M_UNAUTHORIZED"
    assert rig.server_names["b"] in answer.json()["error"]


def test_partner_server_down_gets_explicit_error(rig: FederationRig) -> None:
    bertil, room_id = meeting_with_member(rig, "b")
    body = get_token_body(bertil, room_id)
    rig["b"].synapse.stop()
    try:
        answer = request_get_token(rig["a"].base_url, body)
    finally:
        rig["b"].start_synapse()

    assert answer.status_code == 502
    assert answer.json()["errcode"] == "SE_HUBS_OPENID_UNCONFIRMED"
    assert "could not be confirmed" in answer.json()["error"]
    assert "jwt" not in answer.json()
