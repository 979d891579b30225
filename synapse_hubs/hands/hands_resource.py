# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP endpoints of the raised-hands queue; every caller must be joined to the meeting.

  GET  /meetings/{room_id}/hands         the queue, first raised first
  POST /meetings/{room_id}/hands/raise   raise the caller's own hand
  POST /meetings/{room_id}/hands/lower   {"user_id"?}: lower one's own hand, or
                                         anyone's for a moderator
"""

import logging
from typing import Any

from synapse.module_api import SynapseRequest, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.hands.hand_queue import HandQueue
from synapse_hubs.hands.hand_store import RaisedHand
from synapse_hubs.http.fields import optional_string
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.meetings.access import MeetingAccess
from synapse_hubs.readiness import Readiness

logger = logging.getLogger(__name__)

ROOM = r"/meetings/(?P<room_id>[^/]+)"


class HandsResource:
    def __init__(self, readiness: Readiness, access: MeetingAccess, hands: HandQueue) -> None:
        self._readiness = readiness
        self._access = access
        self._hands = hands

    def register(self, router: JsonRouter) -> None:
        router.add("GET", f"{ROOM}/hands", self._get_queue)
        router.add("POST", f"{ROOM}/hands/raise", self._raise_hand)
        router.add("POST", f"{ROOM}/hands/lower", self._lower_hand)

    async def _get_queue(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._member(request, room_id)
        return 200, _queue_body(await self._hands.queue(room_id))

    async def _raise_hand(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        user_id = await self._member(request, room_id)
        return 200, _queue_body(await self._hands.raise_hand(room_id, user_id))

    async def _lower_hand(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        user_id = await self._member(request, room_id)
        body = parse_json_object_from_request(request, allow_empty_body=True)
        target = optional_string(body, "user_id") or user_id
        if target != user_id:
            state = await self._access.require_member(room_id, user_id)
            if not state.is_moderator:
                logger.info("Refused lowering the hand of %s by %s in %s: not a moderator",
                            target, user_id, room_id)
                raise SynapseError(403, "Only moderators can lower someone else's hand",
                                   Codes.FORBIDDEN)
        return 200, _queue_body(await self._hands.lower_hand(room_id, target, user_id))

    async def _member(self, request: SynapseRequest, room_id: str) -> str:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        await self._access.require_member(room_id, user_id)
        return user_id


def _queue_body(hands: list[RaisedHand]) -> dict[str, Any]:
    return {"queue": [hand.to_json() for hand in hands]}
