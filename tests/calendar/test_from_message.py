# SPDX-License-Identifier: AGPL-3.0-or-later
"""A follow-up meeting or a to-do created from a chat message links back to it."""

import urllib.parse
from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.calendar.scheduling import SCHEDULE, notices, stockholm_now
from tests.harness.matrix_client import MatrixError

FROM_MESSAGE = f"{SCHEDULE}/from-message"
MESSAGE = "Kan vi ta budgeten för etapp 2 på ett eget möte?\nJag tar med siffrorna."


def expected_permalink(room_id: str, event_id: str, server_name: str) -> str:
    quote = urllib.parse.quote
    return (f"https://matrix.to/#/{quote(room_id, safe='')}/{quote(event_id, safe='')}"
            f"?via={server_name}")


@pytest.fixture
def conversation(calendar_homeserver):
    """Alice and Bob in a chat room, Bob has written MESSAGE."""
    alice = calendar_homeserver.register_user()
    bob = calendar_homeserver.register_user()
    room_id = alice.create_room(preset="private_chat", invite=[bob.user_id])
    bob.join(room_id)
    event_id = bob.send_message(room_id, MESSAGE)
    return alice, bob, room_id, event_id


def slot() -> dict[str, str]:
    start = (stockholm_now() + timedelta(days=2)).replace(hour=9, minute=0, second=0)
    return {"start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}


def test_follow_up_meeting_from_message(calendar_homeserver, conversation):
    alice, bob, room_id, event_id = conversation

    meeting = alice.request("POST", FROM_MESSAGE, expect=201, json={
        "room_id": room_id, "event_id": event_id, "kind": "meeting", **slot(),
    })

    permalink = expected_permalink(room_id, event_id, calendar_homeserver.server_name)
    assert meeting["title"] == "Kan vi ta budgeten för etapp 2 på ett eget möte?"
    assert meeting["description"] == MESSAGE
    assert meeting["source_permalink"] == permalink
    assert meeting["participants"] == [{"user_id": bob.user_id}]
    assert meeting["room_id"] != room_id
    assert alice.membership(meeting["room_id"], bob.user_id) == "invite"

    changes = {n["content"]["se.hubs.schedule"]["change"]: n["content"]["body"]
               for n in notices(alice, meeting["room_id"], meeting["meeting_id"])}
    assert permalink in changes["source"]

    ics = alice.request("GET", f"{SCHEDULE}/{meeting['meeting_id']}/ics")
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert permalink in str(event["DESCRIPTION"])


def test_todo_from_message(calendar_homeserver, conversation):
    alice, _, room_id, event_id = conversation

    todo = alice.request("POST", FROM_MESSAGE, json={
        "room_id": room_id, "event_id": event_id, "kind": "todo",
    })

    permalink = expected_permalink(room_id, event_id, calendar_homeserver.server_name)
    assert todo["kind"] == "todo"
    assert todo["permalink"] == permalink
    calendar = Calendar.from_ical(todo["ics"])
    entries = calendar.walk("VTODO")
    assert len(entries) == 1
    assert str(entries[0]["SUMMARY"]) == "Kan vi ta budgeten för etapp 2 på ett eget möte?"
    assert str(entries[0]["URL"]) == permalink
    assert MESSAGE in str(entries[0]["DESCRIPTION"])
    assert alice.request("GET", SCHEDULE)["meetings"] == []


def test_message_invisible_to_outsider(calendar_homeserver, conversation):
    _, _, room_id, event_id = conversation
    outsider = calendar_homeserver.register_user()

    with pytest.raises(MatrixError) as rejected:
        outsider.request("POST", FROM_MESSAGE, json={
            "room_id": room_id, "event_id": event_id, "kind": "todo",
        })

    assert rejected.value.status == 404
    assert rejected.value.errcode == "M_NOT_FOUND"


def test_encrypted_message_needs_client_text(calendar_homeserver, conversation):
    alice, bob, room_id, _ = conversation
    encrypted_id = bob.send_event(room_id, "m.room.encrypted", {
        "algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEn...", "sender_key": "k",
        "session_id": "s", "device_id": "D",
    })
    reference = {"room_id": room_id, "event_id": encrypted_id, "kind": "todo"}

    with pytest.raises(MatrixError) as rejected:
        alice.request("POST", FROM_MESSAGE, json=reference)
    todo = alice.request("POST", FROM_MESSAGE, json={**reference, "text": "Dekrypterad text"})

    assert rejected.value.status == 400
    assert "text" in rejected.value.body["error"]
    assert todo["summary"] == "Dekrypterad text"


@pytest.mark.parametrize("reference, mentioned", [
    ({"room_id": "room", "event_id": "$e"}, "room_id"),
    ({"room_id": "!r:localhost", "event_id": "e"}, "event_id"),
    ({"room_id": "!r:localhost", "event_id": "$e", "kind": "task"}, "kind"),
])
def test_invalid_reference_rejected(calendar_homeserver, reference, mentioned):
    alice = calendar_homeserver.register_user()

    with pytest.raises(MatrixError) as rejected:
        alice.request("POST", FROM_MESSAGE, json=reference)

    assert rejected.value.status == 400
    assert mentioned in rejected.value.body["error"]
