# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calls from Synapse to the SFU's recording admin API (hubs.RecordingService over Twirp).

Responses are LiveKit EgressInfo objects in protobuf JSON.
"""

from typing import Any

from synapse.module_api import ModuleApi

from synapse_hubs.config import SfuConfig
from synapse_hubs.rtc.sfu_twirp import SfuTwirpClient, TwirpRejection


class SfuRecordingError(Exception):
    """The SFU rejected a recording call; `status` and `code` are its HTTP status and Twirp code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class SfuRecordingClient:
    def __init__(self, api: ModuleApi, sfu: SfuConfig) -> None:
        self._twirp = SfuTwirpClient(api, sfu, "hubs.RecordingService", "hubs-recording-control")

    async def start(self, livekit_room: str, initiator_identities: list[str]) -> dict[str, Any]:
        return await self._call("StartRoomRecording", livekit_room,
                                {"initiatorIdentities": initiator_identities})

    async def stop(self, livekit_room: str) -> dict[str, Any]:
        return await self._call("StopRoomRecording", livekit_room, {})

    async def list(self, livekit_room: str) -> list[dict[str, Any]]:
        body = await self._call("ListRoomRecordings", livekit_room, {})
        items = body.get("items", [])
        return [item for item in items if isinstance(item, dict)]

    async def _call(self, method: str, livekit_room: str, fields: dict[str, Any]) -> dict[str, Any]:
        try:
            return await self._twirp.call(method, livekit_room, fields)
        except TwirpRejection as rejection:
            raise SfuRecordingError(rejection.status, rejection.code,
                                    rejection.message) from rejection
