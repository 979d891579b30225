# SPDX-License-Identifier: AGPL-3.0-or-later
"""B's user opens a meeting link of A on B's join page and knocks on A's lobby through `via`."""

import urllib.parse

import pytest

from tests.browser.join_page import remember_session
from tests.harness.browser import new_context
from tests.harness.federated_rooms import wait_for
from tests.harness.federation import FederationRig
from tests.harness.hubs_api import create_meeting, lobby_waiting

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_link_knocks_through_via_server(rig: FederationRig, chromium) -> None:
    anna = rig["a"].register_user()
    bertil = rig["b"].register_user()
    meeting = create_meeting(anna, access="public", lobby=True)
    link = urllib.parse.urlsplit(meeting["meeting_url"])
    assert link.query == f"via={rig.server_names['a']}"

    # The same path and query on B's own Hubs server, where B's user is signed in.
    context = new_context(chromium)
    remember_session(context, rig["b"].base_url, bertil)
    page = context.new_page()
    try:
        page.goto(f"{rig['b'].base_url}{link.path}?{link.query}")
        page.click(".ask-to-join")

        waiting = wait_for(lambda: lobby_waiting(anna, meeting["room_id"])["waiting"],
                           what="B's knock in A's lobby")
        assert [entry["user_id"] for entry in waiting] == [bertil.user_id]
    finally:
        context.close()
