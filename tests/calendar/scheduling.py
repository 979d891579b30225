# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the calendar tests that drive a real Synapse."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.harness.mail_sink import ReceivedMail
from tests.harness.matrix_client import MatrixClient

SCHEDULE = "/_synapse/client/hubs/v1/schedule"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def stockholm_now() -> datetime:
    """Return the current wall-clock time in Stockholm, naive, to the second."""
    return datetime.now(STOCKHOLM).replace(tzinfo=None, microsecond=0)


def day_after_next_spring_switch() -> datetime:
    """Return the Monday after the next spring daylight-saving switch, at 00:00 local time."""
    noon = stockholm_now().replace(hour=12, minute=0, second=0)
    while True:
        previous_noon, noon = noon, noon + timedelta(days=1)
        if utc_offset(noon) > utc_offset(previous_noon):
            return (noon + timedelta(days=1)).replace(hour=0)


def utc_offset(local: datetime) -> timedelta:
    offset = local.replace(tzinfo=STOCKHOLM).utcoffset()
    assert offset is not None
    return offset


def schedule(client: MatrixClient, **body: Any) -> dict[str, Any]:
    return client.request("POST", SCHEDULE, json=body, expect=201)


def calendar_in(mail: ReceivedMail) -> Calendar:
    """Parse the invite.ics attachment of an e-mail."""
    attachment = mail.part("text/calendar", attachment=True)
    assert attachment is not None, f"no ICS attachment in {mail.subject!r}"
    return Calendar.from_ical(attachment.get_payload(decode=True))


def notices(client: MatrixClient, room_id: str, meeting_id: str) -> list[dict[str, Any]]:
    """Return the schedule messages about one meeting, oldest first."""
    events = client.messages(room_id, limit=100)
    found = [
        event for event in events
        if event.get("type") == "m.room.message"
        and event["content"].get("se.hubs.schedule", {}).get("meeting_id") == meeting_id
    ]
    return list(reversed(found))
