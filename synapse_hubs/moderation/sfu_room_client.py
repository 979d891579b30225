# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calls from Synapse to the SFU's room admin API (livekit.RoomService over Twirp).

Like the recording client, each call carries a short-lived admin JWT for
the one LiveKit room it concerns, signed with the SFU API secret. Request
and response bodies are LiveKit's protobuf messages in JSON.
"""

import json
import logging
from typing import Any

from synapse.module_api import ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.config import SfuConfig
from synapse_hubs.rtc.sfu_jwt import encode_sfu_jwt

logger = logging.getLogger(__name__)

SERVICE_PATH = "/twirp/livekit.RoomService/"
ADMIN_TOKEN_LIFETIME_S = 60
ADMIN_IDENTITY = "hubs-moderation"


class SfuRoomNotFound(Exception):
    """The SFU has no such room (nobody is in the call) or no such participant."""


class SfuRoomClient:
    def __init__(self, api: ModuleApi, sfu: SfuConfig) -> None:
        self._api = api
        self._sfu = sfu

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
        now_s = self._api.get_current_time_msec() // 1000
        token = encode_sfu_jwt({
            "iss": self._sfu.api_key, "sub": ADMIN_IDENTITY, "nbf": now_s,
            "exp": now_s + ADMIN_TOKEN_LIFETIME_S,
            "video": {"room": livekit_room, "roomAdmin": True},
        }, self._sfu.api_secret)
        url = self._sfu.api_url + SERVICE_PATH + method
        try:
            body = await self._api.http_client.post_json_get_json(
                url, {"room": livekit_room, **fields},
                headers={b"Authorization": [f"Bearer {token}".encode("ascii")]})
        except SynapseError as error:
            # The HTTP client raises SynapseError only for its own timeouts.
            logger.warning("SFU %s for LiveKit room %s timed out: %s", method, livekit_room,
                           error.msg)
            raise SynapseError(502, "The media server did not respond in time",
                               Codes.UNKNOWN) from error
        except Exception as error:
            raise _rejection(method, livekit_room, error) from error
        if not isinstance(body, dict):
            raise SynapseError(502, "The media server sent an invalid response", Codes.UNKNOWN)
        return body


def _rejection(method: str, livekit_room: str, error: Exception) -> Exception:
    status = getattr(error, "code", None)
    if not isinstance(status, int):
        logger.warning("SFU %s for LiveKit room %s failed: %s: %s", method, livekit_room,
                       type(error).__name__, error)
        return SynapseError(502, "The media server could not be reached", Codes.UNKNOWN)
    try:
        twirp = json.loads(getattr(error, "response", b"") or b"{}")
    except ValueError:
        twirp = {}
    code = twirp.get("code", "unknown") if isinstance(twirp, dict) else "unknown"
    message = twirp.get("msg", "") if isinstance(twirp, dict) else ""
    if code == "not_found":
        return SfuRoomNotFound(message)
    logger.warning("SFU %s for LiveKit room %s rejected: HTTP %d %s: %s", method, livekit_room,
                   status, code, message)
    return SynapseError(502, "The media server rejected the change", Codes.UNKNOWN)
