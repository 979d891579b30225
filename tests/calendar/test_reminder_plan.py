# SPDX-License-Identifier: AGPL-3.0-or-later
"""Which reminders are stored, and which overdue ones are sent after downtime."""

from datetime import datetime, timedelta, timezone

from synapse_hubs.calendar.model import (
    Frequency,
    MeetingPolicy,
    MeetingTimes,
    Recurrence,
    ScheduledMeeting,
)
from synapse_hubs.calendar.reminder_plan import (
    OUTCOME_SENT,
    OUTCOME_SUPERSEDED,
    OUTCOME_TOO_LATE,
    DueReminder,
    decide_outcomes,
    plan_next_reminders,
)

UTC = timezone.utc
MINUTE_MS = 60_000


def ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def meeting(start: datetime, recurrence: Recurrence | None = None) -> ScheduledMeeting:
    return ScheduledMeeting(
        meeting_id="m1", organiser_id="@o:example.se", room_id="!r:example.se",
        join_url="https://example.se/join", title="Möte", description="",
        times=MeetingTimes(start, start + timedelta(hours=1), "Europe/Stockholm"),
        recurrence=recurrence, policy=MeetingPolicy(),
    )


def test_plan_covers_first_occurrence():
    now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    planned = plan_next_reminders(meeting(datetime(2026, 3, 2, 10, 0)), (86400, 900), ms(now), ms(now))

    start = ms(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert [(r.occurrence_ts, r.offset_s, r.due_ts) for r in planned] == [
        (start, 86400, start - 1440 * MINUTE_MS),
        (start, 900, start - 15 * MINUTE_MS),
    ]


def test_plan_leaves_out_past_reminders():
    # Scheduled ten minutes ahead: no "in 15 minutes" reminder, the "in 1 minute" one stays.
    now = datetime(2026, 3, 2, 8, 50, tzinfo=UTC)
    planned = plan_next_reminders(meeting(datetime(2026, 3, 2, 10, 0)), (900, 60), ms(now), ms(now))

    assert [r.offset_s for r in planned] == [60]


def test_plan_skips_to_next_occurrence_of_series():
    series = meeting(datetime(2026, 3, 2, 10, 0), Recurrence(Frequency.WEEKLY, count=3))
    now = datetime(2026, 3, 2, 8, 55, tzinfo=UTC)

    planned = plan_next_reminders(series, (900,), ms(now), ms(now))

    assert [r.occurrence_ts for r in planned] == [ms(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))]


def test_plan_after_occurrence_keeps_local_time_over_switch():
    series = meeting(datetime(2026, 3, 23, 10, 0), Recurrence(Frequency.WEEKLY))
    first = ms(datetime(2026, 3, 23, 9, 0, tzinfo=UTC))

    planned = plan_next_reminders(series, (900,), first, first)

    # 10:00 CEST on 30 March is 08:00 UTC.
    assert [r.occurrence_ts for r in planned] == [ms(datetime(2026, 3, 30, 8, 0, tzinfo=UTC))]


def test_plan_empty_after_last_occurrence():
    series = meeting(datetime(2026, 3, 2, 10, 0), Recurrence(Frequency.WEEKLY, count=2))
    now = ms(datetime(2026, 3, 9, 12, 0, tzinfo=UTC))

    assert plan_next_reminders(series, (900,), now, now) == []


def test_overdue_reminder_before_start_is_sent():
    start = ms(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    due = DueReminder("m1", start, 900, start - 15 * MINUTE_MS)

    outcomes = decide_outcomes([due], now_ts=start - 2 * MINUTE_MS)

    assert outcomes == {due: OUTCOME_SENT}


def test_reminder_after_start_is_skipped():
    start = ms(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    due = DueReminder("m1", start, 900, start - 15 * MINUTE_MS)

    assert decide_outcomes([due], now_ts=start + MINUTE_MS) == {due: OUTCOME_TOO_LATE}


def test_only_latest_reminder_of_occurrence_is_sent():
    start = ms(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    day_before = DueReminder("m1", start, 86400, start - 1440 * MINUTE_MS)
    quarter_before = DueReminder("m1", start, 900, start - 15 * MINUTE_MS)
    other_meeting = DueReminder("m2", start, 86400, start - 1440 * MINUTE_MS)

    outcomes = decide_outcomes([day_before, quarter_before, other_meeting],
                               now_ts=start - 5 * MINUTE_MS)

    assert outcomes == {
        day_before: OUTCOME_SUPERSEDED,
        quarter_before: OUTCOME_SENT,
        other_meeting: OUTCOME_SENT,
    }
