# SPDX-License-Identifier: AGPL-3.0-or-later
"""Meeting rooms created directly through the module API.

A stand-in for the meetings service with the same room shape: the
`se.hubs.meeting` policy state with the same content keys, the service
account joined with power level 100, invite-only admission. It mints no
guest links, so every join link is the signed-in meeting page.
"""

import logging
import urllib.parse
from typing import Any, Sequence

from synapse.module_api import ModuleApi
from synapse.module_api.errors import SynapseError

from synapse_hubs.calendar.meeting_rooms import MeetingRoom
from synapse_hubs.calendar.model import MeetingPolicy
from synapse_hubs.event_types import EID_POLICY, MEETING

logger = logging.getLogger(__name__)

PAGES_PREFIX = "_synapse/client/hubs"


# TODO: use synapse_hubs.meetings (MeetingFactory, GuestLinks) once on main, for guest links.
class StandaloneMeetingRooms:
    def __init__(self, api: ModuleApi, service_user_id: str) -> None:
        self._api = api
        self._service_user_id = service_user_id

    async def create(
        self,
        organiser_id: str,
        title: str,
        policy: MeetingPolicy,
        link_expires_ts: int | None,
    ) -> MeetingRoom:
        content = {
            "title": title,
            "access": policy.access.value,
            "owner": organiser_id,
            "created_ts": self._api.get_current_time_msec(),
            "e2ee": False,
        }
        config = {
            "preset": "private_chat",
            "visibility": "private",
            "name": title,
            "invite": [self._service_user_id],
            "initial_state": [
                {"type": MEETING, "state_key": "", "content": content},
                {"type": "m.room.join_rules", "state_key": "", "content": {"join_rule": "invite"}},
                {"type": "m.room.guest_access", "state_key": "",
                 "content": {"guest_access": "forbidden"}},
            ],
            # From room version 12 (Synapse's default since 1.157) the creator
            # has unlimited power and must not be listed in `users`.
            "room_version": "12",
            "power_level_content_override": {"users": {self._service_user_id: 100}},
        }
        if policy.eid is not None:
            config["initial_state"].append(
                {"type": EID_POLICY, "state_key": "", "content": policy.eid}
            )
        room_id, _ = await self._api.create_room(organiser_id, config)
        await self._api.update_room_membership(
            self._service_user_id, self._service_user_id, room_id, "join"
        )
        logger.info("Created meeting room %s for %s", room_id, organiser_id)
        return MeetingRoom(room_id=room_id, join_url=self._meeting_page(room_id))

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
        await self._send_state(room_id, "m.room.name", {"name": title})

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

    def _meeting_page(self, room_id: str) -> str:
        base = self._api.public_baseurl
        if not base.endswith("/"):
            base += "/"
        return f"{base}{PAGES_PREFIX}/meet/{urllib.parse.quote(room_id, safe='!:')}"
