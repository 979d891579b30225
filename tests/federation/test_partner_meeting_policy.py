# SPDX-License-Identifier: AGPL-3.0-or-later
"""Meeting policy on A applies to B's users too: lobby, e-ID requirement and moderation."""

import urllib.parse
from typing import Any

import jwt
import pytest

from tests.harness.federated_rooms import invite_and_join, invited_rooms, join_via, wait_for
from tests.harness.federation import FederationRig
from tests.harness.homeserver import Homeserver
from tests.harness.hubs_api import create_meeting, lobby_decide, lobby_waiting, request_sfu_get
from tests.harness.matrix_client import MatrixClient, MatrixError, quote
from tests.synapse.test_guest_eid import verify_with_test_provider
from tests.synapse.test_token_service import sfu_get_body

pytestmark = pytest.mark.timeout(180)

BANKID_FOR_EXTERNALS = {"required_for": "external", "methods": ["bankid"]}


class OpenIdTicketRequester:
    """Asks A's step-up API for a ticket as B's user, who has no account on A.

    Stands in for the MatrixClient that tests/eid/step_up_client.py expects:
    instead of an access token, each request carries a fresh OpenID token
    from B, which A confirms with B over federation.
    """

    def __init__(self, host: Homeserver, visitor: MatrixClient) -> None:
        self._host = MatrixClient(host.base_url)
        self._visitor = visitor

    def request(self, method: str, path: str, json: dict[str, Any]) -> Any:
        return self._host.request(method, path,
                                  json={**json, "openid_token": self._visitor.openid_token()})


def test_lobby_holds_partner_user_until_admitted(rig: FederationRig) -> None:
    anna = rig["a"].register_user()
    bertil = rig["b"].register_user()
    meeting = create_meeting(anna, access="public", lobby=True)
    room_id = meeting["room_id"]

    # B's user has only the link; its via parameter routes the knock to A.
    via = urllib.parse.parse_qs(urllib.parse.urlsplit(meeting["meeting_url"]).query)["via"]
    assert via == [rig.server_names["a"]]
    bertil.request("POST", f"/_matrix/client/v3/knock/{room_id}", json={},
                   params={"server_name": via})
    waiting = wait_for(lambda: lobby_waiting(anna, room_id)["waiting"],
                       what="B's knock in A's lobby")
    assert [entry["user_id"] for entry in waiting] == [bertil.user_id]

    # Waiting is not being in: no join, no call.
    with pytest.raises(MatrixError) as refused:
        join_via(bertil, room_id, rig.server_names["a"])
    assert refused.value.status == 403
    assert request_sfu_get(rig["a"].base_url, sfu_get_body(bertil, room_id)).status_code == 403

    admitted = lobby_decide(anna, room_id, "admit", bertil.user_id)
    assert admitted["membership"] == "invite"
    wait_for(lambda: room_id in invited_rooms(bertil), what="the admission to reach B")
    join_via(bertil, room_id, rig.server_names["a"])

    assert wait_for(lambda: anna.membership(room_id, bertil.user_id) == "join",
                    what="B's join to reach A")
    answer = request_sfu_get(rig["a"].base_url, sfu_get_body(bertil, room_id))
    assert answer.status_code == 200, answer.text


def test_eid_meeting_waits_for_partner_verification(rig: FederationRig) -> None:
    anna = rig["a"].register_user()
    bertil = rig["b"].register_user()
    room_id = create_meeting(anna, access="private", eid_policy=BANKID_FOR_EXTERNALS)["room_id"]
    anna.invite(room_id, bertil.user_id)
    wait_for(lambda: room_id in invited_rooms(bertil), what="the invite to reach B")

    with pytest.raises(MatrixError) as refused:
        join_via(bertil, room_id, rig.server_names["a"])
    assert refused.value.status == 403
    assert anna.membership(room_id, bertil.user_id) == "invite"
    eid_refusals = [line for line in rig["a"].synapse_log().splitlines()
                    if bertil.user_id in line and "e-ID" in line]
    assert eid_refusals

    # B's user verifies on A's step-up page, identified to A by B's OpenID token.
    verify_with_test_provider(rig["a"], OpenIdTicketRequester(rig["a"], bertil), room_id)

    join_via(bertil, room_id, rig.server_names["a"])
    assert wait_for(lambda: anna.membership(room_id, bertil.user_id) == "join",
                    what="B's join to reach A")
    answer = request_sfu_get(rig["a"].base_url, sfu_get_body(bertil, room_id))
    assert answer.status_code == 200, answer.text


def test_moderation_applies_to_partner_user(rig: FederationRig) -> None:
    anna = rig["a"].register_user()
    bertil = rig["b"].register_user()
    # A public meeting lets only presenters share their screen by default.
    room_id = create_meeting(anna, access="public", lobby=False)["room_id"]
    invite_and_join(rig, anna, "a", room_id, bertil)
    moderation = f"/_synapse/client/hubs/v1/meetings/{quote(room_id)}/moderation"

    def granted_sources() -> list[str]:
        answer = request_sfu_get(rig["a"].base_url, sfu_get_body(bertil, room_id))
        assert answer.status_code == 200, answer.text
        claims = jwt.decode(answer.json()["jwt"], options={"verify_signature": False})
        return claims["video"]["canPublishSources"]

    assert "microphone" in granted_sources()
    assert "screen_share" not in granted_sources()

    anna.request("POST", f"{moderation}/mute", json={"user_id": bertil.user_id, "muted": True})
    anna.request("POST", f"{moderation}/presenter",
                 json={"user_id": bertil.user_id, "presenter": True})

    assert "microphone" not in granted_sources()
    assert "screen_share" in granted_sources()
