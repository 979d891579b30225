# SPDX-License-Identifier: AGPL-3.0-or-later
"""Verify the signature of a LiveKit-style webhook request from the SFU.

LiveKit signs each webhook with a JWT in the Authorization header: HS256
under the API secret, `iss` set to the API key, and a `sha256` claim holding
the standard (padded) base64 of the SHA-256 of the raw request body.
"""

import base64
import hashlib
import hmac

import jwt


class WebhookAuthError(Exception):
    """The webhook's signature, issuer or body hash does not match."""


def verify_webhook(body: bytes, authorization: str | None, api_key: str, api_secret: str) -> None:
    """Raise WebhookAuthError unless the request was signed with our API key pair."""
    if not authorization:
        raise WebhookAuthError("missing Authorization header")

    token = authorization.removeprefix("Bearer ").strip()
    try:
        # `exp` and `nbf` are checked when present; LiveKit always sets them.
        claims = jwt.decode(
            token,
            api_secret,
            algorithms=["HS256"],
            issuer=api_key,
            options={"require": ["iss", "sha256"]},
        )
    except jwt.InvalidTokenError as error:
        raise WebhookAuthError(f"invalid token: {type(error).__name__}") from error

    expected = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
    claimed = claims["sha256"]
    if not isinstance(claimed, str) or not hmac.compare_digest(claimed, expected):
        raise WebhookAuthError("body hash does not match the sha256 claim")
