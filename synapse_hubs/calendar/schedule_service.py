# SPDX-License-Identifier: AGPL-3.0-or-later
"""Schedule, edit and cancel meetings, and tell the participants about each change.

The meeting room is created when the meeting is scheduled and is never
removed here: its chat stays available before, during and after the
meeting, also after a cancellation. Every change sent to the participants
raises the SEQUENCE by one (RFC 5546), so calendar clients replace their
copy of the event.
"""

import logging
import secrets
from dataclasses import replace

from synapse.module_api import ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.calendar.config import CalendarConfig
from synapse_hubs.calendar.email_content import EmailKind
from synapse_hubs.calendar.local_time import last_local_start, load_zone, local_end, to_utc
from synapse_hubs.calendar.meeting_mailer import MeetingMailer
from synapse_hubs.calendar.meeting_rooms import MeetingRooms
from synapse_hubs.calendar.model import (
    MeetingPolicy,
    MeetingStatus,
    Participant,
    ParticipantKind,
    ScheduledMeeting,
)
from synapse_hubs.calendar.reminder_plan import plan_next_reminders
from synapse_hubs.calendar.room_messages import RoomMessages
from synapse_hubs.calendar.schedule_request import ScheduleFields
from synapse_hubs.calendar.schedule_store import ScheduleStore
from synapse_hubs.calendar.texts import bilingual
from synapse_hubs.calendar.time_text import format_time_range
from synapse_hubs.eid.policy import EidPolicy

logger = logging.getLogger(__name__)

# Guests may come back through the link to read the chat for this long
# after the last occurrence has ended.
GUEST_RETURN_PERIOD_MS = 30 * 24 * 3600 * 1000

# errcode of the 409 response when another request changed the meeting first.
ERRCODE_CONFLICT = "SE_HUBS_SCHEDULE_CONFLICT"


class ScheduleService:
    def __init__(
        self,
        api: ModuleApi,
        config: CalendarConfig,
        store: ScheduleStore,
        rooms: MeetingRooms,
        messages: RoomMessages,
        mailer: MeetingMailer,
        server_eid_policy: EidPolicy,
    ) -> None:
        self._api = api
        self._config = config
        self._store = store
        self._rooms = rooms
        self._messages = messages
        self._mailer = mailer
        self._server_eid_policy = server_eid_policy

    async def create(
        self, organiser_id: str, fields: ScheduleFields, source_permalink: str | None = None
    ) -> ScheduledMeeting:
        """Create the meeting room, store the meeting and send the invitations."""
        assert fields.title is not None and fields.times is not None
        now_ms = self._api.get_current_time_msec()
        policy = fields.policy or MeetingPolicy()
        participants = _without(fields.participants or (), organiser_id)

        draft = ScheduledMeeting(
            meeting_id=secrets.token_hex(12),
            organiser_id=organiser_id,
            room_id="",
            join_url="",
            title=fields.title,
            description=fields.description or "",
            times=fields.times,
            recurrence=fields.recurrence,
            policy=policy,
            participants=participants,
            source_permalink=source_permalink,
            created_ts=now_ms,
            updated_ts=now_ms,
        )
        room = await self._rooms.create(
            organiser_id, draft.title, policy, _link_expiry_ts(draft)
        )
        meeting = replace(draft, room_id=room.room_id, join_url=room.join_url)

        reminders = plan_next_reminders(meeting, self._config.reminder_offsets_s, now_ms, now_ms)
        await self._store.insert(meeting, _first_start_ts(meeting), reminders)
        logger.info(
            "Scheduled meeting %s in room %s for %s with %d participants and %d reminders",
            meeting.meeting_id, meeting.room_id, organiser_id, len(participants), len(reminders),
        )

        await self._invite(meeting, meeting.matrix_participants)
        await self._post_notice(meeting, "scheduled")
        if source_permalink:
            await self._post_source_link(meeting)
        self._mail_in_background(meeting, EmailKind.INVITATION)
        return meeting

    async def update(
        self, meeting_id: str, user_id: str, fields: ScheduleFields
    ) -> ScheduledMeeting:
        """Apply an edit by the organiser and send updates; unchanged meetings stay as they are."""
        current = await self._require_organiser(meeting_id, user_id)
        if current.status is MeetingStatus.CANCELLED:
            raise SynapseError(400, "The meeting is cancelled and can no longer be changed",
                               Codes.INVALID_PARAM)

        edited = _apply_fields(current, fields)
        if edited == current:
            return current
        _check_series_end(edited)

        now_ms = self._api.get_current_time_msec()
        updated = replace(edited, sequence=current.sequence + 1, updated_ts=now_ms)
        reminders = plan_next_reminders(updated, self._config.reminder_offsets_s, now_ms, now_ms)
        await self._save(updated, current, reminders)
        logger.info("Updated meeting %s (room %s) to sequence %d",
                    meeting_id, updated.room_id, updated.sequence)

        if updated.title != current.title:
            await self._rename_room(updated)
        if updated.policy.eid != current.policy.eid:
            await self._update_eid_policy(updated)
        added = set(updated.matrix_participants) - set(current.matrix_participants)
        await self._invite(updated, sorted(added))
        await self._post_notice(updated, "updated")

        self._mail_in_background(updated, EmailKind.UPDATE)
        kept_addresses = {participant.address for participant in updated.participants}
        removed = [participant for participant in current.participants
                   if participant.address not in kept_addresses]
        if removed:
            # Removed participants get a cancellation, so the event leaves their calendars.
            self._mail_in_background(replace(updated, participants=tuple(removed),
                                             status=MeetingStatus.CANCELLED),
                                     EmailKind.CANCELLATION)
        return updated

    async def cancel(self, meeting_id: str, user_id: str) -> ScheduledMeeting:
        """Cancel every occurrence; the room and its chat stay."""
        current = await self._require_organiser(meeting_id, user_id)
        if current.status is MeetingStatus.CANCELLED:
            return current

        now_ms = self._api.get_current_time_msec()
        cancelled = replace(current, status=MeetingStatus.CANCELLED,
                            sequence=current.sequence + 1, updated_ts=now_ms)
        await self._save(cancelled, current, reminders=[])
        logger.info("Cancelled meeting %s (room %s)", meeting_id, cancelled.room_id)

        await self._post_notice(cancelled, "cancelled")
        self._mail_in_background(cancelled, EmailKind.CANCELLATION)
        return cancelled

    async def get_visible(self, meeting_id: str, user_id: str) -> ScheduledMeeting:
        """Return the meeting if the user organises it, is invited to it or is in its room."""
        meeting = await self._store.get(meeting_id)
        if meeting is None or not await self._can_see(meeting, user_id):
            # The same response whether or not the meeting exists.
            raise SynapseError(404, "Meeting not found", Codes.NOT_FOUND)
        return meeting

    async def list_for(self, user_id: str) -> list[ScheduledMeeting]:
        return await self._store.list_for_user(user_id)

    async def _require_organiser(self, meeting_id: str, user_id: str) -> ScheduledMeeting:
        meeting = await self.get_visible(meeting_id, user_id)
        if meeting.organiser_id != user_id:
            logger.info("Refused change of meeting %s by %s: not the organiser", meeting_id, user_id)
            raise SynapseError(403, "Only the organiser can change this meeting", Codes.FORBIDDEN)
        return meeting

    async def _can_see(self, meeting: ScheduledMeeting, user_id: str) -> bool:
        if user_id == meeting.organiser_id or user_id in meeting.matrix_participants:
            return True
        state = await self._api.get_room_state(meeting.room_id, [("m.room.member", user_id)])
        member = state.get(("m.room.member", user_id))
        return member is not None and member.content.get("membership") in ("join", "invite")

    async def _save(self, meeting: ScheduledMeeting, current: ScheduledMeeting, reminders) -> None:
        saved = await self._store.update(
            meeting, _first_start_ts(meeting), current.sequence, reminders
        )
        if not saved:
            raise SynapseError(
                409, "The meeting was changed by another request; load it again and retry",
                ERRCODE_CONFLICT,
            )

    async def _invite(self, meeting: ScheduledMeeting, user_ids: list[str]) -> None:
        if not user_ids:
            return
        failed = await self._rooms.invite(meeting.room_id, user_ids)
        if failed:
            logger.warning("Meeting %s: could not invite %s to room %s",
                           meeting.meeting_id, failed, meeting.room_id)

    async def _rename_room(self, meeting: ScheduledMeeting) -> None:
        try:
            await self._rooms.rename(meeting.room_id, meeting.title)
        except SynapseError:
            logger.exception("Meeting %s: could not rename room %s",
                             meeting.meeting_id, meeting.room_id)

    async def _update_eid_policy(self, meeting: ScheduledMeeting) -> None:
        # Room state cannot be deleted, so going back to the server default
        # writes the server default policy.
        content = meeting.policy.eid or self._server_eid_policy.to_content()
        try:
            await self._rooms.set_eid_policy(meeting.room_id, content)
        except SynapseError:
            logger.exception("Meeting %s: could not update the e-ID policy of room %s",
                             meeting.meeting_id, meeting.room_id)

    async def _post_notice(self, meeting: ScheduledMeeting, change: str) -> None:
        body = bilingual(
            f"notice.{change}",
            self._config.email_language,
            title=meeting.title,
            time=lambda language: format_time_range(meeting.times, language),
        )
        await self._send_notice(meeting, body, change)

    async def _post_source_link(self, meeting: ScheduledMeeting) -> None:
        body = bilingual("notice.source", self._config.email_language, url=meeting.source_permalink)
        await self._send_notice(meeting, body, "source")

    async def _send_notice(self, meeting: ScheduledMeeting, body: str, change: str) -> None:
        try:
            await self._messages.send_notice(meeting.room_id, body, meeting.meeting_id, change)
        except SynapseError:
            # The schedule change is stored and mailed even if the room refuses the notice.
            logger.exception("Meeting %s: could not post the %s notice in room %s",
                             meeting.meeting_id, change, meeting.room_id)

    def _mail_in_background(self, meeting: ScheduledMeeting, kind: EmailKind) -> None:
        # TODO: keep unsent e-mails in a table, so a restart during sending does not lose them.
        self._api.run_as_background_process(
            f"hubs_calendar_mail_{kind.value}", self._mail, meeting, kind
        )

    async def _mail(self, meeting: ScheduledMeeting, kind: EmailKind) -> None:
        try:
            await self._mailer.send_schedule_change(meeting, kind)
        except Exception:
            logger.exception("Meeting %s: sending the %s e-mails failed", meeting.meeting_id, kind.value)


def _apply_fields(meeting: ScheduledMeeting, fields: ScheduleFields) -> ScheduledMeeting:
    return replace(
        meeting,
        title=fields.title if fields.title is not None else meeting.title,
        description=fields.description if fields.description is not None else meeting.description,
        times=fields.times or meeting.times,
        recurrence=fields.recurrence if fields.recurrence_given else meeting.recurrence,
        participants=(_without(fields.participants, meeting.organiser_id)
                      if fields.participants is not None else meeting.participants),
        policy=fields.policy or meeting.policy,
    )


def _check_series_end(meeting: ScheduledMeeting) -> None:
    # A moved start can pass a stored `until`, which the request itself never named.
    recurrence = meeting.recurrence
    if recurrence and recurrence.until and recurrence.until < meeting.times.start_local.date():
        raise SynapseError(400, "recurrence.until is before start; change or remove the "
                           "recurrence", Codes.INVALID_PARAM)


def _without(participants: tuple[Participant, ...], organiser_id: str) -> tuple[Participant, ...]:
    return tuple(
        participant for participant in participants
        if not (participant.kind is ParticipantKind.MATRIX and participant.address == organiser_id)
    )


def _first_start_ts(meeting: ScheduledMeeting) -> int:
    start = to_utc(meeting.times.start_local, load_zone(meeting.times.time_zone))
    return int(start.timestamp() * 1000)


def _link_expiry_ts(meeting: ScheduledMeeting) -> int | None:
    """Return when the guest link should stop working, or None for a series without end."""
    last_start = last_local_start(meeting.times, meeting.recurrence)
    if last_start is None:
        return None
    last_end = to_utc(local_end(last_start, meeting.times), load_zone(meeting.times.time_zone))
    return int(last_end.timestamp() * 1000) + GUEST_RETURN_PERIOD_MS

