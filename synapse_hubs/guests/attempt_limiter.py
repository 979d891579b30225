# SPDX-License-Identifier: AGPL-3.0-or-later
"""Limit failed guest link password attempts per link and per client address.

Counters live in the database, so the limits hold across restarts and
across Synapse workers. Client addresses are stored only as an HMAC under a
key derived from a configured secret, so the table contains no IP addresses.
"""

import hashlib
import hmac
import logging

from synapse.module_api import LoggingTransaction, ModuleApi

from synapse_hubs.config import GuestConfig

logger = logging.getLogger(__name__)

# Domain separation: the address key must differ from the secret it is derived from.
_ADDRESS_KEY_LABEL = b"se.hubs guest password attempts: client address"


class PasswordAttemptLimiter:
    def __init__(self, api: ModuleApi, config: GuestConfig, server_secret: str) -> None:
        self._api = api
        self._config = config
        self._address_key = hmac.new(
            server_secret.encode("utf-8"), _ADDRESS_KEY_LABEL, hashlib.sha256
        ).digest()

    async def is_limited(self, link_id: str, client_address: str) -> bool:
        """Return True when the link or the address has used up its failed attempts."""
        link_scope = _link_scope(link_id)
        address_scope = self._address_scope(client_address)
        since_ms = self._api.get_current_time_msec() - self._config.password_window_s * 1000

        def count_txn(txn: LoggingTransaction) -> tuple[int, int]:
            counts = []
            for scope in (link_scope, address_scope):
                txn.execute(
                    "SELECT COUNT(*) FROM hubs_guest_password_failures"
                    " WHERE scope = ? AND failed_ts > ?",
                    (scope, since_ms),
                )
                row = txn.fetchone()
                counts.append(row[0] if row else 0)
            return counts[0], counts[1]

        link_failures, address_failures = await self._api.run_db_interaction(
            "hubs_count_password_failures", count_txn
        )
        return (
            link_failures >= self._config.password_attempts_per_link
            or address_failures >= self._config.password_attempts_per_address
        )

    async def record_failure(self, link_id: str, client_address: str) -> None:
        now_ms = self._api.get_current_time_msec()
        scopes = (_link_scope(link_id), self._address_scope(client_address))

        def insert_txn(txn: LoggingTransaction) -> None:
            for scope in scopes:
                txn.execute(
                    "INSERT INTO hubs_guest_password_failures (scope, failed_ts) VALUES (?, ?)",
                    (scope, now_ms),
                )

        await self._api.run_db_interaction("hubs_record_password_failure", insert_txn)

    async def prune(self) -> None:
        """Delete failures older than the window; they no longer count."""
        before_ms = self._api.get_current_time_msec() - self._config.password_window_s * 1000

        def delete_txn(txn: LoggingTransaction) -> int:
            txn.execute(
                "DELETE FROM hubs_guest_password_failures WHERE failed_ts <= ?", (before_ms,)
            )
            return txn.rowcount

        try:
            deleted = await self._api.run_db_interaction("hubs_prune_password_failures", delete_txn)
        except Exception:
            logger.exception("Pruning old guest password failures failed; retrying next round")
            return
        if deleted:
            logger.debug("Pruned %d old guest password failures", deleted)

    def _address_scope(self, client_address: str) -> str:
        digest = hmac.new(self._address_key, client_address.encode("utf-8"), hashlib.sha256)
        return "address:" + digest.hexdigest()


def _link_scope(link_id: str) -> str:
    return "link:" + link_id
