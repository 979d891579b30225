# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calls from Synapse to the SFU's admin services over Twirp (JSON over HTTP POST).

Each call carries a short-lived admin JWT for the one LiveKit room it
concerns, signed with the SFU API secret. Request and response bodies are
protobuf messages in JSON. The recording and moderation clients build on
this.
"""

import json
import logging
from typing import Any

from synapse.module_api import ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.config import SfuConfig
from synapse_hubs.rtc.sfu_jwt import encode_sfu_jwt

logger = logging.getLogger(__name__)

ADMIN_TOKEN_LIFETIME_S = 60


class TwirpRejection(Exception):
    """The SFU returned a Twirp error; `status` is the HTTP status and `code` the Twirp code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class SfuTwirpClient:
    def __init__(self, api: ModuleApi, sfu: SfuConfig, service: str, admin_identity: str) -> None:
        self._api = api
        self._sfu = sfu
        self._service_path = f"/twirp/{service}/"
        self._admin_identity = admin_identity

    async def call(self, method: str, livekit_room: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Call `method` for `livekit_room` and return the response body.

        Raises TwirpRejection when the SFU rejects the call, and a 502
        SynapseError when it cannot be reached, times out or sends no object.
        """
        url = self._sfu.api_url + self._service_path + method
        headers = {b"Authorization": [f"Bearer {self._admin_token(livekit_room)}".encode("ascii")]}
        try:
            body = await self._api.http_client.post_json_get_json(
                url, {"room": livekit_room, **fields}, headers=headers)
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

    def _admin_token(self, livekit_room: str) -> str:
        now_s = self._api.get_current_time_msec() // 1000
        return encode_sfu_jwt({
            "iss": self._sfu.api_key, "sub": self._admin_identity, "nbf": now_s,
            "exp": now_s + ADMIN_TOKEN_LIFETIME_S,
            "video": {"room": livekit_room, "roomAdmin": True},
        }, self._sfu.api_secret)


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
    logger.info("SFU %s for LiveKit room %s rejected: HTTP %d %s: %s", method, livekit_room,
                status, code, message)
    return TwirpRejection(status, str(code), str(message))
