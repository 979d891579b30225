# SPDX-License-Identifier: AGPL-3.0-or-later
"""Planning of a meeting's stored reminders, and the outcome of overdue ones.

Only the reminders of the next occurrence are stored. When one of them is
claimed, the reminders of the following occurrence are added in the same
transaction, so a series of any length needs a handful of rows.
"""

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Sequence

from synapse_hubs.calendar.local_time import occurrences_utc
from synapse_hubs.calendar.model import ScheduledMeeting

OUTCOME_SENT = "sent"
# The occurrence had started when the reminder was claimed, for example
# after downtime; a reminder then is noise.
OUTCOME_TOO_LATE = "too_late"
# A later reminder of the same occurrence was due too and is sent instead.
OUTCOME_SUPERSEDED = "superseded"
OUTCOME_CANCELLED = "cancelled"

# Bounds the scan of an open-ended series that started long ago.
_MAX_OCCURRENCES_SCANNED = 10_000


@dataclass(frozen=True)
class PlannedReminder:
    occurrence_ts: int  # UTC ms of the occurrence's start
    offset_s: int
    due_ts: int  # UTC ms


@dataclass(frozen=True)
class DueReminder:
    meeting_id: str
    occurrence_ts: int
    offset_s: int
    due_ts: int


def plan_next_reminders(
    meeting: ScheduledMeeting,
    offsets_s: Sequence[int],
    after_ts: int,
    now_ts: int,
) -> list[PlannedReminder]:
    """Return the reminders of the first occurrence after `after_ts` that has one due after `now_ts`.

    Reminders whose time has already passed are left out, so a meeting
    scheduled ten minutes ahead gets no "starts in 15 minutes" reminder.
    """
    after = datetime.fromtimestamp(after_ts / 1000, tz=timezone.utc)
    scanned = 0
    for start in occurrences_utc(meeting.times, meeting.recurrence, after=after):
        occurrence_ts = int(start.timestamp() * 1000)
        planned = [
            PlannedReminder(occurrence_ts, offset_s, occurrence_ts - offset_s * 1000)
            for offset_s in offsets_s
            if occurrence_ts - offset_s * 1000 > now_ts
        ]
        if planned:
            return planned

        scanned += 1
        if scanned >= _MAX_OCCURRENCES_SCANNED:
            break
    return []


def decide_outcomes(due: Iterable[DueReminder], now_ts: int) -> dict[DueReminder, str]:
    """Decide for each due reminder whether to send it or skip it.

    Per occurrence only the latest-due reminder is sent (after downtime the
    "1 day before" and "15 minutes before" reminders can both be due), and
    nothing is sent once the occurrence has started.
    """
    outcomes: dict[DueReminder, str] = {}
    latest: dict[tuple[str, int], DueReminder] = {}
    for reminder in due:
        if now_ts >= reminder.occurrence_ts:
            outcomes[reminder] = OUTCOME_TOO_LATE
            continue

        key = (reminder.meeting_id, reminder.occurrence_ts)
        previous = latest.get(key)
        if previous is None or reminder.due_ts > previous.due_ts:
            if previous is not None:
                outcomes[previous] = OUTCOME_SUPERSEDED
            latest[key] = reminder
            outcomes[reminder] = OUTCOME_SENT
        else:
            outcomes[reminder] = OUTCOME_SUPERSEDED
    return outcomes
