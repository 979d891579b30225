# SPDX-License-Identifier: AGPL-3.0-or-later
"""The audit log of lobby decisions: which moderator admitted, denied or removed whom, when.

Rows are only ever added and name users by Matrix ID alone.
"""

import logging
import secrets
from dataclasses import dataclass

from synapse.module_api import LoggingTransaction, ModuleApi

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LobbyAuditEntry:
    ts: int
    room_id: str
    actor_id: str
    target_id: str
    action: str


class LobbyAuditLog:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def record(self, room_id: str, actor_id: str, target_id: str, action: str) -> None:
        now_ms = self._api.get_current_time_msec()
        audit_id = secrets.token_hex(12)

        def insert_txn(txn: LoggingTransaction) -> None:
            txn.execute(
                "INSERT INTO hubs_lobby_audit (audit_id, ts, room_id, actor_id, target_id, action)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (audit_id, now_ms, room_id, actor_id, target_id, action),
            )

        await self._api.run_db_interaction("hubs_record_lobby_audit", insert_txn)
        logger.info("Lobby audit: %s of %s by %s in %s", action, target_id, actor_id, room_id)

    async def entries(self, room_id: str) -> list[LobbyAuditEntry]:
        """Return the room's entries, oldest first."""

        def select_txn(txn: LoggingTransaction) -> list[LobbyAuditEntry]:
            txn.execute(
                "SELECT ts, room_id, actor_id, target_id, action FROM hubs_lobby_audit"
                " WHERE room_id = ? ORDER BY ts, audit_id",
                (room_id,),
            )
            return [LobbyAuditEntry(*row) for row in txn.fetchall()]

        return await self._api.run_db_interaction("hubs_lobby_audit_entries", select_txn)
