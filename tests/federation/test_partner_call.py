# SPDX-License-Identifier: AGPL-3.0-or-later
"""A's user and B's user in one call on A's SFU, each receiving the other's audio and video.

Both get their SFU token from A's token service: A's user as a local user,
B's user after B confirmed their OpenID token over federation. The call
pages are the livekit-client interop pages of tests/browser, so this checks
the tokens and the SFU across servers, not the join page.
"""

import pytest

from tests.browser.sfu_pages import PAGES_DIR, CallPage, open_call, wait_connected
from tests.browser.test_sfu_interop import _assert_frames_keep_rising, _wait_all_media
from tests.harness.browser import StaticServer
from tests.harness.federated_rooms import invite_and_join
from tests.harness.federation import FederationRig
from tests.harness.hubs_api import create_meeting, request_sfu_get
from tests.harness.matrix_client import MatrixClient
from tests.synapse.test_token_service import sfu_get_body

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def sfu_grant(rig: FederationRig, user: MatrixClient, room_id: str) -> dict:
    answer = request_sfu_get(rig["a"].base_url, sfu_get_body(user, room_id))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_partner_users_exchange_media(rig: FederationRig, chromium) -> None:
    anna = rig["a"].register_user()
    bertil = rig["b"].register_user()
    room_id = create_meeting(anna, access="private")["room_id"]
    invite_and_join(rig, anna, "a", room_id, bertil)

    grants = {user.user_id: sfu_grant(rig, user, room_id) for user in (anna, bertil)}
    assert {grant["url"] for grant in grants.values()} == {rig["a"].deployment.sfu_ws_url}

    pages: list[CallPage] = []
    with StaticServer(PAGES_DIR) as static_pages:
        try:
            for user_id, grant in grants.items():
                pages.append(open_call(chromium, static_pages.url, grant["url"], grant["jwt"],
                                       user_id))
            wait_connected(pages)
            _wait_all_media(pages)
            _assert_frames_keep_rising(pages)
        finally:
            for call in pages:
                call.close()
