# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tables of the lobby: moderators' decisions and the guests they excluded."""

from synapse_hubs.storage.schema import Migrations

FEATURE = "lobby"

LOBBY_MIGRATIONS: Migrations = [
    [
        # Append-only audit log of admit, deny and remove decisions. Users are
        # named by Matrix ID only; no identity numbers, names or tokens.
        """
        CREATE TABLE hubs_lobby_audit (
            audit_id TEXT PRIMARY KEY,
            ts BIGINT NOT NULL,
            room_id TEXT NOT NULL,
            actor_id TEXT NOT NULL,
            target_id TEXT NOT NULL,
            action TEXT NOT NULL
        )
        """,
        "CREATE INDEX hubs_lobby_audit_room ON hubs_lobby_audit (room_id, ts)",
        # Guest accounts denied or removed from a meeting: they may not knock
        # or join that meeting again, whatever token they replay.
        """
        CREATE TABLE hubs_lobby_exclusions (
            room_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            action TEXT NOT NULL,
            excluded_ts BIGINT NOT NULL,
            PRIMARY KEY (room_id, user_id)
        )
        """,
    ],
]
