# SPDX-License-Identifier: AGPL-3.0-or-later
"""iCalendar (RFC 5545) objects for scheduled meetings and to-dos.

Invitations and updates use iTIP (RFC 5546) method REQUEST, cancellations
method CANCEL and downloads method PUBLISH. All of them carry the meeting's
stable UID, so a calendar client replaces its earlier copy when the SEQUENCE
is higher than the one it has.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from icalendar import Alarm, Calendar, Event, Todo, vCalAddress, vText

from synapse_hubs.calendar.local_time import (
    last_local_start,
    load_zone,
    to_utc,
    until_as_local_datetime,
)
from synapse_hubs.calendar.model import MeetingStatus, ScheduledMeeting
from synapse_hubs.calendar.vtimezone import build_vtimezone

PRODID = "-//Hubs//Hubs calendar//SV"

METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"
METHOD_PUBLISH = "PUBLISH"

# How far an open-ended series' VTIMEZONE reaches past its first occurrence;
# its yearly rules keep applying after that.
_OPEN_SERIES_SPAN = timedelta(days=366)


@dataclass(frozen=True)
class CalendarAddress:
    """An ORGANIZER or ATTENDEE: an e-mail address and a display name."""

    email: str
    name: str | None = None

    def to_ical_value(self, **params: str) -> vCalAddress:
        value = vCalAddress(f"mailto:{self.email}")
        if self.name:
            value.params["CN"] = vText(self.name)
        for key, param in params.items():
            value.params[key.replace("_", "-").upper()] = param
        return value


@dataclass(frozen=True)
class EventTexts:
    """User-facing texts of a VEVENT, already in the languages they are shown in."""

    description: str
    alarm: str
    conference_label: str


def meeting_uid(meeting_id: str, server_name: str) -> str:
    """Return the UID of a meeting; it never changes, whatever is edited."""
    return f"{meeting_id}@{server_name}"


def build_meeting_calendar(
    meeting: ScheduledMeeting,
    method: str,
    server_name: str,
    organiser: CalendarAddress,
    attendees: list[CalendarAddress],
    texts: EventTexts,
    alarm_offsets_s: tuple[int, ...],
    stamp: datetime,
) -> Calendar:
    """Return a VCALENDAR with one VEVENT for the meeting (all occurrences)."""
    calendar = _new_calendar(method)
    calendar.add_component(_vtimezone_for(meeting))

    event = Event()
    event.add("UID", meeting_uid(meeting.meeting_id, server_name))
    event.add("SEQUENCE", meeting.sequence)
    event.add("DTSTAMP", stamp.astimezone(timezone.utc))
    event.add("CREATED", _utc_from_ms(meeting.created_ts))
    event.add("LAST-MODIFIED", _utc_from_ms(meeting.updated_ts))
    _add_times(event, meeting)
    event.add("SUMMARY", meeting.title)
    event.add("DESCRIPTION", texts.description)
    event.add("LOCATION", meeting.join_url)
    event.add("URL", meeting.join_url)
    event.add(
        "CONFERENCE",
        meeting.join_url,
        parameters={
            "VALUE": "URI",
            "FEATURE": ["AUDIO", "VIDEO"],
            "LABEL": texts.conference_label,
        },
    )
    event.add("TRANSP", "OPAQUE")
    event.add("ORGANIZER", organiser.to_ical_value())
    for attendee in attendees:
        event.add(
            "ATTENDEE",
            attendee.to_ical_value(
                role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="FALSE"
            ),
        )

    cancelled = method == METHOD_CANCEL or meeting.status is MeetingStatus.CANCELLED
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        for offset_s in alarm_offsets_s:
            event.add_component(_display_alarm(offset_s, texts.alarm))

    calendar.add_component(event)
    return calendar


def build_todo_calendar(
    uid: str,
    summary: str,
    description: str,
    url: str,
    stamp: datetime,
) -> Calendar:
    """Return a VCALENDAR with one VTODO that links back to `url`."""
    calendar = _new_calendar(METHOD_PUBLISH)
    todo = Todo()
    todo.add("UID", uid)
    todo.add("DTSTAMP", stamp.astimezone(timezone.utc))
    todo.add("SUMMARY", summary)
    todo.add("DESCRIPTION", description)
    todo.add("URL", url)
    todo.add("STATUS", "NEEDS-ACTION")
    calendar.add_component(todo)
    return calendar


def _new_calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    return calendar


def _vtimezone_for(meeting: ScheduledMeeting):
    times = meeting.times
    last = last_local_start(times, meeting.recurrence) or times.start_local + _OPEN_SERIES_SPAN
    return build_vtimezone(times.time_zone, times.start_local, max(last, times.end_local))


def _add_times(event: Event, meeting: ScheduledMeeting) -> None:
    times = meeting.times
    zone = load_zone(times.time_zone)
    event.add("DTSTART", times.start_local.replace(tzinfo=zone))
    event.add("DTEND", times.end_local.replace(tzinfo=zone))

    recurrence = meeting.recurrence
    if recurrence is None:
        return

    rule: dict = {"FREQ": recurrence.frequency.value.upper(), "INTERVAL": recurrence.interval}
    if recurrence.count is not None:
        rule["COUNT"] = recurrence.count
    if recurrence.until is not None:
        # With a TZID on DTSTART, RFC 5545 requires UNTIL in UTC.
        rule["UNTIL"] = to_utc(until_as_local_datetime(recurrence.until), zone)
    event.add("RRULE", rule)


def _display_alarm(offset_s: int, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("TRIGGER", timedelta(seconds=-offset_s))
    alarm.add("DESCRIPTION", text)
    return alarm


def _utc_from_ms(timestamp_ms: int) -> datetime:
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc).replace(microsecond=0)
