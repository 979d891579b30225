# SPDX-License-Identifier: AGPL-3.0-or-later
"""ICS output read back by standard parsers.

Each file is parsed twice: with icalendar's own parser, and independently
with dateutil, which rebuilds the zone from the file's VTIMEZONE text
(`dateutil.tz.tzical`) and expands its RRULE (`dateutil.rrule`). The
expected UTC instants are those of the EU daylight-saving rules: Stockholm
is UTC+1 (CET) in winter and UTC+2 (CEST) from 01:00 UTC on the last Sunday
of March until 01:00 UTC on the last Sunday of October.
"""

import io
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as dateutil_rrule
from dateutil import tz as dateutil_tz
from icalendar import Calendar

from synapse_hubs.calendar.ics import (
    METHOD_CANCEL,
    METHOD_REQUEST,
    CalendarAddress,
    EventTexts,
    build_meeting_calendar,
    build_todo_calendar,
)
from synapse_hubs.calendar.local_time import occurrences_utc
from synapse_hubs.calendar.meeting_ics import MeetingAddresses, build_meeting_ics
from synapse_hubs.calendar.model import (
    Frequency,
    MeetingPolicy,
    MeetingStatus,
    MeetingTimes,
    Participant,
    ParticipantKind,
    Recurrence,
    ScheduledMeeting,
)
from synapse_hubs.calendar.vtimezone import build_vtimezone

UTC = timezone.utc
STOCKHOLM = "Europe/Stockholm"
JOIN_URL = "https://hubs.example.se/_synapse/client/hubs/join/token123"
ADDRESSES = MeetingAddresses(
    organiser=CalendarAddress("organiser@example.se", "Olle Organisatör"),
    attendees=[CalendarAddress("anna@example.org"), CalendarAddress("bo@example.org", "Bo")],
)
STAMP = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_meeting(start: datetime, minutes: int = 60, recurrence: Recurrence | None = None,
                 time_zone: str = STOCKHOLM, **changes) -> ScheduledMeeting:
    meeting = ScheduledMeeting(
        meeting_id="0123456789abcdef01234567",
        organiser_id="@olle:example.se",
        room_id="!room:example.se",
        join_url=JOIN_URL,
        title="Samråd om <detaljplan>; \"etapp 2\"",
        description="Agenda:\n1. Läget\n2. Nästa steg",
        times=MeetingTimes(start, start + timedelta(minutes=minutes), time_zone),
        recurrence=recurrence,
        policy=MeetingPolicy(),
        participants=(Participant(ParticipantKind.EMAIL, "anna@example.org"),
                      Participant(ParticipantKind.MATRIX, "@bo:example.se")),
        created_ts=1_772_000_000_000,
        updated_ts=1_772_000_000_000,
    )
    return replace(meeting, **changes)


def ics_text(meeting: ScheduledMeeting, method: str = METHOD_REQUEST,
             offsets: tuple[int, ...] = (900,)) -> str:
    return build_meeting_ics(meeting, method, "example.se", ADDRESSES, offsets, "sv", STAMP).decode()


def only_event(text: str):
    events = Calendar.from_ical(text).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def unfolded_lines(text: str) -> list[str]:
    # RFC 5545 section 3.1: a line starting with a space continues the previous one.
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def property_line(text: str, name: str) -> str:
    """Return the one line of the VEVENT's own property `name`."""
    lines = unfolded_lines(text)
    start = lines.index("BEGIN:VEVENT")
    end = next(index for index in range(start, len(lines))
               if lines[index] in ("BEGIN:VALARM", "END:VEVENT"))
    matches = [line for line in lines[start:end] if re.match(rf"^{name}[;:]", line)]
    assert len(matches) == 1, f"{name} appears {len(matches)} times"
    return matches[0]


def independent_start_utc(text: str) -> datetime:
    """Resolve DTSTART to UTC with dateutil alone, from the raw lines of the file."""
    line = property_line(text, "DTSTART")
    match = re.match(r"^DTSTART;TZID=([^:;]+):(\d{8}T\d{6})$", line)
    assert match, f"DTSTART is not a local time with TZID: {line}"
    zones = dateutil_tz.tzical(io.StringIO(text))
    local = datetime.strptime(match.group(2), "%Y%m%dT%H%M%S")
    return local.replace(tzinfo=zones.get(match.group(1))).astimezone(UTC)


def independent_occurrences_utc(text: str) -> list[datetime]:
    """Expand DTSTART + RRULE with dateutil in the zone the file's VTIMEZONE defines."""
    zones = dateutil_tz.tzical(io.StringIO(text))
    match = re.match(r"^DTSTART;TZID=([^:;]+):(\d{8}T\d{6})$", property_line(text, "DTSTART"))
    assert match
    zone = zones.get(match.group(1))
    start = datetime.strptime(match.group(2), "%Y%m%dT%H%M%S").replace(tzinfo=zone)
    rule_text = property_line(text, "RRULE").removeprefix("RRULE:")
    rule = dateutil_rrule.rrulestr(rule_text, dtstart=start)
    return [occurrence.astimezone(UTC) for occurrence in rule]


# Day before, day of and day after each 2026 switch, at 10:00 local time.
DST_CASES = [
    (datetime(2026, 3, 28, 10, 0), datetime(2026, 3, 28, 9, 0, tzinfo=UTC)),
    (datetime(2026, 3, 29, 10, 0), datetime(2026, 3, 29, 8, 0, tzinfo=UTC)),
    (datetime(2026, 3, 30, 10, 0), datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),
    (datetime(2026, 10, 24, 10, 0), datetime(2026, 10, 24, 8, 0, tzinfo=UTC)),
    (datetime(2026, 10, 25, 10, 0), datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
    (datetime(2026, 10, 26, 10, 0), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize("local_start, expected_utc", DST_CASES,
                         ids=[case[0].date().isoformat() for case in DST_CASES])
def test_dst_switch_days_resolve_to_utc(local_start, expected_utc):
    text = ics_text(make_meeting(local_start))

    event = only_event(text)
    assert event["DTSTART"].params["TZID"] == STOCKHOLM
    assert event["DTSTART"].dt.astimezone(UTC) == expected_utc
    assert event["DTEND"].dt.astimezone(UTC) == expected_utc + timedelta(hours=1)
    assert independent_start_utc(text) == expected_utc


def test_weekly_series_across_spring_switch():
    recurrence = Recurrence(Frequency.WEEKLY, count=4)
    meeting = make_meeting(datetime(2026, 3, 16, 10, 0), recurrence=recurrence)
    text = ics_text(meeting)

    expected = [datetime(2026, 3, 16, 9, 0, tzinfo=UTC), datetime(2026, 3, 23, 9, 0, tzinfo=UTC),
                datetime(2026, 3, 30, 8, 0, tzinfo=UTC), datetime(2026, 4, 6, 8, 0, tzinfo=UTC)]
    assert independent_occurrences_utc(text) == expected
    assert list(occurrences_utc(meeting.times, recurrence)) == expected

    local_times = {occurrence.astimezone(ZoneInfo(STOCKHOLM)).time() for occurrence in expected}
    assert local_times == {datetime(2026, 1, 1, 10, 0).time()}


def test_weekly_until_series_across_autumn_switch():
    recurrence = Recurrence(Frequency.WEEKLY, until=datetime(2026, 11, 2).date())
    meeting = make_meeting(datetime(2026, 10, 12, 10, 0), recurrence=recurrence)
    text = ics_text(meeting)

    assert property_line(text, "RRULE") == "RRULE:FREQ=WEEKLY;UNTIL=20261102T225959Z;INTERVAL=1"
    expected = [datetime(2026, 10, 12, 8, 0, tzinfo=UTC), datetime(2026, 10, 19, 8, 0, tzinfo=UTC),
                datetime(2026, 10, 26, 9, 0, tzinfo=UTC), datetime(2026, 11, 2, 9, 0, tzinfo=UTC)]
    assert independent_occurrences_utc(text) == expected
    assert list(occurrences_utc(meeting.times, recurrence)) == expected


def test_biweekly_series_parsed_by_icalendar():
    recurrence = Recurrence(Frequency.WEEKLY, interval=2, count=3)
    event = only_event(ics_text(make_meeting(datetime(2026, 3, 23, 14, 30), recurrence=recurrence)))

    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["INTERVAL"] == [2]
    assert rule["COUNT"] == [3]


def sample_instants(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Every six hours, and every 15 minutes on days when the offset changes.

    The dense samples catch an observance whose onset is an hour off.
    """
    instants = []
    day = start
    while day < end:
        next_day = day + timedelta(days=1)
        switch_day = day.astimezone(zone).utcoffset() != next_day.astimezone(zone).utcoffset()
        step = timedelta(minutes=15) if switch_day else timedelta(hours=6)
        instant = day
        while instant < next_day:
            instants.append(instant)
            instant += step
        day = next_day
    return instants


@pytest.mark.parametrize("zone_name", [
    "Europe/Stockholm", "Europe/Helsinki", "Europe/Dublin", "America/New_York",
    "Australia/Sydney", "Asia/Tokyo",
])
def test_vtimezone_matches_zone_data(zone_name):
    zone = ZoneInfo(zone_name)
    text = build_vtimezone(zone_name, datetime(2026, 3, 30, 10), datetime(2026, 12, 1, 10)).to_ical()
    from_dateutil = dateutil_tz.tzical(io.StringIO(text.decode())).get(zone_name)
    from_icalendar = Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n" + text + b"END:VCALENDAR\r\n"
    ).walk("VTIMEZONE")[0].to_tz()

    for instant in sample_instants(zone, datetime(2026, 1, 1, tzinfo=UTC),
                                   datetime(2028, 1, 1, tzinfo=UTC)):
        expected = instant.astimezone(zone).utcoffset()
        assert instant.astimezone(from_dateutil).utcoffset() == expected, instant
        assert instant.astimezone(from_icalendar).utcoffset() == expected, instant


def test_vtimezone_onset_is_local_time_before_switch():
    text = build_vtimezone(STOCKHOLM, datetime(2026, 5, 1), datetime(2026, 5, 1)).to_ical().decode()
    lines = unfolded_lines(text)

    daylight = lines[lines.index("BEGIN:DAYLIGHT"):lines.index("END:DAYLIGHT")]
    standard = lines[lines.index("BEGIN:STANDARD"):lines.index("END:STANDARD")]
    # Spring: 02:00 CET jumps to 03:00 CEST. Autumn: 03:00 CEST falls back to 02:00 CET.
    assert "DTSTART:20250330T020000" in daylight
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in daylight
    assert "TZOFFSETFROM:+0100" in daylight
    assert "TZOFFSETTO:+0200" in daylight
    assert "DTSTART:20251026T030000" in standard
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in standard
    assert "TZOFFSETFROM:+0200" in standard
    assert "TZOFFSETTO:+0100" in standard


def test_update_and_cancel_keep_uid_raise_sequence():
    original = make_meeting(datetime(2026, 3, 30, 10, 0))
    moved = replace(original, times=MeetingTimes(datetime(2026, 3, 31, 13, 0),
                                                 datetime(2026, 3, 31, 14, 0), STOCKHOLM),
                    sequence=1)
    cancelled = replace(moved, status=MeetingStatus.CANCELLED, sequence=2)

    invitation = Calendar.from_ical(ics_text(original))
    update = Calendar.from_ical(ics_text(moved))
    cancellation = Calendar.from_ical(ics_text(cancelled, METHOD_CANCEL))

    events = [calendar.walk("VEVENT")[0] for calendar in (invitation, update, cancellation)]
    assert {str(event["UID"]) for event in events} == {"0123456789abcdef01234567@example.se"}
    assert [int(event["SEQUENCE"]) for event in events] == [0, 1, 2]
    assert [str(calendar["METHOD"]) for calendar in (invitation, update, cancellation)] == [
        "REQUEST", "REQUEST", "CANCEL"]
    assert str(events[1]["STATUS"]) == "CONFIRMED"
    assert str(events[2]["STATUS"]) == "CANCELLED"
    assert events[1]["DTSTART"].dt.astimezone(UTC) == datetime(2026, 3, 31, 11, 0, tzinfo=UTC)
    assert events[2].walk("VALARM") == []


def test_invitation_has_required_properties():
    text = ics_text(make_meeting(datetime(2026, 3, 30, 10, 0)))
    calendar = Calendar.from_ical(text)
    event = calendar.walk("VEVENT")[0]

    assert str(calendar["PRODID"]) == "-//Hubs//Hubs calendar//SV"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == [STOCKHOLM]
    assert str(event["SUMMARY"]) == "Samråd om <detaljplan>; \"etapp 2\""
    assert event["DTSTAMP"].dt == STAMP
    assert str(event["LOCATION"]) == JOIN_URL
    assert str(event["URL"]) == JOIN_URL
    assert str(event["CONFERENCE"]) == JOIN_URL
    assert event["CONFERENCE"].params["FEATURE"] == ["AUDIO", "VIDEO"]

    organiser = event["ORGANIZER"]
    assert str(organiser) == "mailto:organiser@example.se"
    assert organiser.params["CN"] == "Olle Organisatör"
    attendees = event["ATTENDEE"]
    assert [str(attendee) for attendee in attendees] == ["mailto:anna@example.org",
                                                          "mailto:bo@example.org"]
    assert {attendee.params["PARTSTAT"] for attendee in attendees} == {"NEEDS-ACTION"}


def test_description_is_swedish_then_english():
    description = str(only_event(ics_text(make_meeting(datetime(2026, 3, 31, 10, 0))))["DESCRIPTION"])

    swedish, english, own = description.split("\n\n---\n\n")
    assert "Videomöte i Hubs." in swedish
    assert "tisdag 31 mars 2026 kl. 10:00–11:00 (Europe/Stockholm, CEST)" in swedish
    assert f"Gå med: {JOIN_URL}" in swedish
    assert "Video meeting in Hubs." in english
    assert "Tuesday 31 March 2026 at 10:00–11:00 (Europe/Stockholm, CEST)" in english
    assert f"Join: {JOIN_URL}" in english
    assert own == "Agenda:\n1. Läget\n2. Nästa steg"


def test_alarm_per_configured_offset():
    event = only_event(ics_text(make_meeting(datetime(2026, 3, 30, 10, 0)), offsets=(86400, 900)))

    alarms = event.walk("VALARM")
    assert [str(alarm["ACTION"]) for alarm in alarms] == ["DISPLAY", "DISPLAY"]
    assert [alarm["TRIGGER"].dt for alarm in alarms] == [timedelta(days=-1), timedelta(minutes=-15)]
    assert "börjar snart" in str(alarms[0]["DESCRIPTION"])
    assert "starts soon" in str(alarms[0]["DESCRIPTION"])


def test_calendar_without_attendees_is_valid():
    meeting = make_meeting(datetime(2026, 3, 30, 10, 0))
    calendar = build_meeting_calendar(
        meeting, METHOD_REQUEST, "example.se", CalendarAddress("noreply@example.se"), [],
        EventTexts("Beskrivning", "Påminnelse", "Gå med"), (), STAMP,
    )

    event = Calendar.from_ical(calendar.to_ical()).walk("VEVENT")[0]
    assert "ATTENDEE" not in event
    assert event.walk("VALARM") == []


def test_todo_links_back_to_message():
    permalink = "https://matrix.to/#/%21room%3Aexample.se/%24event?via=example.se"
    calendar = build_todo_calendar("todo-1@example.se", "Skicka protokollet",
                                   "Skicka protokollet till alla", permalink, STAMP)

    parsed = Calendar.from_ical(calendar.to_ical())
    todos = parsed.walk("VTODO")
    assert str(parsed["METHOD"]) == "PUBLISH"
    assert len(todos) == 1
    assert str(todos[0]["UID"]) == "todo-1@example.se"
    assert str(todos[0]["SUMMARY"]) == "Skicka protokollet"
    assert str(todos[0]["URL"]) == permalink
    assert str(todos[0]["STATUS"]) == "NEEDS-ACTION"
