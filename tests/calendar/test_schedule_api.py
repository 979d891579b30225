# SPDX-License-Identifier: AGPL-3.0-or-later
"""The schedule API against a real Synapse whose e-mail goes to an SMTP sink.

Scheduling creates the meeting room and sends invitations with the ICS
attached. Edits and cancellations send updates with the same UID and a
higher SEQUENCE, by e-mail and as notices in the room.
"""

from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.calendar.scheduling import (
    SCHEDULE,
    STOCKHOLM,
    calendar_in,
    day_after_next_spring_switch,
    notices,
    schedule,
    stockholm_now,
)
from tests.harness.mail_sink import SENDER
from tests.harness.matrix_client import MatrixError

UTC = timezone.utc
SWEDISH_MONTHS = {3: "mars", 4: "april"}


def unique_address(name: str) -> str:
    return f"{name}.{datetime.now().timestamp():.6f}@example.org"


def future_slot(days: int = 3, hour: int = 10) -> tuple[str, str]:
    start = (stockholm_now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0)
    return start.isoformat(), (start + timedelta(hours=1)).isoformat()


def test_schedule_creates_room_and_invitations(calendar_homeserver, mail_sink):
    alice = calendar_homeserver.register_user()
    bob = calendar_homeserver.register_user()
    anna = unique_address("anna")
    eve = unique_address("eve")
    monday = day_after_next_spring_switch()

    meeting = schedule(
        alice,
        title="Samråd <etapp 2> & \"budget\"",
        description="Vi går igenom förslaget.",
        start=monday.replace(hour=10).isoformat(),
        end=monday.replace(hour=11).isoformat(),
        participants=[bob.user_id, anna, {"email": eve, "language": "en"}],
    )

    assert meeting["status"] == "scheduled"
    assert meeting["sequence"] == 0
    assert meeting["time_zone"] == "Europe/Stockholm"
    assert meeting["role"] == "organiser"
    assert meeting["next_start_utc"] == (
        monday.replace(hour=8).isoformat() + "Z")  # 10:00 CEST is 08:00 UTC
    room_id = meeting["room_id"]
    assert alice.membership(room_id, alice.user_id) == "join"
    assert alice.membership(room_id, bob.user_id) == "invite"
    assert alice.membership(room_id, f"@hubs:{calendar_homeserver.server_name}") == "join"
    assert alice.state_event(room_id, "m.room.name")["name"] == meeting["title"]
    assert alice.state_event(room_id, "se.hubs.meeting")["owner"] == alice.user_id

    scheduled_notices = notices(alice, room_id, meeting["meeting_id"])
    assert [notice["content"]["msgtype"] for notice in scheduled_notices] == ["m.notice"]
    assert scheduled_notices[0]["sender"] == f"@hubs:{calendar_homeserver.server_name}"

    invitation = mail_sink.wait_for(lambda mail: anna in mail.envelope_to,
                                    description=f"invitation to {anna}")
    local_time = (f"måndag {monday.day} mars {monday.year} kl. 10:00–11:00 "
                  "(Europe/Stockholm, CEST)")
    assert invitation.subject == "Inbjudan: Samråd <etapp 2> & \"budget\""
    assert str(invitation.message["From"]) == SENDER
    assert local_time in invitation.text()
    assert meeting["join_url"] in invitation.text()
    assert "Samråd &lt;etapp 2&gt; &amp; &#34;budget&#34;" in invitation.text("text/html")
    inline_calendar = invitation.part("text/calendar", attachment=False)
    assert inline_calendar is not None
    assert inline_calendar.get_param("method") == "REQUEST"

    calendar = calendar_in(invitation)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{meeting['meeting_id']}@{calendar_homeserver.server_name}"
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert event["DTSTART"].dt.astimezone(UTC) == monday.replace(hour=8, tzinfo=UTC)
    assert str(event["LOCATION"]) == meeting["join_url"]
    assert str(event["ORGANIZER"]) == "mailto:noreply@hubs.test"
    assert sorted(str(attendee) for attendee in event["ATTENDEE"]) == sorted(
        [f"mailto:{anna}", f"mailto:{eve}"])

    english = mail_sink.wait_for(lambda mail: eve in mail.envelope_to,
                                 description=f"invitation to {eve}")
    assert english.subject == "Invitation: Samråd <etapp 2> & \"budget\""
    assert (f"Monday {monday.day} March {monday.year} at 10:00–11:00 "
            "(Europe/Stockholm, CEST)") in english.text()


def test_matrix_participant_with_email_invited(calendar_homeserver, mail_sink):
    admin = calendar_homeserver.register_user(admin=True)
    alice = calendar_homeserver.register_user()
    bob = calendar_homeserver.register_user()
    bob_address = unique_address("bob")
    admin.request("PUT", f"/_synapse/admin/v2/users/{bob.user_id}",
                  json={"threepids": [{"medium": "email", "address": bob_address}]})
    start, end = future_slot()

    schedule(alice, title="Veckomöte", start=start, end=end, participants=[bob.user_id])

    mail = mail_sink.wait_for(lambda mail: bob_address in mail.envelope_to,
                              description="invitation to bob's e-mail address")
    event = calendar_in(mail).walk("VEVENT")[0]
    assert str(event["ATTENDEE"]) == f"mailto:{bob_address}"


def test_get_list_and_download_ics(calendar_homeserver):
    alice = calendar_homeserver.register_user()
    bob = calendar_homeserver.register_user()
    stranger = calendar_homeserver.register_user()
    start, end = future_slot()
    meeting = schedule(alice, title="Styrgrupp", start=start, end=end,
                       participants=[bob.user_id],
                       recurrence={"frequency": "weekly", "count": 4},
                       policy={"access": "private", "lobby": False,
                               "eid": {"required_for": "everyone", "methods": ["freja"]}})
    path = f"{SCHEDULE}/{meeting['meeting_id']}"

    assert alice.request("GET", path) == meeting
    as_bob = bob.request("GET", path)
    assert as_bob["role"] == "participant"
    assert as_bob["recurrence"] == {"frequency": "weekly", "interval": 1, "count": 4}
    assert as_bob["policy"] == {
        "access": "private", "lobby": False,
        "eid": {"required_for": "everyone", "methods": ["freja"], "min_loa": "loa3"},
    }
    with pytest.raises(MatrixError) as hidden:
        stranger.request("GET", path)
    assert hidden.value.status == 404

    assert meeting["meeting_id"] in [m["meeting_id"] for m in alice.request("GET", SCHEDULE)["meetings"]]
    assert meeting["meeting_id"] in [m["meeting_id"] for m in bob.request("GET", SCHEDULE)["meetings"]]
    assert stranger.request("GET", SCHEDULE)["meetings"] == []

    response = _raw_get(meeting["ics_url"], bob.access_token)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "METHOD:PUBLISH" in response.text
    assert "RRULE:FREQ=WEEKLY;COUNT=4;INTERVAL=1" in response.text
    assert _raw_get(meeting["ics_url"], stranger.access_token).status_code == 404
    assert _raw_get(meeting["ics_url"], None).status_code == 401


def test_eid_policy_written_to_room(calendar_homeserver):
    alice = calendar_homeserver.register_user()
    start, end = future_slot()

    meeting = schedule(alice, title="Med e-legitimation", start=start, end=end,
                       policy={"eid": {"required_for": "external"}})
    room_id = meeting["room_id"]
    created = alice.state_event(room_id, "se.hubs.eid_policy")
    alice.request("PATCH", f"{SCHEDULE}/{meeting['meeting_id']}",
                  json={"policy": {"eid": {"required_for": "everyone", "min_loa": "loa4"}}})
    edited = alice.state_event(room_id, "se.hubs.eid_policy")

    assert created["required_for"] == "external"
    assert created["methods"], "the server default's methods fill a request without methods"
    assert edited["required_for"] == "everyone"
    assert edited["min_loa"] == "loa4"
    assert edited["methods"] == created["methods"]


def test_edit_sends_update_same_uid(calendar_homeserver, mail_sink):
    alice = calendar_homeserver.register_user()
    bob = calendar_homeserver.register_user()
    anna = unique_address("anna")
    eve = unique_address("eve")
    start, end = future_slot(days=3)
    meeting = schedule(alice, title="Planering", start=start, end=end,
                       participants=[anna, eve])
    mail_sink.wait_for(lambda mail: anna in mail.envelope_to, description="invitation")

    new_start, new_end = future_slot(days=4, hour=14)
    updated = alice.request("PATCH", f"{SCHEDULE}/{meeting['meeting_id']}", json={
        "title": "Planering (flyttad)", "start": new_start, "end": new_end,
        "participants": [anna, bob.user_id],
    })

    assert updated["sequence"] == 1
    assert updated["title"] == "Planering (flyttad)"
    assert updated["start"] == new_start
    assert updated["room_id"] == meeting["room_id"]
    assert alice.state_event(meeting["room_id"], "m.room.name")["name"] == "Planering (flyttad)"
    assert alice.membership(meeting["room_id"], bob.user_id) == "invite"
    changes = [n["content"]["se.hubs.schedule"]["change"]
               for n in notices(alice, meeting["room_id"], meeting["meeting_id"])]
    assert changes == ["scheduled", "updated"]

    update = mail_sink.wait_for(
        lambda mail: anna in mail.envelope_to and mail.subject.startswith("Uppdaterad"),
        description="update to anna")
    event = calendar_in(update).walk("VEVENT")[0]
    assert str(calendar_in(update)["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{meeting['meeting_id']}@{calendar_homeserver.server_name}"
    assert int(event["SEQUENCE"]) == 1
    expected_start = datetime.fromisoformat(new_start).replace(tzinfo=STOCKHOLM)
    assert event["DTSTART"].dt == expected_start

    removed = mail_sink.wait_for(
        lambda mail: eve in mail.envelope_to and mail.subject.startswith("Inställt"),
        description="cancellation to the removed participant")
    removed_calendar = calendar_in(removed)
    assert str(removed_calendar["METHOD"]) == "CANCEL"
    assert int(removed_calendar.walk("VEVENT")[0]["SEQUENCE"]) == 1


def test_unchanged_edit_keeps_sequence(calendar_homeserver):
    alice = calendar_homeserver.register_user()
    start, end = future_slot()
    meeting = schedule(alice, title="Oförändrat", start=start, end=end)

    same = alice.request("PATCH", f"{SCHEDULE}/{meeting['meeting_id']}",
                         json={"title": "Oförändrat", "start": start})

    assert same["sequence"] == 0


def test_cancel_sends_cancel_keeps_chat(calendar_homeserver, mail_sink):
    alice = calendar_homeserver.register_user()
    anna = unique_address("anna")
    start, end = future_slot()
    meeting = schedule(alice, title="Inställs", start=start, end=end, participants=[anna])
    path = f"{SCHEDULE}/{meeting['meeting_id']}"
    alice.request("PATCH", path, json={"description": "Ny agenda"})

    cancelled = alice.request("POST", f"{path}/cancel", json={})

    assert cancelled["status"] == "cancelled"
    assert cancelled["sequence"] == 2
    cancellation = mail_sink.wait_for(
        lambda mail: anna in mail.envelope_to and mail.subject.startswith("Inställt"),
        description="cancellation")
    calendar = calendar_in(cancellation)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{meeting['meeting_id']}@{calendar_homeserver.server_name}"
    assert int(event["SEQUENCE"]) == 2

    # The room and its chat stay after the cancellation.
    alice.send_message(meeting["room_id"], "Vi tar det i chatten i stället.")
    changes = [n["content"]["se.hubs.schedule"]["change"]
               for n in notices(alice, meeting["room_id"], meeting["meeting_id"])]
    assert changes == ["scheduled", "updated", "cancelled"]

    with pytest.raises(MatrixError) as refused:
        alice.request("PATCH", path, json={"title": "Igen"})
    assert refused.value.status == 400
    download = _raw_get(meeting["ics_url"], alice.access_token)
    assert "METHOD:CANCEL" in download.text


def test_only_organiser_changes_meeting(calendar_homeserver):
    alice = calendar_homeserver.register_user()
    bob = calendar_homeserver.register_user()
    start, end = future_slot()
    meeting = schedule(alice, title="Mitt möte", start=start, end=end, participants=[bob.user_id])
    path = f"{SCHEDULE}/{meeting['meeting_id']}"

    with pytest.raises(MatrixError) as edit:
        bob.request("PATCH", path, json={"title": "Bobs möte"})
    with pytest.raises(MatrixError) as cancel:
        bob.request("POST", f"{path}/cancel", json={})

    assert edit.value.status == 403
    assert edit.value.errcode == "M_FORBIDDEN"
    assert cancel.value.status == 403
    assert alice.request("GET", path)["title"] == "Mitt möte"


INVALID_BODIES = [
    ({"start": "2030-01-01T10:00", "end": "2030-01-01T11:00"}, "M_MISSING_PARAM", "title"),
    ({"title": "x", "end": "2030-01-01T11:00"}, "M_MISSING_PARAM", "start"),
    ({"title": "a\nb", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00"},
     "M_INVALID_PARAM", "title"),
    ({"title": "x" * 201, "start": "2030-01-01T10:00", "end": "2030-01-01T11:00"},
     "M_INVALID_PARAM", "title"),
    ({"title": "M\ud800te", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00"},
     "M_INVALID_PARAM", "surrogate"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
      "participants": ["anna\udfff@example.org"]}, "M_INVALID_PARAM", "participants[0]"),
    ({"title": "x", "start": "tomorrow", "end": "2030-01-01T11:00"}, "M_INVALID_PARAM", "start"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T09:00"},
     "M_INVALID_PARAM", "end must be after start"),
    ({"title": "x", "start": "2020-01-01T10:00", "end": "2020-01-01T11:00"},
     "M_INVALID_PARAM", "end must be in the future"),
    ({"title": "x", "start": "2030-03-31T02:30", "end": "2030-03-31T03:30"},
     "M_INVALID_PARAM", "does not exist in Europe/Stockholm"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
      "time_zone": "Mars/Olympus"}, "M_INVALID_PARAM", "time_zone"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
      "recurrence": {"frequency": "hourly"}}, "M_INVALID_PARAM", "recurrence.frequency"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
      "recurrence": {"frequency": "weekly", "count": 5, "until": "2030-03-01"}},
     "M_INVALID_PARAM", "either count or until"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
      "participants": ["not-an-address"]}, "M_INVALID_PARAM", "participants[0]"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
      "policy": {"access": "secret"}}, "M_INVALID_PARAM", "policy.access"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
      "policy": {"lobby": "yes"}}, "M_BAD_JSON", "policy.lobby"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
      "policy": {"eid": {"required_for": "guests"}}}, "M_INVALID_PARAM", "policy.eid"),
    ({"title": "x", "start": "2030-01-01T10:00", "end": "2030-01-01T11:00",
      "policy": {"eid": {"required_for": "everyone", "methods": ["passport"]}}},
     "M_INVALID_PARAM", "policy.eid"),
]


@pytest.mark.parametrize("body, errcode, mentioned", INVALID_BODIES,
                         ids=[case[2] for case in INVALID_BODIES])
def test_invalid_body_rejected(calendar_homeserver, body, errcode, mentioned):
    alice = calendar_homeserver.register_user()

    with pytest.raises(MatrixError) as rejected:
        alice.request("POST", SCHEDULE, json=body)

    assert rejected.value.status == 400
    assert rejected.value.errcode == errcode
    assert mentioned in rejected.value.body["error"]
    assert alice.request("GET", SCHEDULE)["meetings"] == []


def test_missing_token_rejected(calendar_homeserver):
    client = calendar_homeserver.client()

    with pytest.raises(MatrixError) as rejected:
        client.request("POST", SCHEDULE, json={"title": "x"})

    assert rejected.value.status == 401
    assert rejected.value.errcode == "M_MISSING_TOKEN"


def _raw_get(url: str, access_token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
    return requests.get(url, headers=headers, timeout=30)


def test_moving_start_past_until_rejected(calendar_homeserver):
    alice = calendar_homeserver.register_user()
    start, end = future_slot(days=2)
    until = (datetime.fromisoformat(start) + timedelta(days=14)).date().isoformat()
    meeting = schedule(alice, title="Serie", start=start, end=end,
                       recurrence={"frequency": "weekly", "until": until})
    later_start, later_end = future_slot(days=30)

    with pytest.raises(MatrixError) as rejected:
        alice.request("PATCH", f"{SCHEDULE}/{meeting['meeting_id']}",
                      json={"start": later_start, "end": later_end})

    assert rejected.value.status == 400
    assert "recurrence.until" in rejected.value.body["error"]
    assert alice.request("GET", f"{SCHEDULE}/{meeting['meeting_id']}")["start"] == start
