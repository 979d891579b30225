# SPDX-License-Identifier: AGPL-3.0-or-later
"""Random bearer secrets (link tokens, return tokens) and the digests we store instead."""

import hashlib
import secrets

# 32 random bytes, 43 URL-safe characters.
_TOKEN_BYTES = 32


def new_bearer_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def bearer_token_digest(token: str) -> str:
    """Return the SHA-256 hex digest under which a bearer token is stored and looked up.

    An unsalted fast hash suffices here, because the tokens are random with
    256 bits of entropy, so a stolen digest cannot be reversed by guessing.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_link_id() -> str:
    # Hex only, so that it is safe in a cookie name and in a URL path.
    return secrets.token_hex(8)
