# SPDX-License-Identifier: AGPL-3.0-or-later
"""Guest links in the hubs_guest_links table."""

from dataclasses import dataclass
from typing import Any, Sequence

from synapse.module_api import LoggingTransaction, ModuleApi

from synapse_hubs.guests.link_status import link_status

_COLUMNS = (
    "link_id, room_id, label, password_hash, created_by, created_ts, expires_ts, revoked_ts"
)


@dataclass(frozen=True)
class GuestLink:
    link_id: str
    room_id: str
    label: str | None
    # argon2id hash, or None when the link needs no password.
    password_hash: str | None
    created_by: str
    # Times in milliseconds since the Unix epoch, by the server clock.
    created_ts: int
    expires_ts: int | None
    revoked_ts: int | None

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def status(self, now_ms: int) -> str:
        return link_status(self.expires_ts, self.revoked_ts, now_ms)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> "GuestLink":
        return cls(*row)


class LinkStore:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def insert(self, link: GuestLink, token_digest: str) -> None:
        def insert_txn(txn: LoggingTransaction) -> None:
            txn.execute(
                f"INSERT INTO hubs_guest_links ({_COLUMNS}, token_sha256)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    link.link_id, link.room_id, link.label, link.password_hash,
                    link.created_by, link.created_ts, link.expires_ts, link.revoked_ts,
                    token_digest,
                ),
            )

        await self._api.run_db_interaction("hubs_insert_guest_link", insert_txn)

    async def get_by_token_digest(self, token_digest: str) -> GuestLink | None:
        return await self._select_one("token_sha256", token_digest)

    async def get(self, link_id: str) -> GuestLink | None:
        return await self._select_one("link_id", link_id)

    async def list_for_room(self, room_id: str) -> list[GuestLink]:
        def select_txn(txn: LoggingTransaction) -> list[GuestLink]:
            txn.execute(
                f"SELECT {_COLUMNS} FROM hubs_guest_links WHERE room_id = ?"
                " ORDER BY created_ts, link_id",
                (room_id,),
            )
            return [GuestLink.from_row(row) for row in txn.fetchall()]

        return await self._api.run_db_interaction("hubs_list_guest_links", select_txn)

    async def revoke(self, link_id: str, now_ms: int) -> None:
        """Mark the link revoked; a link revoked before keeps its first revocation time."""

        def revoke_txn(txn: LoggingTransaction) -> None:
            txn.execute(
                "UPDATE hubs_guest_links SET revoked_ts = ?"
                " WHERE link_id = ? AND revoked_ts IS NULL",
                (now_ms, link_id),
            )

        await self._api.run_db_interaction("hubs_revoke_guest_link", revoke_txn)

    async def _select_one(self, column: str, value: str) -> GuestLink | None:
        def select_txn(txn: LoggingTransaction) -> GuestLink | None:
            txn.execute(
                f"SELECT {_COLUMNS} FROM hubs_guest_links WHERE {column} = ?", (value,)
            )
            row = txn.fetchone()
            return GuestLink.from_row(row) if row else None

        return await self._api.run_db_interaction("hubs_get_guest_link", select_txn)
