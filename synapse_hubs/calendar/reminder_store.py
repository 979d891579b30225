# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rows of the reminder schedule, read and written inside database transactions.

A reminder row is claimed by setting its sent_ts in the transaction that
reads it, with `sent_ts IS NULL` in the UPDATE's condition. A second claimer
(another process, or a retry after a crash) therefore finds nothing to
update. The price is at-most-once delivery: a crash between the commit and
the send loses that one reminder instead of sending it twice.
"""

from typing import Sequence

from synapse.module_api import LoggingTransaction

from synapse_hubs.calendar.reminder_plan import DueReminder, PlannedReminder

# Caps one claim transaction; the next poll takes the rest.
CLAIM_BATCH_SIZE = 100


def replace_pending_reminders_txn(
    txn: LoggingTransaction, meeting_id: str, reminders: Sequence[PlannedReminder]
) -> None:
    """Drop the meeting's unsent reminders and store `reminders` instead.

    Reminders already sent stay, so a reminder with the same occurrence and
    offset as a sent one is not stored again.
    """
    txn.execute(
        "DELETE FROM hubs_calendar_reminders WHERE meeting_id = ? AND sent_ts IS NULL",
        (meeting_id,),
    )
    insert_reminders_txn(txn, meeting_id, reminders)


def insert_reminders_txn(
    txn: LoggingTransaction, meeting_id: str, reminders: Sequence[PlannedReminder]
) -> None:
    for reminder in reminders:
        # ON CONFLICT DO NOTHING works on SQLite 3.24+ and PostgreSQL 9.5+.
        txn.execute(
            "INSERT INTO hubs_calendar_reminders (meeting_id, occurrence_ts, offset_s, due_ts) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id, occurrence_ts, offset_s) DO NOTHING",
            (meeting_id, reminder.occurrence_ts, reminder.offset_s, reminder.due_ts),
        )


def select_due_reminders_txn(txn: LoggingTransaction, now_ts: int) -> list[DueReminder]:
    txn.execute(
        "SELECT meeting_id, occurrence_ts, offset_s, due_ts FROM hubs_calendar_reminders "
        "WHERE sent_ts IS NULL AND due_ts <= ? ORDER BY due_ts LIMIT ?",
        (now_ts, CLAIM_BATCH_SIZE),
    )
    return [DueReminder(*row) for row in txn.fetchall()]


def mark_reminder_txn(
    txn: LoggingTransaction, reminder: DueReminder, now_ts: int, outcome: str
) -> bool:
    """Set sent_ts and outcome unless another transaction did; True if this one did."""
    txn.execute(
        "UPDATE hubs_calendar_reminders SET sent_ts = ?, outcome = ? "
        "WHERE meeting_id = ? AND occurrence_ts = ? AND offset_s = ? AND sent_ts IS NULL",
        (now_ts, outcome, reminder.meeting_id, reminder.occurrence_ts, reminder.offset_s),
    )
    return txn.rowcount == 1


def delete_pending_reminders_txn(txn: LoggingTransaction, meeting_id: str) -> None:
    txn.execute(
        "DELETE FROM hubs_calendar_reminders WHERE meeting_id = ? AND sent_ts IS NULL",
        (meeting_id,),
    )
