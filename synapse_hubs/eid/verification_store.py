# SPDX-License-Identifier: AGPL-3.0-or-later
"""Verification records: which user passed e-ID for which meeting, until when."""

import logging
import time
from dataclasses import dataclass

from synapse.module_api import LoggingTransaction, ModuleApi

from synapse_hubs.eid.subject_key import same_subject

logger = logging.getLogger(__name__)

_COLUMNS = ("user_id", "room_id", "subject_key", "key_id", "verified_name", "method", "loa",
            "acr", "issuer", "provider_id", "transaction_ref", "verified_at", "expires_at")


@dataclass(frozen=True)
class VerificationRecord:
    user_id: str
    room_id: str
    subject_key: str
    key_id: str
    verified_name: str
    method: str
    loa: str
    acr: str
    issuer: str
    provider_id: str
    transaction_ref: str
    # Milliseconds since the Unix epoch.
    verified_at: int
    expires_at: int

    def is_valid(self, now_ms: int) -> bool:
        return self.expires_at > now_ms


class DifferentPersonError(Exception):
    """The user already has a record for this meeting from another person."""


def now_ms() -> int:
    return int(time.time() * 1000)


class VerificationStore:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def get(self, user_id: str, room_id: str) -> VerificationRecord | None:
        return await self._api.run_db_interaction(
            "hubs_eid_get_verification", _select_txn, user_id, room_id
        )

    async def save(self, record: VerificationRecord, previous_subject_key: str | None) -> None:
        """Insert or renew the record of (user, meeting).

        A renewal must come from the same person: the same subject key, or
        a previous number whose key equals the stored one (a coordination
        number replaced by a personal identity number). Anything else
        raises DifferentPersonError and leaves the stored record as it was.
        """
        await self._api.run_db_interaction(
            "hubs_eid_save_verification", _save_txn, record, previous_subject_key
        )

    async def delete_expired(self, older_than_ms: int) -> int:
        return await self._api.run_db_interaction(
            "hubs_eid_purge_verifications", _delete_expired_txn, older_than_ms
        )


def _select_txn(txn: LoggingTransaction, user_id: str, room_id: str
                ) -> VerificationRecord | None:
    txn.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM hubs_eid_verifications "
        "WHERE user_id = ? AND room_id = ?",
        (user_id, room_id),
    )
    row = txn.fetchone()
    return VerificationRecord(*row) if row else None


def _save_txn(txn: LoggingTransaction, record: VerificationRecord,
              previous_subject_key: str | None) -> None:
    existing = _select_txn(txn, record.user_id, record.room_id)
    if existing is not None:
        same = same_subject(existing.subject_key, record.subject_key) or (
            previous_subject_key is not None
            and same_subject(existing.subject_key, previous_subject_key)
        )
        if not same:
            raise DifferentPersonError()
        txn.execute(
            "DELETE FROM hubs_eid_verifications WHERE user_id = ? AND room_id = ?",
            (record.user_id, record.room_id),
        )

    placeholders = ", ".join("?" for _ in _COLUMNS)
    txn.execute(
        f"INSERT INTO hubs_eid_verifications ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
        tuple(getattr(record, column) for column in _COLUMNS),
    )


def _delete_expired_txn(txn: LoggingTransaction, older_than_ms: int) -> int:
    txn.execute("DELETE FROM hubs_eid_verifications WHERE expires_at < ?", (older_than_ms,))
    return txn.rowcount
