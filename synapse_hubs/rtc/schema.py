# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tables that let SFU webhooks, which name only LiveKit rooms and identities, reach Matrix."""

from synapse_hubs.storage.schema import Migrations

RTC_MIGRATIONS: Migrations = [
    [
        """
        CREATE TABLE hubs_rtc_rooms (
            livekit_room TEXT PRIMARY KEY,
            room_id TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE hubs_rtc_participants (
            livekit_room TEXT NOT NULL,
            identity TEXT NOT NULL,
            user_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            issued_ts BIGINT NOT NULL,
            PRIMARY KEY (livekit_room, identity)
        )
        """,
        "CREATE INDEX hubs_rtc_participants_issued ON hubs_rtc_participants (issued_ts)",
    ],
]
