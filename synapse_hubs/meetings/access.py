# SPDX-License-Identifier: AGPL-3.0-or-later
"""Access checks for meeting endpoints: authentication, membership and power level."""

import logging

from synapse.module_api import ModuleApi, SynapseRequest
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.meetings.room_state import MeetingRoomState, load_meeting_room_state

logger = logging.getLogger(__name__)


class MeetingAccess:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def authenticate(self, request: SynapseRequest) -> str:
        """Return the user ID of the request's access token; Matrix guest accounts are refused."""
        requester = await self._api.get_user_by_req(request, allow_guest=False)
        return requester.user.to_string()

    async def require_member(self, room_id: str, user_id: str) -> MeetingRoomState:
        """Return the room state if user_id is joined to the meeting room_id, else raise."""
        validate_room_id(room_id)
        state = await load_meeting_room_state(self._api, room_id, user_id)

        # Non-members get the same response whether or not the room exists.
        if not state.is_joined:
            logger.info("Refused meeting access for %s in %s: not joined", user_id, room_id)
            raise SynapseError(403, "You are not a member of this meeting", Codes.FORBIDDEN)
        if state.meeting is None:
            raise SynapseError(404, "This room is not a meeting", Codes.NOT_FOUND)
        return state

    async def require_moderator(self, room_id: str, user_id: str) -> MeetingRoomState:
        """Like require_member, and user_id must have the moderator power level."""
        state = await self.require_member(room_id, user_id)
        if not state.is_moderator:
            logger.info("Refused moderator action for %s in %s: power level %s",
                        user_id, room_id, state.power_level)
            raise SynapseError(
                403, "Only moderators of this meeting can do this", Codes.FORBIDDEN
            )
        return state


def validate_room_id(room_id: str) -> None:
    if not room_id.startswith("!") or len(room_id) > 255:
        raise SynapseError(400, f"Invalid room ID: {room_id[:80]!r}", Codes.INVALID_PARAM)
