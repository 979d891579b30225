# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tables of guest links, guest accounts and failed password attempts.

Bearer secrets (link tokens, return tokens) are stored only as SHA-256 hex
digests and link passwords only as argon2id hashes.
"""

from synapse_hubs.storage.schema import Migrations

GUEST_MIGRATIONS: Migrations = [
    [
        """
        CREATE TABLE hubs_guest_links (
            link_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            token_sha256 TEXT NOT NULL,
            label TEXT,
            password_hash TEXT,
            created_by TEXT NOT NULL,
            created_ts BIGINT NOT NULL,
            expires_ts BIGINT,
            revoked_ts BIGINT
        )
        """,
        "CREATE UNIQUE INDEX hubs_guest_links_token ON hubs_guest_links (token_sha256)",
        "CREATE INDEX hubs_guest_links_room ON hubs_guest_links (room_id, created_ts)",
        """
        CREATE TABLE hubs_guests (
            user_id TEXT PRIMARY KEY,
            link_id TEXT NOT NULL,
            room_id TEXT NOT NULL,
            return_token_sha256 TEXT NOT NULL,
            created_ts BIGINT NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX hubs_guests_return_token ON hubs_guests (return_token_sha256)",
        "CREATE INDEX hubs_guests_link ON hubs_guests (link_id)",
        # One row per failed attempt; scope is "link:<link_id>" or
        # "address:<keyed hash of the client address>".
        """
        CREATE TABLE hubs_guest_password_failures (
            scope TEXT NOT NULL,
            failed_ts BIGINT NOT NULL
        )
        """,
        (
            "CREATE INDEX hubs_guest_password_failures_scope"
            " ON hubs_guest_password_failures (scope, failed_ts)"
        ),
    ],
]
