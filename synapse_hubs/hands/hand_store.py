# SPDX-License-Identifier: AGPL-3.0-or-later
"""Raised hands per meeting in hubs_raised_hands, ordered by arrival at the server."""

from dataclasses import dataclass
from typing import Any

from synapse.module_api import LoggingTransaction, ModuleApi


@dataclass(frozen=True)
class RaisedHand:
    user_id: str
    # Server time of the raise, milliseconds since the Unix epoch.
    raised_ts: int

    def to_json(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "raised_ts": self.raised_ts}


class HandStore:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def raise_hand(self, room_id: str, user_id: str) -> bool:
        """Add user_id to the end of the queue; return False if their hand was already up.

        Raising again keeps the original place, so a reconnecting client that
        repeats its raise does not lose its turn.
        """
        now_ms = self._api.get_current_time_msec()

        def insert_txn(txn: LoggingTransaction) -> bool:
            txn.execute(
                "SELECT 1 FROM hubs_raised_hands WHERE room_id = ? AND user_id = ?",
                (room_id, user_id),
            )
            if txn.fetchone() is not None:
                return False
            txn.execute(
                "SELECT COALESCE(MAX(position), 0) FROM hubs_raised_hands WHERE room_id = ?",
                (room_id,),
            )
            position = txn.fetchone()[0] + 1
            txn.execute(
                "INSERT INTO hubs_raised_hands (room_id, user_id, position, raised_ts)"
                " VALUES (?, ?, ?, ?)",
                (room_id, user_id, position, now_ms),
            )
            return True

        return await self._api.run_db_interaction("hubs_raise_hand", insert_txn)

    async def lower_hand(self, room_id: str, user_id: str) -> bool:
        """Remove user_id from the queue; return False if their hand was not up."""

        def delete_txn(txn: LoggingTransaction) -> bool:
            txn.execute(
                "DELETE FROM hubs_raised_hands WHERE room_id = ? AND user_id = ?",
                (room_id, user_id),
            )
            return txn.rowcount > 0

        return await self._api.run_db_interaction("hubs_lower_hand", delete_txn)

    async def queue(self, room_id: str) -> list[RaisedHand]:
        """Return the raised hands of room_id, first raised first."""

        def select_txn(txn: LoggingTransaction) -> list[RaisedHand]:
            txn.execute(
                "SELECT user_id, raised_ts FROM hubs_raised_hands WHERE room_id = ?"
                " ORDER BY position, raised_ts, user_id",
                (room_id,),
            )
            return [RaisedHand(*row) for row in txn.fetchall()]

        return await self._api.run_db_interaction("hubs_hand_queue", select_txn)
