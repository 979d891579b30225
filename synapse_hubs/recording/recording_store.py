# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recordings, their delegates and the per-room recording policy in Synapse's database."""

from dataclasses import dataclass
from typing import Any, Sequence

from synapse.module_api import LoggingTransaction, ModuleApi

# Values of hubs_recordings.status.
STATUS_RECORDING = "recording"
STATUS_READY = "ready"
STATUS_DISCARDED = "discarded"
STATUS_FAILED = "failed"
STATUS_DELETED = "deleted"

_COLUMNS = ("recording_id, room_id, livekit_room, owner, started_by, status, status_detail, "
            "file_name, size_bytes, duration_ms, started_ts, ended_ts, delete_after_ts, "
            "shared_ts, shared_by")


@dataclass(frozen=True)
class Recording:
    recording_id: str
    room_id: str
    livekit_room: str
    # The meeting's owner when the recording started; the file belongs to them.
    owner: str
    # The moderator who started it, None when the server started it by itself.
    started_by: str | None
    status: str
    status_detail: str | None
    file_name: str | None
    size_bytes: int | None
    duration_ms: int | None
    # Milliseconds since the Unix epoch.
    started_ts: int
    ended_ts: int | None
    delete_after_ts: int | None
    shared_ts: int | None
    shared_by: str | None

    @property
    def is_shared(self) -> bool:
        return self.shared_ts is not None

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> "Recording":
        return cls(*row)


@dataclass(frozen=True)
class Outcome:
    """The end of a recording as the SFU reported it: status, file and times."""

    status: str
    detail: str | None
    file_name: str | None
    size_bytes: int | None
    duration_ms: int | None
    ended_ts: int


@dataclass(frozen=True)
class RoomRecordingPolicy:
    room_id: str
    allowed: bool
    # Start recording by itself when a call begins, with no initiating user.
    auto_start: bool
    updated_by: str
    updated_ts: int


class RecordingStore:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    # Recordings -----------------------------------------------------------------

    async def insert(self, recording: Recording) -> None:
        def insert_txn(txn: LoggingTransaction) -> None:
            txn.execute(f"INSERT INTO hubs_recordings ({_COLUMNS}) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        tuple(getattr(recording, name.strip()) for name in _COLUMNS.split(",")))

        await self._api.run_db_interaction("hubs_insert_recording", insert_txn)

    async def get(self, recording_id: str) -> Recording | None:
        rows = await self._select("WHERE recording_id = ?", (recording_id,))
        return rows[0] if rows else None

    async def active_in_room(self, room_id: str) -> Recording | None:
        rows = await self._select("WHERE room_id = ? AND status = ? ORDER BY started_ts DESC",
                                  (room_id, STATUS_RECORDING))
        return rows[0] if rows else None

    async def list_in_room(self, room_id: str) -> list[Recording]:
        return await self._select("WHERE room_id = ? AND status <> ? ORDER BY started_ts",
                                  (room_id, STATUS_DELETED))

    async def list_active(self) -> list[Recording]:
        return await self._select("WHERE status = ?", (STATUS_RECORDING,))

    async def due_for_deletion(self, now_ms: int) -> list[Recording]:
        return await self._select("WHERE status = ? AND delete_after_ts <= ?", (STATUS_READY, now_ms))

    async def finish(self, recording_id: str, outcome: Outcome, delete_after_ts: int | None) -> bool:
        """Store how a running recording ended; False when it had already ended."""
        return await self._update(
            "hubs_finish_recording",
            "UPDATE hubs_recordings SET status = ?, status_detail = ?, file_name = ?, size_bytes = ?,"
            " duration_ms = ?, ended_ts = ?, delete_after_ts = ? WHERE recording_id = ? AND status = ?",
            (outcome.status, outcome.detail, outcome.file_name, outcome.size_bytes,
             outcome.duration_ms, outcome.ended_ts, delete_after_ts, recording_id, STATUS_RECORDING))

    async def mark_shared(self, recording_id: str, user_id: str, now_ms: int) -> bool:
        """Mark a ready recording shared with the room; False when it was shared already."""
        return await self._update(
            "hubs_share_recording",
            "UPDATE hubs_recordings SET shared_ts = ?, shared_by = ?"
            " WHERE recording_id = ? AND status = ? AND shared_ts IS NULL",
            (now_ms, user_id, recording_id, STATUS_READY))

    async def mark_deleted(self, recording_id: str, detail: str) -> bool:
        return await self._update(
            "hubs_delete_recording",
            "UPDATE hubs_recordings SET status = ?, status_detail = ? WHERE recording_id = ? AND status = ?",
            (STATUS_DELETED, detail, recording_id, STATUS_READY))

    async def _select(self, where: str, parameters: tuple) -> list[Recording]:
        def select_txn(txn: LoggingTransaction) -> list[Recording]:
            txn.execute(f"SELECT {_COLUMNS} FROM hubs_recordings {where}", parameters)
            return [Recording.from_row(row) for row in txn.fetchall()]

        return await self._api.run_db_interaction("hubs_select_recordings", select_txn)

    async def _update(self, description: str, statement: str, parameters: tuple) -> bool:
        def update_txn(txn: LoggingTransaction) -> bool:
            txn.execute(statement, parameters)
            return txn.rowcount == 1

        return await self._api.run_db_interaction(description, update_txn)

    # Delegates --------------------------------------------------------------------

    async def delegates(self, recording_id: str) -> list[str]:
        def select_txn(txn: LoggingTransaction) -> list[str]:
            txn.execute("SELECT user_id FROM hubs_recording_delegates WHERE recording_id = ?"
                        " ORDER BY user_id", (recording_id,))
            return [row[0] for row in txn.fetchall()]

        return await self._api.run_db_interaction("hubs_recording_delegates", select_txn)

    async def replace_delegates(self, recording_id: str, user_ids: list[str], added_by: str,
                                now_ms: int) -> None:
        def replace_txn(txn: LoggingTransaction) -> None:
            txn.execute("DELETE FROM hubs_recording_delegates WHERE recording_id = ?", (recording_id,))
            for user_id in user_ids:
                txn.execute("INSERT INTO hubs_recording_delegates (recording_id, user_id, added_by,"
                            " added_ts) VALUES (?, ?, ?, ?)", (recording_id, user_id, added_by, now_ms))

        await self._api.run_db_interaction("hubs_replace_recording_delegates", replace_txn)

    # Per-room policy --------------------------------------------------------------

    async def room_policy(self, room_id: str) -> RoomRecordingPolicy | None:
        def select_txn(txn: LoggingTransaction) -> RoomRecordingPolicy | None:
            txn.execute("SELECT room_id, allowed, auto_start, updated_by, updated_ts"
                        " FROM hubs_recording_room_policy WHERE room_id = ?", (room_id,))
            row = txn.fetchone()
            if row is None:
                return None
            return RoomRecordingPolicy(row[0], bool(row[1]), bool(row[2]), row[3], row[4])

        return await self._api.run_db_interaction("hubs_recording_room_policy", select_txn)

    async def set_room_policy(self, policy: RoomRecordingPolicy) -> None:
        def upsert_txn(txn: LoggingTransaction) -> None:
            txn.execute(
                "INSERT INTO hubs_recording_room_policy (room_id, allowed, auto_start, updated_by,"
                " updated_ts) VALUES (?, ?, ?, ?, ?) ON CONFLICT (room_id) DO UPDATE SET"
                " allowed = excluded.allowed, auto_start = excluded.auto_start,"
                " updated_by = excluded.updated_by, updated_ts = excluded.updated_ts",
                (policy.room_id, int(policy.allowed), int(policy.auto_start), policy.updated_by,
                 policy.updated_ts))

        await self._api.run_db_interaction("hubs_set_recording_room_policy", upsert_txn)

    async def clear_room_policy(self, room_id: str) -> None:
        def delete_txn(txn: LoggingTransaction) -> None:
            txn.execute("DELETE FROM hubs_recording_room_policy WHERE room_id = ?", (room_id,))

        await self._api.run_db_interaction("hubs_clear_recording_room_policy", delete_txn)
