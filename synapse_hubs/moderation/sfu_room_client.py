# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calls from Synapse to the SFU's room admin API (livekit.RoomService over Twirp)."""

import logging
from typing import Any

from synapse.module_api import ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.config import SfuConfig
from synapse_hubs.rtc.sfu_twirp import SfuTwirpClient, TwirpRejection

logger = logging.getLogger(__name__)


class SfuRoomNotFound(Exception):
    """The SFU has no such room (nobody is in the call) or no such participant."""


class SfuRoomClient:
    def __init__(self, api: ModuleApi, sfu: SfuConfig) -> None:
        self._twirp = SfuTwirpClient(api, sfu, "livekit.RoomService", "hubs-moderation")

    async def list_participants(self, livekit_room: str) -> list[dict[str, Any]]:
        """Return the room's participants as ParticipantInfo JSON; empty when nobody is in the call."""
        try:
            body = await self._call("ListParticipants", livekit_room, {})
        except SfuRoomNotFound:
            return []
        participants = body.get("participants", [])
        return [p for p in participants if isinstance(p, dict)]

    async def update_permission(self, livekit_room: str, identity: str,
                                sources: tuple[str, ...]) -> None:
        """Set what `identity` may publish; the SFU unpublishes tracks no longer allowed."""
        await self._call("UpdateParticipant", livekit_room, {
            "identity": identity,
            "permission": {
                # An empty source list means "every source" to LiveKit.
                "canPublish": bool(sources),
                "canPublishSources": [source.upper() for source in sources],
                "canSubscribe": True,
                "canPublishData": True,
                "canUpdateMetadata": True,
            },
        })

    async def remove_participant(self, livekit_room: str, identity: str) -> bool:
        """Disconnect `identity` from the call; returns False when it was not in it."""
        try:
            await self._call("RemoveParticipant", livekit_room, {"identity": identity})
        except SfuRoomNotFound:
            return False
        return True

    async def _call(self, method: str, livekit_room: str, fields: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self._twirp.call(method, livekit_room, fields)
        except TwirpRejection as rejection:
            if rejection.code == "not_found":
                raise SfuRoomNotFound(rejection.message) from rejection
            logger.warning("SFU %s for LiveKit room %s rejected: HTTP %d %s: %s", method,
                           livekit_room, rejection.status, rejection.code, rejection.message)
            raise SynapseError(502, "The media server rejected the change",
                               Codes.UNKNOWN) from rejection
