# SPDX-License-Identifier: AGPL-3.0-or-later
"""POST /sfu_webhook: participant events from the SFU, in LiveKit's webhook format."""

import json
import logging
from typing import Any, Awaitable, Callable

from synapse.module_api import ModuleApi, SynapseRequest
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.config import SfuConfig
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.readiness import Readiness
from synapse_hubs.rtc.call_membership import end_call_membership
from synapse_hubs.rtc.participant_store import ParticipantStore
from synapse_hubs.rtc.webhook_auth import WebhookAuthError, verify_webhook

logger = logging.getLogger(__name__)

PARTICIPANT_LEFT = "participant_left"

EventHandler = Callable[[dict[str, Any]], Awaitable[None]]

# livekit.DisconnectReason when the same identity connected again, as a name
# (protobuf JSON) or as its number.
_DUPLICATE_IDENTITY = ("DUPLICATE_IDENTITY", 2)


class SfuWebhook:
    def __init__(
        self,
        api: ModuleApi,
        sfu: SfuConfig,
        readiness: Readiness,
        participants: ParticipantStore,
    ) -> None:
        self._api = api
        self._sfu = sfu
        self._readiness = readiness
        self._participants = participants
        self._handlers: dict[str, list[EventHandler]] = {}

    def add_handler(self, event_name: str, handler: EventHandler) -> None:
        """Also pass verified events named `event_name` (such as `egress_ended`) to `handler`."""
        self._handlers.setdefault(event_name, []).append(handler)

    def register(self, router: JsonRouter) -> None:
        router.add("POST", "/sfu_webhook", self._receive)

    async def _receive(self, request: SynapseRequest) -> tuple[int, Any]:
        body = _raw_body(request)
        authorization = request.getHeader("Authorization")
        try:
            verify_webhook(body, authorization, self._sfu.api_key, self._sfu.api_secret)
        except WebhookAuthError as error:
            logger.warning("Rejected SFU webhook from %s: %s", request.getClientAddress().host,
                           error)
            raise SynapseError(401, "Invalid webhook signature", Codes.UNAUTHORIZED) from error

        event = _parse_event(body)
        await self._readiness.wait()
        if event.get("event") == PARTICIPANT_LEFT:
            await self._on_participant_left(event)
        for handler in self._handlers.get(str(event.get("event")), []):
            await handler(event)
        return 200, {}

    async def _on_participant_left(self, event: dict[str, Any]) -> None:
        room = event.get("room") or {}
        participant = event.get("participant") or {}
        livekit_room = room.get("name")
        identity = participant.get("identity")
        if not isinstance(livekit_room, str) or not isinstance(identity, str):
            raise SynapseError(400, "participant_left needs room.name and participant.identity",
                               Codes.BAD_JSON)

        if participant.get("disconnectReason") in _DUPLICATE_IDENTITY:
            # The device reconnected under the same identity and is still in the call.
            logger.debug("Kept call membership of a participant that reconnected in %s",
                         livekit_room)
            return

        known = await self._participants.find(livekit_room, identity)
        if known is None:
            logger.debug("SFU reported an unknown participant leaving LiveKit room %s",
                         livekit_room)
            return
        if not self._api.is_mine(known.user_id):
            # Only the user's own homeserver can send events as that user.
            return

        await end_call_membership(
            self._api, known.room_id, known.user_id, known.device_id, _created_at_ms(event)
        )


def _raw_body(request: SynapseRequest) -> bytes:
    # The signature covers the exact bytes, so read them before any parsing.
    if request.content is None:
        return b""
    request.content.seek(0)
    return request.content.read()


def _parse_event(body: bytes) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except ValueError as error:
        raise SynapseError(400, "Webhook body is not JSON", Codes.NOT_JSON) from error
    if not isinstance(event, dict):
        raise SynapseError(400, "Webhook body must be a JSON object", Codes.BAD_JSON)
    return event


def _created_at_ms(event: dict[str, Any]) -> int | None:
    """Return the last millisecond of the event's createdAt second, or None without one.

    LiveKit's protobuf JSON carries createdAt in whole seconds, often as a
    string. Taking the end of that second errs towards ending a membership
    that was sent in the same second as the leave.
    """
    created_at = event.get("createdAt")
    try:
        return int(created_at) * 1000 + 999 if created_at is not None else None
    except (TypeError, ValueError):
        return None
