# SPDX-License-Identifier: AGPL-3.0-or-later
"""Guest accounts in the hubs_guests table, and the state of the link each came through."""

from dataclasses import dataclass

from synapse.module_api import LoggingTransaction, ModuleApi

from synapse_hubs.guests.link_status import link_status


@dataclass(frozen=True)
class GuestAccount:
    user_id: str
    link_id: str
    room_id: str
    created_ts: int


class GuestStore:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def insert(self, account: GuestAccount, return_token_digest: str) -> None:
        def insert_txn(txn: LoggingTransaction) -> None:
            txn.execute(
                "INSERT INTO hubs_guests"
                " (user_id, link_id, room_id, return_token_sha256, created_ts)"
                " VALUES (?, ?, ?, ?, ?)",
                (account.user_id, account.link_id, account.room_id,
                 return_token_digest, account.created_ts),
            )

        await self._api.run_db_interaction("hubs_insert_guest", insert_txn)

    async def get_by_return_token_digest(self, digest: str) -> GuestAccount | None:
        def select_txn(txn: LoggingTransaction) -> GuestAccount | None:
            txn.execute(
                "SELECT user_id, link_id, room_id, created_ts FROM hubs_guests"
                " WHERE return_token_sha256 = ?",
                (digest,),
            )
            row = txn.fetchone()
            return GuestAccount(*row) if row else None

        return await self._api.run_db_interaction("hubs_get_guest_by_return_token", select_txn)

    async def link_status_of(self, user_id: str, now_ms: int) -> str | None:
        """Return the status of the link user_id came through, or None if user_id is no guest."""

        def select_txn(txn: LoggingTransaction) -> tuple[int | None, int | None] | None:
            txn.execute(
                "SELECT l.expires_ts, l.revoked_ts FROM hubs_guests g"
                " JOIN hubs_guest_links l ON l.link_id = g.link_id"
                " WHERE g.user_id = ?",
                (user_id,),
            )
            return txn.fetchone()

        row = await self._api.run_db_interaction("hubs_guest_link_status", select_txn)
        if row is None:
            return None
        expires_ts, revoked_ts = row
        return link_status(expires_ts, revoked_ts, now_ms)
