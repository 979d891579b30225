# SPDX-License-Identifier: AGPL-3.0-or-later
"""The normalised result of any e-ID provider, before it becomes a record.

OIDC, SAML, BankID and the test provider each map their own claims onto
VerifiedIdentity. Only the subject key derived from `number` is stored;
the number stays in memory for the length of one request.
"""

import unicodedata
from dataclasses import dataclass

from synapse_hubs.eid.identity_number import IdentityNumber

MAX_NAME_LENGTH = 200


class IdentityError(ValueError):
    """The provider's response lacks or contradicts what a verification needs.

    `reason` is a stable code for logs and tests; the message never contains
    an identity number.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedIdentity:
    number: IdentityNumber
    # Earlier number of the same person (for example a coordination number
    # replaced by a personal identity number), when the provider sends one.
    previous_number: IdentityNumber | None
    verified_name: str
    method: str
    loa: str
    # The provider's own assurance value (acr, AuthnContextClassRef), kept for audit.
    acr: str
    issuer: str
    transaction_ref: str


def clean_display_name(*parts: str | None) -> str:
    """Join name parts with one space, in Unicode NFC, without control characters.

    Providers may send decomposed characters ("A" + combining ring), which
    would otherwise make the same name compare unequal.
    """
    words: list[str] = []
    for part in parts:
        if not part:
            continue
        text = unicodedata.normalize("NFC", str(part))
        text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
        words.extend(text.split())
    return " ".join(words)[:MAX_NAME_LENGTH]
