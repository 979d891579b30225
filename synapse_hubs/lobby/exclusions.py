# SPDX-License-Identifier: AGPL-3.0-or-later
"""Guest accounts that a moderator denied or removed, per meeting (hubs_lobby_exclusions)."""

from synapse.module_api import LoggingTransaction, ModuleApi


class ExclusionStore:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def add(self, room_id: str, user_id: str, action: str) -> None:
        """Exclude user_id from room_id; a second exclusion keeps the first decision."""
        now_ms = self._api.get_current_time_msec()

        def insert_txn(txn: LoggingTransaction) -> None:
            txn.execute(
                "SELECT 1 FROM hubs_lobby_exclusions WHERE room_id = ? AND user_id = ?",
                (room_id, user_id),
            )
            if txn.fetchone() is not None:
                return
            txn.execute(
                "INSERT INTO hubs_lobby_exclusions (room_id, user_id, action, excluded_ts)"
                " VALUES (?, ?, ?, ?)",
                (room_id, user_id, action, now_ms),
            )

        await self._api.run_db_interaction("hubs_add_lobby_exclusion", insert_txn)

    async def decision_for(self, room_id: str, user_id: str) -> str | None:
        """Return "deny" or "remove" if user_id is excluded from room_id, else None."""

        def select_txn(txn: LoggingTransaction) -> str | None:
            txn.execute(
                "SELECT action FROM hubs_lobby_exclusions WHERE room_id = ? AND user_id = ?",
                (room_id, user_id),
            )
            row = txn.fetchone()
            return row[0] if row else None

        return await self._api.run_db_interaction("hubs_get_lobby_exclusion", select_txn)
