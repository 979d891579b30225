# SPDX-License-Identifier: AGPL-3.0-or-later
"""The table that remembers the demo meeting across runs of `hubs up`."""

from synapse_hubs.storage.schema import Migrations

DEMO_MIGRATIONS: Migrations = [
    [
        """
        CREATE TABLE hubs_demo_meetings (
            name TEXT PRIMARY KEY,
            room_id TEXT NOT NULL
        )
        """,
    ],
]
