# SPDX-License-Identifier: AGPL-3.0-or-later
"""Guest link passwords, hashed with argon2id off the reactor thread."""

import logging

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from synapse.module_api import ModuleApi

logger = logging.getLogger(__name__)


class LinkPasswords:
    """Hash and verify link passwords.

    argon2-cffi's defaults are the RFC 9106 low-memory argon2id profile
    (3 passes over 64 MiB). That costs noticeable CPU time per call, so
    hashing and verifying run in Synapse's thread pool, off the reactor thread.
    """

    def __init__(self, api: ModuleApi) -> None:
        self._api = api
        self._hasher = PasswordHasher()

    async def hash(self, password: str) -> str:
        return await self._api.defer_to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        try:
            return await self._api.defer_to_thread(self._hasher.verify, password_hash, password)
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError):
            # A corrupt stored hash must fail closed, and the admin should hear of it.
            logger.exception("Stored guest link password hash could not be verified")
            return False
