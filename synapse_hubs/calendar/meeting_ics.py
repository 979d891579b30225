# SPDX-License-Identifier: AGPL-3.0-or-later
"""The ICS file of a stored meeting: addresses, bilingual texts and alarms filled in."""

import email.utils
from dataclasses import dataclass
from datetime import datetime

from synapse_hubs.calendar.ics import CalendarAddress, EventTexts, build_meeting_calendar
from synapse_hubs.calendar.model import ScheduledMeeting
from synapse_hubs.calendar.participant_directory import ParticipantDirectory
from synapse_hubs.calendar.texts import bilingual, text
from synapse_hubs.calendar.time_text import format_recurrence, format_time_range


@dataclass(frozen=True)
class MeetingAddresses:
    organiser: CalendarAddress
    attendees: list[CalendarAddress]


async def resolve_addresses(
    meeting: ScheduledMeeting, directory: ParticipantDirectory, sender: str
) -> MeetingAddresses:
    """Find the ORGANIZER and ATTENDEE addresses of a meeting.

    The organiser's own e-mail address is used when their account has one,
    so replies reach them. Otherwise the invitations' sender address is
    used. Matrix participants appear as attendees only if their account has
    an e-mail address, because ATTENDEE needs a calendar address.
    """
    organiser_name = await directory.display_name(meeting.organiser_id)
    organiser_emails = await directory.email_addresses(meeting.organiser_id)
    organiser_email = organiser_emails[0] if organiser_emails else email.utils.parseaddr(sender)[1]

    attendees = [CalendarAddress(participant.address) for participant in meeting.email_participants]
    for user_id in meeting.matrix_participants:
        name = await directory.display_name(user_id)
        attendees.extend(
            CalendarAddress(address, name) for address in await directory.email_addresses(user_id)
        )
    return MeetingAddresses(CalendarAddress(organiser_email, organiser_name), attendees)


def event_description(meeting: ScheduledMeeting, first_language: str) -> str:
    """Return the DESCRIPTION: the meeting's details in both languages, `first_language` first.

    The organiser's own description follows once, in whatever language it was written.
    """
    second_language = "en" if first_language == "sv" else "sv"
    blocks = [_description_block(meeting, language) for language in (first_language, second_language)]
    if meeting.description:
        blocks.append(meeting.description)
    return "\n\n---\n\n".join(blocks)


def build_meeting_ics(
    meeting: ScheduledMeeting,
    method: str,
    server_name: str,
    addresses: MeetingAddresses,
    alarm_offsets_s: tuple[int, ...],
    first_language: str,
    stamp: datetime,
) -> bytes:
    texts = EventTexts(
        description=event_description(meeting, first_language),
        alarm=bilingual("ics.alarm", first_language, title=meeting.title).replace("\n", " / "),
        conference_label=text(first_language, "ics.conference"),
    )
    calendar = build_meeting_calendar(
        meeting,
        method,
        server_name,
        addresses.organiser,
        addresses.attendees,
        texts,
        alarm_offsets_s,
        stamp,
    )
    return calendar.to_ical()


def _description_block(meeting: ScheduledMeeting, language: str) -> str:
    lines = [
        text(language, "ics.intro"),
        format_time_range(meeting.times, language),
    ]
    if meeting.recurrence is not None:
        lines.append(format_recurrence(meeting.recurrence, language))
    lines.append(text(language, "ics.join", url=meeting.join_url))
    if meeting.source_permalink:
        lines.append(text(language, "ics.source", url=meeting.source_permalink))
    return "\n".join(lines)
