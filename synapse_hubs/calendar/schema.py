# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tables of scheduled meetings, their participants and pending reminders.

Times of day are stored as the organiser wrote them: ISO 8601 local time
plus an IANA zone name. Instants are milliseconds since the Unix epoch.
"""

from synapse_hubs.storage.schema import Migrations

FEATURE = "calendar"

MIGRATIONS: Migrations = [
    [
        """
        CREATE TABLE hubs_calendar_meetings (
            meeting_id TEXT PRIMARY KEY,
            organiser_id TEXT NOT NULL,
            room_id TEXT NOT NULL,
            join_url TEXT NOT NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            start_local TEXT NOT NULL,
            end_local TEXT NOT NULL,
            first_start_ts BIGINT NOT NULL,
            recurrence TEXT,
            policy TEXT NOT NULL,
            source_permalink TEXT,
            sequence INTEGER NOT NULL,
            status TEXT NOT NULL,
            created_ts BIGINT NOT NULL,
            updated_ts BIGINT NOT NULL
        )
        """,
        "CREATE INDEX hubs_calendar_meetings_organiser ON hubs_calendar_meetings (organiser_id)",
        """
        CREATE TABLE hubs_calendar_participants (
            meeting_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            address TEXT NOT NULL,
            language TEXT,
            PRIMARY KEY (meeting_id, address)
        )
        """,
        "CREATE INDEX hubs_calendar_participants_address ON hubs_calendar_participants (address)",
        # One row per reminder of one occurrence. sent_ts is set in the same
        # transaction that claims the row, so a reminder goes out at most once.
        """
        CREATE TABLE hubs_calendar_reminders (
            meeting_id TEXT NOT NULL,
            occurrence_ts BIGINT NOT NULL,
            offset_s INTEGER NOT NULL,
            due_ts BIGINT NOT NULL,
            sent_ts BIGINT,
            outcome TEXT,
            PRIMARY KEY (meeting_id, occurrence_ts, offset_s)
        )
        """,
        "CREATE INDEX hubs_calendar_reminders_due ON hubs_calendar_reminders (due_ts)",
    ],
]
