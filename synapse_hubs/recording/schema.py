# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tables of the recording feature: recordings, delegates, per-room policy, audit log."""

from synapse_hubs.storage.schema import Migrations

FEATURE = "recording"

RECORDING_MIGRATIONS: Migrations = [
    [
        # One row per recording the SFU started. status: recording, ready,
        # discarded, failed or deleted. Times in ms since the Unix epoch.
        """
        CREATE TABLE hubs_recordings (
            recording_id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            livekit_room TEXT NOT NULL,
            owner TEXT NOT NULL,
            started_by TEXT,
            status TEXT NOT NULL,
            status_detail TEXT,
            file_name TEXT,
            size_bytes BIGINT,
            duration_ms BIGINT,
            started_ts BIGINT NOT NULL,
            ended_ts BIGINT,
            delete_after_ts BIGINT,
            shared_ts BIGINT,
            shared_by TEXT
        )
        """,
        "CREATE INDEX hubs_recordings_room ON hubs_recordings (room_id, started_ts)",
        "CREATE INDEX hubs_recordings_status ON hubs_recordings (status)",
        # Users the owner lets download a recording before it is shared.
        """
        CREATE TABLE hubs_recording_delegates (
            recording_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_ts BIGINT NOT NULL,
            PRIMARY KEY (recording_id, user_id)
        )
        """,
        # A server admin's override of the server default, per room (0/1).
        """
        CREATE TABLE hubs_recording_room_policy (
            room_id TEXT PRIMARY KEY,
            allowed INTEGER NOT NULL,
            auto_start INTEGER NOT NULL,
            updated_by TEXT NOT NULL,
            updated_ts BIGINT NOT NULL
        )
        """,
        # Every start, stop, end, download attempt, share, delegation, deletion
        # and policy change. user_id is NULL for actions of the server itself.
        """
        CREATE TABLE hubs_recording_audit (
            audit_id TEXT PRIMARY KEY,
            ts BIGINT NOT NULL,
            room_id TEXT NOT NULL,
            recording_id TEXT,
            user_id TEXT,
            action TEXT NOT NULL,
            outcome TEXT NOT NULL,
            detail TEXT
        )
        """,
        "CREATE INDEX hubs_recording_audit_recording ON hubs_recording_audit (recording_id, ts)",
        "CREATE INDEX hubs_recording_audit_room ON hubs_recording_audit (room_id, ts)",
    ],
]
