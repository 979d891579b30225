# SPDX-License-Identifier: AGPL-3.0-or-later
"""The LiveKit access token (JWT) that the token service issues.

The claims follow LiveKit's access token format, because both our SFU and
Element Call read them: Element Call decodes `sub` and `video.room` itself.
"""

from typing import Any

import jwt

ALGORITHM = "HS256"


def sfu_access_claims(
    api_key: str,
    identity: str,
    display_name: str,
    video_grant: dict[str, Any],
    now_s: int,
    lifetime_s: int,
) -> dict[str, Any]:
    """Return the JWT claims; times are whole seconds since the Unix epoch."""
    return {
        "iss": api_key,
        "sub": identity,
        "nbf": now_s,
        "exp": now_s + lifetime_s,
        "name": display_name,
        "video": video_grant,
    }


def encode_sfu_jwt(claims: dict[str, Any], api_secret: str) -> str:
    return jwt.encode(claims, api_secret, algorithm=ALGORITHM)
