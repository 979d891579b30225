# SPDX-License-Identifier: AGPL-3.0-or-later
"""Mapping from issued LiveKit room names and identities to Matrix rooms, users and devices.

Hashed identities from /get_token cannot be reversed, so the token service
records every identity it issues; the SFU webhook handler looks them up.
"""

from dataclasses import dataclass

from synapse.module_api import LoggingTransaction, ModuleApi


@dataclass(frozen=True)
class RtcParticipant:
    room_id: str
    user_id: str
    device_id: str


class ParticipantStore:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def record(
        self, livekit_room: str, identity: str, participant: RtcParticipant
    ) -> None:
        now_ms = self._api.get_current_time_msec()

        def upsert_txn(txn: LoggingTransaction) -> None:
            # The room name is a hash of the room ID, so an existing row is already right.
            txn.execute(
                "INSERT INTO hubs_rtc_rooms (livekit_room, room_id) VALUES (?, ?)"
                " ON CONFLICT (livekit_room) DO NOTHING",
                (livekit_room, participant.room_id),
            )
            txn.execute(
                "INSERT INTO hubs_rtc_participants"
                " (livekit_room, identity, user_id, device_id, issued_ts)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (livekit_room, identity) DO UPDATE SET"
                " user_id = excluded.user_id, device_id = excluded.device_id,"
                " issued_ts = excluded.issued_ts",
                (livekit_room, identity, participant.user_id, participant.device_id, now_ms),
            )

        await self._api.run_db_interaction("hubs_record_rtc_participant", upsert_txn)

    async def find(self, livekit_room: str, identity: str) -> RtcParticipant | None:
        def select_txn(txn: LoggingTransaction) -> RtcParticipant | None:
            txn.execute(
                "SELECT r.room_id, p.user_id, p.device_id FROM hubs_rtc_participants p"
                " JOIN hubs_rtc_rooms r ON r.livekit_room = p.livekit_room"
                " WHERE p.livekit_room = ? AND p.identity = ?",
                (livekit_room, identity),
            )
            row = txn.fetchone()
            return RtcParticipant(*row) if row else None

        return await self._api.run_db_interaction("hubs_find_rtc_participant", select_txn)

    async def identities_of(self, livekit_room: str, user_id: str) -> list[str]:
        """Return every identity issued to `user_id` for `livekit_room`, one per device and member."""

        def select_txn(txn: LoggingTransaction) -> list[str]:
            txn.execute(
                "SELECT identity FROM hubs_rtc_participants WHERE livekit_room = ? AND user_id = ?",
                (livekit_room, user_id),
            )
            return [row[0] for row in txn.fetchall()]

        return await self._api.run_db_interaction("hubs_rtc_identities_of", select_txn)

    async def room_id_for(self, livekit_room: str) -> str | None:
        """Return the Matrix room of a LiveKit room that a token was issued for, else None."""

        def select_txn(txn: LoggingTransaction) -> str | None:
            txn.execute("SELECT room_id FROM hubs_rtc_rooms WHERE livekit_room = ?", (livekit_room,))
            row = txn.fetchone()
            return row[0] if row else None

        return await self._api.run_db_interaction("hubs_rtc_room_id_for", select_txn)

    async def prune(self, issued_before_ms: int) -> int:
        """Forget identities issued before the given time; returns how many were deleted."""

        def delete_txn(txn: LoggingTransaction) -> int:
            txn.execute(
                "DELETE FROM hubs_rtc_participants WHERE issued_ts < ?", (issued_before_ms,)
            )
            return txn.rowcount

        return await self._api.run_db_interaction("hubs_prune_rtc_participants", delete_txn)
