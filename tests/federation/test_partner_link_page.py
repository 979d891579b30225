# SPDX-License-Identifier: AGPL-3.0-or-later
"""B's user opens a meeting link of A on B's own join page, which routes through `via`."""

import urllib.parse

import pytest

from tests.browser.join_page import remember_session, wait_for_prejoin
from tests.harness.browser import new_context
from tests.harness.federated_rooms import invited_rooms, wait_for
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


def test_invited_partner_joins_by_link(rig: FederationRig, chromium) -> None:
    anna = rig["a"].register_user()
    bertil = rig["b"].register_user()
    # Private meetings are end-to-end encrypted, which the join page does not open.
    meeting = create_meeting(anna, access="public", lobby=False)
    room_id = meeting["room_id"]
    anna.invite(room_id, bertil.user_id)
    wait_for(lambda: room_id in invited_rooms(bertil), what="the invite to reach B")
    link = urllib.parse.urlsplit(meeting["meeting_url"])

    context = new_context(chromium)
    remember_session(context, rig["b"].base_url, bertil)
    page = context.new_page()
    try:
        page.goto(f"{rig['b'].base_url}{link.path}?{link.query}")
        wait_for_prejoin(page)

        assert anna.membership(room_id, bertil.user_id) == "join"
    finally:
        context.close()
