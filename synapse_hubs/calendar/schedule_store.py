# SPDX-License-Identifier: AGPL-3.0-or-later
"""Persist scheduled meetings and their participants in Synapse's database."""

import json
from datetime import datetime
from typing import Any, Sequence

from synapse.module_api import LoggingTransaction, ModuleApi

from synapse_hubs.calendar.model import (
    MeetingPolicy,
    MeetingStatus,
    MeetingTimes,
    Participant,
    ParticipantKind,
    Recurrence,
    ScheduledMeeting,
)
from synapse_hubs.calendar.reminder_plan import PlannedReminder
from synapse_hubs.calendar.reminder_store import replace_pending_reminders_txn

_COLUMNS = (
    "meeting_id, organiser_id, room_id, join_url, title, description, time_zone, "
    "start_local, end_local, first_start_ts, recurrence, policy, source_permalink, "
    "sequence, status, created_ts, updated_ts"
)


class ScheduleStore:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def insert(
        self, meeting: ScheduledMeeting, first_start_ts: int, reminders: Sequence[PlannedReminder]
    ) -> None:
        """Store a new meeting with its participants and first reminders."""
        await self._api.run_db_interaction(
            "hubs_calendar_insert_meeting",
            _insert_txn,
            meeting,
            first_start_ts,
            reminders,
        )

    async def update(
        self,
        meeting: ScheduledMeeting,
        first_start_ts: int,
        expected_sequence: int,
        reminders: Sequence[PlannedReminder],
    ) -> bool:
        """Replace a meeting if its stored SEQUENCE is still `expected_sequence`.

        Returns False when another request changed the meeting first, so the
        caller can report a conflict instead of overwriting that change.
        """
        return await self._api.run_db_interaction(
            "hubs_calendar_update_meeting",
            _update_txn,
            meeting,
            first_start_ts,
            expected_sequence,
            reminders,
        )

    async def get(self, meeting_id: str) -> ScheduledMeeting | None:
        return await self._api.run_db_interaction(
            "hubs_calendar_get_meeting", get_meeting_txn, meeting_id
        )

    async def list_for_user(self, user_id: str) -> list[ScheduledMeeting]:
        """Return meetings the user organises or is invited to, soonest first."""
        return await self._api.run_db_interaction(
            "hubs_calendar_list_meetings", _list_for_user_txn, user_id
        )


def _insert_txn(
    txn: LoggingTransaction,
    meeting: ScheduledMeeting,
    first_start_ts: int,
    reminders: Sequence[PlannedReminder],
) -> None:
    txn.execute(
        f"INSERT INTO hubs_calendar_meetings ({_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _meeting_row(meeting, first_start_ts),
    )
    _write_participants_txn(txn, meeting)
    replace_pending_reminders_txn(txn, meeting.meeting_id, reminders)


def _update_txn(
    txn: LoggingTransaction,
    meeting: ScheduledMeeting,
    first_start_ts: int,
    expected_sequence: int,
    reminders: Sequence[PlannedReminder],
) -> bool:
    row = _meeting_row(meeting, first_start_ts)
    txn.execute(
        "UPDATE hubs_calendar_meetings SET organiser_id = ?, room_id = ?, join_url = ?, "
        "title = ?, description = ?, time_zone = ?, start_local = ?, end_local = ?, "
        "first_start_ts = ?, recurrence = ?, policy = ?, source_permalink = ?, "
        "sequence = ?, status = ?, created_ts = ?, updated_ts = ? "
        "WHERE meeting_id = ? AND sequence = ?",
        row[1:] + (meeting.meeting_id, expected_sequence),
    )
    if txn.rowcount != 1:
        return False

    txn.execute("DELETE FROM hubs_calendar_participants WHERE meeting_id = ?", (meeting.meeting_id,))
    _write_participants_txn(txn, meeting)
    replace_pending_reminders_txn(txn, meeting.meeting_id, reminders)
    return True


def get_meeting_txn(txn: LoggingTransaction, meeting_id: str) -> ScheduledMeeting | None:
    txn.execute(f"SELECT {_COLUMNS} FROM hubs_calendar_meetings WHERE meeting_id = ?", (meeting_id,))
    row = txn.fetchone()
    if row is None:
        return None
    return _meeting_from_row(row, _participants_txn(txn, meeting_id))


def _list_for_user_txn(txn: LoggingTransaction, user_id: str) -> list[ScheduledMeeting]:
    txn.execute(
        f"SELECT {_COLUMNS} FROM hubs_calendar_meetings WHERE organiser_id = ? "
        "OR meeting_id IN (SELECT meeting_id FROM hubs_calendar_participants WHERE address = ?) "
        "ORDER BY first_start_ts, meeting_id",
        (user_id, user_id),
    )
    rows = txn.fetchall()
    return [_meeting_from_row(row, _participants_txn(txn, row[0])) for row in rows]


def _write_participants_txn(txn: LoggingTransaction, meeting: ScheduledMeeting) -> None:
    for participant in meeting.participants:
        txn.execute(
            "INSERT INTO hubs_calendar_participants (meeting_id, kind, address, language) "
            "VALUES (?, ?, ?, ?)",
            (meeting.meeting_id, participant.kind.value, participant.address, participant.language),
        )


def _participants_txn(txn: LoggingTransaction, meeting_id: str) -> tuple[Participant, ...]:
    txn.execute(
        "SELECT kind, address, language FROM hubs_calendar_participants "
        "WHERE meeting_id = ? ORDER BY kind, address",
        (meeting_id,),
    )
    return tuple(
        Participant(ParticipantKind(kind), address, language)
        for kind, address, language in txn.fetchall()
    )


def _meeting_row(meeting: ScheduledMeeting, first_start_ts: int) -> tuple[Any, ...]:
    times = meeting.times
    return (
        meeting.meeting_id,
        meeting.organiser_id,
        meeting.room_id,
        meeting.join_url,
        meeting.title,
        meeting.description,
        times.time_zone,
        times.start_local.isoformat(),
        times.end_local.isoformat(),
        first_start_ts,
        json.dumps(meeting.recurrence.to_json()) if meeting.recurrence else None,
        json.dumps(meeting.policy.to_json()),
        meeting.source_permalink,
        meeting.sequence,
        meeting.status.value,
        meeting.created_ts,
        meeting.updated_ts,
    )


def _meeting_from_row(row: Sequence[Any], participants: tuple[Participant, ...]) -> ScheduledMeeting:
    (meeting_id, organiser_id, room_id, join_url, title, description, time_zone,
     start_local, end_local, _first_start_ts, recurrence, policy, source_permalink,
     sequence, status, created_ts, updated_ts) = row
    return ScheduledMeeting(
        meeting_id=meeting_id,
        organiser_id=organiser_id,
        room_id=room_id,
        join_url=join_url,
        title=title,
        description=description,
        times=MeetingTimes(
            start_local=datetime.fromisoformat(start_local),
            end_local=datetime.fromisoformat(end_local),
            time_zone=time_zone,
        ),
        recurrence=Recurrence.from_json(json.loads(recurrence)) if recurrence else None,
        policy=MeetingPolicy.from_json(json.loads(policy)),
        participants=participants,
        source_permalink=source_permalink,
        sequence=int(sequence),
        status=MeetingStatus(status),
        created_ts=int(created_ts),
        updated_ts=int(updated_ts),
    )
