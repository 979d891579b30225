# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pseudonymous subject keys: HMAC-SHA256 of an identity number per meeting.

A plain or salted hash of a personal identity number is brute-forced in
seconds: there are only about 1,000 valid numbers per birth date. The key
used here is a server secret read from a file outside the database, so a
copy of the database alone reveals nothing.

The room id is part of the HMAC input, so the same person gets a different
subject key in every meeting and records cannot be linked across meetings
without the secret. Within one meeting the key is stable, which lets a
repeated verification be recognised as the same person.
"""

import hashlib
import hmac
import logging
from pathlib import Path

from synapse_hubs.eid.identity_number import IdentityNumber

logger = logging.getLogger(__name__)

MIN_KEY_BYTES = 32

# Domain separation, so this key can never produce a MAC that is valid for
# another purpose (such as the localparts below).
_SUBJECT_CONTEXT = b"hubs-eid-subject-v1"
_LOCALPART_CONTEXT = b"hubs-eid-localpart-v1"


class KeyFileError(ValueError):
    """The HMAC key file is missing, unreadable or too short."""


class SubjectKeyring:
    """Compute subject keys with the secret from `eid.pnr_hmac_key_path`."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_KEY_BYTES:
            raise KeyFileError(f"the key must be at least {MIN_KEY_BYTES} bytes")
        self._secret = secret
        # Identifies the key in stored records, so a key rotation can tell
        # which records were made under the old key. Not secret.
        self.key_id = hashlib.sha256(b"hubs-eid-key-id" + secret).hexdigest()[:16]

    @classmethod
    def from_file(cls, path: Path) -> "SubjectKeyring":
        try:
            secret = path.read_bytes().strip()
        except OSError as error:
            raise KeyFileError(f"cannot read {path}: {error.strerror}") from error
        return cls(secret)

    def subject_key(self, room_id: str, number: IdentityNumber) -> str:
        """Return the hex HMAC of `number`, scoped to `room_id`."""
        message = b"\x00".join(
            (_SUBJECT_CONTEXT, room_id.encode("utf-8"), number.digits.encode("ascii"))
        )
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def localpart(self, subject_key: str) -> str:
        """Return a Matrix localpart for a verified person in one meeting.

        It is stable for the same person and meeting, contains only
        [a-z0-9-], and reveals nothing about the identity number.
        """
        message = _LOCALPART_CONTEXT + b"\x00" + subject_key.encode("ascii")
        digest = hmac.new(self._secret, message, hashlib.sha256).hexdigest()
        return "eid-" + digest[:24]


def same_subject(stored: str, candidate: str) -> bool:
    """Compare two subject keys in constant time."""
    return hmac.compare_digest(stored.encode("ascii"), candidate.encode("ascii"))
