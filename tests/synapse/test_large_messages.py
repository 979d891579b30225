# SPDX-License-Identifier: AGPL-3.0-or-later
"""Huge and deeply nested chat messages in a meeting room (server side).

A very long message once locked a whole meeting room in a comparable
product. Synapse refuses events over 64 KiB with M_TOO_LARGE; the room must
keep working after such a refusal, and a deeply nested but small HTML body
must be stored and returned unchanged, because capping nesting is the
rendering client's job.
"""

import pytest

from tests.harness.hubs_api import (
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    link_token,
)
from tests.harness.matrix_client import MatrixError


@pytest.fixture
def meeting_with_guest(homeserver):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, title="Chattmöte")["room_id"]
    token = link_token(create_link(organiser, room_id)["url"])
    guest = guest_client(homeserver.base_url,
                         GuestApi(homeserver.base_url).redeem(token, "Greta").json())
    return organiser, guest, room_id


def test_huge_message_refused_and_room_keeps_working(meeting_with_guest):
    organiser, guest, room_id = meeting_with_guest

    with pytest.raises(MatrixError) as refused:
        guest.send_message(room_id, "x" * 200_000)

    assert refused.value.status == 413
    assert refused.value.errcode == "M_TOO_LARGE"
    assert refused.value.body["error"]
    guest.send_message(room_id, "Efter det stora meddelandet")
    event = organiser.wait_for_message(
        room_id, lambda event: event["content"].get("body") == "Efter det stora meddelandet")
    assert event["sender"] == guest.user_id


def test_deeply_nested_html_stored(meeting_with_guest):
    organiser, guest, room_id = meeting_with_guest
    # Closing tags would push the event past Synapse's 64 KiB limit; HTML
    # parsers nest unclosed <div> elements all the same.
    nested = "<div>" * 10_000 + "x"

    event_id = guest.send_message(room_id, "x", format="org.matrix.custom.html",
                                  formatted_body=nested)

    event = organiser.wait_for_message(room_id, lambda event: event["event_id"] == event_id)
    assert event["content"]["formatted_body"] == nested
    assert event["content"]["formatted_body"].count("<div>") == 10_000
