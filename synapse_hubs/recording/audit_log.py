# SPDX-License-Identifier: AGPL-3.0-or-later
"""The audit log of recordings: who did what to which recording, and whether it was allowed.

Rows are only ever added. They name users by Matrix ID and never contain
tokens, addresses or file contents.
"""

import logging
import secrets
from dataclasses import dataclass

from synapse.module_api import LoggingTransaction, ModuleApi

logger = logging.getLogger(__name__)

# Actions.
START = "start"
STOP = "stop"
END = "end"
DOWNLOAD = "download"
SHARE = "share"
DELEGATE = "delegate"
DELETE = "delete"
EXPIRE = "expire"
POLICY = "policy"

# Outcomes.
ALLOWED = "allowed"
DENIED = "denied"
FAILED = "failed"


@dataclass(frozen=True)
class AuditEntry:
    ts: int
    room_id: str
    recording_id: str | None
    user_id: str | None
    action: str
    outcome: str
    detail: str | None


class AuditLog:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def record(self, room_id: str, recording_id: str | None, user_id: str | None,
                     action: str, outcome: str, detail: str | None = None) -> None:
        now_ms = self._api.get_current_time_msec()
        audit_id = secrets.token_hex(12)

        def insert_txn(txn: LoggingTransaction) -> None:
            txn.execute(
                "INSERT INTO hubs_recording_audit (audit_id, ts, room_id, recording_id, user_id,"
                " action, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (audit_id, now_ms, room_id, recording_id, user_id, action, outcome, detail))

        await self._api.run_db_interaction("hubs_record_recording_audit", insert_txn)
        logger.info("Recording audit: %s %s by %s in %s (recording %s)%s", action, outcome,
                    user_id or "the server", room_id, recording_id or "-",
                    f": {detail}" if detail else "")

    async def entries(self, recording_id: str) -> list[AuditEntry]:
        def select_txn(txn: LoggingTransaction) -> list[AuditEntry]:
            txn.execute("SELECT ts, room_id, recording_id, user_id, action, outcome, detail"
                        " FROM hubs_recording_audit WHERE recording_id = ? ORDER BY ts",
                        (recording_id,))
            return [AuditEntry(*row) for row in txn.fetchall()]

        return await self._api.run_db_interaction("hubs_recording_audit_entries", select_txn)
