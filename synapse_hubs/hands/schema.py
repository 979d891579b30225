# SPDX-License-Identifier: AGPL-3.0-or-later
"""The table of raised hands, which keeps each meeting's queue across reconnects and restarts."""

from synapse_hubs.storage.schema import Migrations

FEATURE = "hands"

HANDS_MIGRATIONS: Migrations = [
    [
        # `position` grows per room in the order the server received the raises;
        # raised_ts is the server time of the raise, in milliseconds.
        """
        CREATE TABLE hubs_raised_hands (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            position BIGINT NOT NULL,
            raised_ts BIGINT NOT NULL,
            PRIMARY KEY (room_id, user_id)
        )
        """,
    ],
]
