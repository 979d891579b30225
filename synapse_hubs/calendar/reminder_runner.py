# SPDX-License-Identifier: AGPL-3.0-or-later
"""Send due reminders by e-mail and as a Matrix mention, on one Synapse process only.

The schedule lives in the hubs_calendar_reminders table, so reminders
survive restarts. A poll runs every `calendar.reminder_poll_interval` on the
instance that runs background tasks (`run_background_tasks_on`, the main
process by default). Reminders that fell due while Synapse was down go out
on the first poll after start, unless their occurrence has already begun.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable

from synapse.module_api import LoggingTransaction, ModuleApi

from synapse_hubs.calendar.config import CalendarConfig
from synapse_hubs.calendar.local_time import load_zone
from synapse_hubs.calendar.meeting_mailer import MeetingMailer
from synapse_hubs.calendar.model import MeetingStatus, ScheduledMeeting
from synapse_hubs.calendar.participant_directory import ParticipantDirectory
from synapse_hubs.calendar.reminder_plan import (
    OUTCOME_CANCELLED,
    OUTCOME_SENT,
    DueReminder,
    decide_outcomes,
    plan_next_reminders,
)
from synapse_hubs.calendar.reminder_store import (
    insert_reminders_txn,
    mark_reminder_txn,
    select_due_reminders_txn,
)
from synapse_hubs.calendar.room_messages import RoomMessages
from synapse_hubs.calendar.schedule_store import get_meeting_txn
from synapse_hubs.calendar.texts import bilingual
from synapse_hubs.calendar.time_text import format_time_range

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimedReminder:
    reminder: DueReminder
    meeting: ScheduledMeeting


class ReminderRunner:
    def __init__(
        self,
        api: ModuleApi,
        config: CalendarConfig,
        messages: RoomMessages,
        mailer: MeetingMailer,
        directory: ParticipantDirectory,
        wait_ready: Callable[[], Awaitable[None]],
    ) -> None:
        self._api = api
        self._config = config
        self._messages = messages
        self._mailer = mailer
        self._directory = directory
        self._wait_ready = wait_ready

    def start(self) -> None:
        """Start polling if this process runs background tasks; other processes do nothing."""
        if not self._api.should_run_background_tasks():
            logger.info("Calendar reminders run on the background-task instance, not on %s",
                        self._api.worker_name)
            return

        self._api.looping_background_call(
            self.run_once,
            self._config.reminder_poll_interval_s * 1000,
            desc="hubs_calendar_reminders",
        )
        logger.info("Calendar reminders started: offsets %s s, poll every %d s",
                    list(self._config.reminder_offsets_s), self._config.reminder_poll_interval_s)

    async def run_once(self) -> None:
        """Claim every due reminder and deliver the ones that should go out."""
        await self._wait_ready()
        now_ms = self._api.get_current_time_msec()
        claimed = await self._api.run_db_interaction(
            "hubs_calendar_claim_reminders",
            _claim_due_txn,
            now_ms,
            self._config.reminder_offsets_s,
        )
        for claim in claimed:
            await self._deliver(claim)

    async def _deliver(self, claim: ClaimedReminder) -> None:
        meeting = claim.meeting
        occurrence = datetime.fromtimestamp(claim.reminder.occurrence_ts / 1000, tz=timezone.utc)
        local_start = occurrence.astimezone(load_zone(meeting.times.time_zone)).replace(tzinfo=None)
        logger.info("Sending reminder of meeting %s (room %s) for %s, %d s before",
                    meeting.meeting_id, meeting.room_id, occurrence.isoformat(),
                    claim.reminder.offset_s)

        try:
            await self._send_room_reminder(meeting, local_start, claim.reminder.occurrence_ts)
        except Exception:
            logger.exception("Reminder of meeting %s: posting in room %s failed",
                             meeting.meeting_id, meeting.room_id)

        try:
            await self._mailer.send_reminder(meeting, local_start)
        except Exception:
            logger.exception("Reminder of meeting %s: sending e-mails failed", meeting.meeting_id)

    async def _send_room_reminder(
        self, meeting: ScheduledMeeting, local_start: datetime, occurrence_ts: int
    ) -> None:
        user_ids = [meeting.organiser_id] + meeting.matrix_participants
        mentioned = [(user_id, await self._directory.display_name(user_id)) for user_id in user_ids]
        body = bilingual(
            "notice.reminder",
            self._config.email_language,
            title=meeting.title,
            time=lambda language: format_time_range(meeting.times, language, local_start),
            url=meeting.join_url,
        )
        await self._messages.send_reminder(
            meeting.room_id, body, mentioned, meeting.meeting_id, occurrence_ts
        )


def _claim_due_txn(
    txn: LoggingTransaction, now_ms: int, offsets_s: tuple[int, ...]
) -> list[ClaimedReminder]:
    """Mark every due reminder as handled and return those to send.

    Runs in one transaction: the same commit that marks a reminder also
    stores the reminders of the meeting's next occurrence.
    """
    due = select_due_reminders_txn(txn, now_ms)
    meetings = {reminder.meeting_id: get_meeting_txn(txn, reminder.meeting_id) for reminder in due}
    outcomes = decide_outcomes(due, now_ms)

    claimed = []
    planned_after: set[tuple[str, int]] = set()
    for reminder in due:
        meeting = meetings[reminder.meeting_id]
        active = meeting is not None and meeting.status is MeetingStatus.SCHEDULED
        outcome = outcomes[reminder] if active else OUTCOME_CANCELLED
        if not mark_reminder_txn(txn, reminder, now_ms, outcome):
            continue

        if outcome != OUTCOME_CANCELLED:
            logger.info("Reminder of meeting %s for occurrence %d (%d s before): %s",
                        reminder.meeting_id, reminder.occurrence_ts, reminder.offset_s, outcome)
        if outcome == OUTCOME_SENT and meeting is not None:
            claimed.append(ClaimedReminder(reminder, meeting))

        key = (reminder.meeting_id, reminder.occurrence_ts)
        if active and meeting is not None and key not in planned_after:
            planned_after.add(key)
            following = plan_next_reminders(meeting, offsets_s, reminder.occurrence_ts, now_ms)
            insert_reminders_txn(txn, reminder.meeting_id, following)
    return claimed
