# SPDX-License-Identifier: AGPL-3.0-or-later
"""Permissions set through the admin API, kept for a participant who rejoins with the same token.

livekit-client rejoins after a broken connection with the access token it
already has. Without this, a participant muted through `UpdateParticipant`
would get the microphone back from the old token's grants. A new token
replaces the override, because its issuer wrote the current policy into
it and may have lifted the restriction.
"""

import logging
from dataclasses import replace

from sfu.auth import AccessToken, VideoGrant

logger = logging.getLogger(__name__)


class PermissionOverrides:
    def __init__(self, room_name: str) -> None:
        self._room_name = room_name
        # identity -> (fingerprint of the token it joined with, grant set by the admin API)
        self._overrides: dict[str, tuple[str, VideoGrant]] = {}

    def remember(self, access: AccessToken, grant: VideoGrant) -> None:
        self._overrides[access.identity] = (access.fingerprint, grant)

    def apply(self, access: AccessToken) -> AccessToken:
        """Return `access` with the remembered grant if it is the token that grant replaced."""
        override = self._overrides.get(access.identity)
        if override is None:
            return access
        fingerprint, grant = override
        if not access.fingerprint or fingerprint != access.fingerprint:
            del self._overrides[access.identity]
            return access
        logger.info("room=%s: %s rejoined with the same token; keeping the permissions set "
                    "through the admin API", self._room_name, access.identity)
        return replace(access, video=grant)
