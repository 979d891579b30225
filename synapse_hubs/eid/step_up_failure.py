# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one exception every step-up failure becomes before it reaches a page."""

# Keys of the user-facing messages in page_texts.FAILURE_MESSAGES.
CANCELLED = "cancelled"
EXPIRED = "expired"
FAILED = "failed"
LOA_TOO_LOW = "loa_too_low"
METHOD_NOT_ALLOWED = "method_not_allowed"
DIFFERENT_PERSON = "different_person"
SESSION_INVALID = "session_invalid"
INVALID_IDENTITY = "invalid_identity"


class StepUpFailed(Exception):
    """A step-up attempt failed.

    `reason` is a stable code for logs and tests (never personal data), and
    `message_key` selects the text shown to the user. `rfa` optionally
    names a BankID RFA message to show instead.
    """

    def __init__(self, reason: str, message_key: str = FAILED, rfa: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_key = message_key
        self.rfa = rfa
