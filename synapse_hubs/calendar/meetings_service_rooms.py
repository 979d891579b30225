# SPDX-License-Identifier: AGPL-3.0-or-later
"""Meeting rooms and guest links of scheduled meetings, made by the meetings service.

A public meeting gets a guest link that stays valid until some time after
its last occurrence (GUEST_RETURN_PERIOD_MS in schedule_service), so guests
can come back to the chat. A private meeting has no guest link; its invitations carry the
signed-in meeting page, and like every private meeting it is end-to-end
encrypted.
"""

import logging
import math
from typing import Any, Sequence

from synapse.module_api import ModuleApi
from synapse.module_api.errors import SynapseError

from synapse_hubs.calendar.meeting_rooms import MeetingRoom
from synapse_hubs.calendar.model import Access, MeetingPolicy
from synapse_hubs.event_types import EID_POLICY, MEETING
from synapse_hubs.guests.links import GuestLinks
from synapse_hubs.meetings.creation import MeetingFactory
from synapse_hubs.meetings.policy import ACCESS_PRIVATE, ACCESS_PUBLIC
from synapse_hubs.urls import guest_link_url, meeting_url

logger = logging.getLogger(__name__)

# Shown to moderators in the meeting's list of guest links.
GUEST_LINK_LABEL = "Kalenderinbjudan / Calendar invitation"
MIN_LINK_LIFETIME_S = 60


class MeetingsServiceRooms:
    def __init__(
        self,
        api: ModuleApi,
        factory: MeetingFactory,
        links: GuestLinks,
        service_user_id: str,
    ) -> None:
        self._api = api
        self._factory = factory
        self._links = links
        self._service_user_id = service_user_id

    async def create(
        self,
        organiser_id: str,
        title: str,
        policy: MeetingPolicy,
        link_expires_ts: int | None,
    ) -> MeetingRoom:
        access = ACCESS_PUBLIC if policy.access is Access.PUBLIC else ACCESS_PRIVATE
        room_id, _ = await self._factory.create(
            organiser_id, title, access, e2ee=access == ACCESS_PRIVATE, eid_policy=policy.eid,
            lobby=policy.lobby,
        )

        if access == ACCESS_PRIVATE:
            return MeetingRoom(room_id, meeting_url(self._api.public_baseurl, room_id,
                                                    via=[self._api.server_name]))

        _, token = await self._links.create(
            room_id,
            organiser_id,
            expires_in_s=self._lifetime_s(link_expires_ts),
            label=GUEST_LINK_LABEL,
        )
        return MeetingRoom(room_id, guest_link_url(self._api.public_baseurl, token))

    async def invite(self, room_id: str, user_ids: Sequence[str]) -> list[str]:
        failed = []
        for user_id in user_ids:
            try:
                await self._api.update_room_membership(
                    self._service_user_id, user_id, room_id, "invite"
                )
            except SynapseError as error:
                # An invite fails for a user who is already joined or banned;
                # the other participants are still invited.
                logger.warning("Could not invite %s to %s: %s", user_id, room_id, error)
                failed.append(user_id)
        return failed

    async def rename(self, room_id: str, title: str) -> None:
        """Set the room name and the title in the meeting's policy state."""
        await self._send_state(room_id, "m.room.name", {"name": title})

        state = await self._api.get_room_state(room_id, [(MEETING, "")])
        policy_event = state.get((MEETING, ""))
        if policy_event is not None:
            await self._send_state(room_id, MEETING, {**policy_event.content, "title": title})

    async def set_eid_policy(self, room_id: str, content: dict[str, Any]) -> None:
        await self._send_state(room_id, EID_POLICY, content)

    async def _send_state(self, room_id: str, event_type: str, content: dict[str, Any]) -> None:
        await self._api.create_and_send_event_into_room({
            "type": event_type,
            "state_key": "",
            "room_id": room_id,
            "sender": self._service_user_id,
            "content": content,
        })

    def _lifetime_s(self, expires_ts: int | None) -> int | None:
        if expires_ts is None:
            return None
        remaining_ms = expires_ts - self._api.get_current_time_msec()
        return max(MIN_LINK_LIFETIME_S, math.ceil(remaining_ms / 1000))
