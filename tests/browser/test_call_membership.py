# SPDX-License-Identifier: AGPL-3.0-or-later
"""The page's MatrixRTC session gets an SFU token and publishes its call membership.

matrix-js-sdk's MatrixRTC session in the page requests a JWT from the token
service and publishes an `org.matrix.msc3401.call.member` state event, which is
how Element clients see a guest in the call. The JWT identity must follow
lk-jwt-service's rule for /sfu/get, `{user_id}:{device_id}`, because Element
Call pairs members with LiveKit participants by that identity.
"""

import urllib.parse

import pytest

from tests.browser.join_page import (
    capture_json_responses,
    first_captured,
    jwt_claims,
    wait_for_prejoin,
)
from tests.harness.browser import new_context, wait_until
from tests.harness.matrix_client import MatrixError, quote

pytestmark = pytest.mark.browser

CALL_MEMBER = "org.matrix.msc3401.call.member"


def call_membership(client, room_id, state_key):
    try:
        return client.state_event(room_id, CALL_MEMBER, state_key)
    except MatrixError as error:
        if error.status == 404:
            return None
        raise


def test_guest_membership_and_token_identity(homeserver, chromium):
    organiser = homeserver.register_user()
    meeting = organiser.request("POST", "/_synapse/client/hubs/v1/meetings",
                                json={"title": "MatrixRTC", "access": "public", "lobby": False,
                                      "eid": {"required_for": "nobody"}})
    room_id = meeting["room_id"]
    link = organiser.request("POST", f"/_synapse/client/hubs/v1/meetings/{quote(room_id)}/links", json={})

    context = new_context(chromium)
    page = context.new_page()
    redeemed = capture_json_responses(page, "/redeem")
    tokens = capture_json_responses(page, "/sfu/get")
    page.goto(urllib.parse.urljoin(homeserver.base_url, link["url"]))
    wait_for_prejoin(page)
    page.fill("#display-name", "Rita RTC")
    page.click(".join-button")
    page.wait_for_selector(".stage .tile")

    guest = first_captured(page, redeemed)
    claims = jwt_claims(first_captured(page, tokens)["jwt"])
    expected_identity = f"{guest['user_id']}:{guest['device_id']}"
    assert claims["sub"] == expected_identity
    assert page.evaluate("window.hubsTest.identity()") == expected_identity
    assert tokens[0]["url"] == homeserver.deployment.sfu_ws_url

    state_key = f"_{guest['user_id']}_{guest['device_id']}_m.call"
    membership = wait_until(lambda: call_membership(organiser, room_id, state_key), 15,
                            "no call membership event from the guest")
    assert membership["application"] == "m.call"
    assert membership["device_id"] == guest["device_id"]
    assert membership["focus_active"] == {"type": "livekit", "focus_selection": "multi_sfu"}
    assert membership["foci_preferred"][0]["type"] == "livekit"
    assert membership["foci_preferred"][0]["livekit_service_url"] == homeserver.deployment.token_service_url.rstrip("/")

    page.click(".control-leave")

    wait_until(lambda: call_membership(organiser, room_id, state_key) == {}, 15,
               "the guest's call membership was not ended after leaving")
    context.close()
