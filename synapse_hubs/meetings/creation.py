# SPDX-License-Identifier: AGPL-3.0-or-later
"""Create a meeting room: our policy state, power levels and the service account as a member."""

import logging
from typing import Any

from synapse.module_api import ModuleApi

from synapse_hubs.event_types import EID_POLICY, MEETING
from synapse_hubs.meetings.policy import ACCESS_PUBLIC, MeetingPolicy
from synapse_hubs.meetings.power_levels import meeting_power_levels
from synapse_hubs.service_account import ServiceAccount

logger = logging.getLogger(__name__)

# Pinned because the power levels we write depend on it: from version 12 on,
# the creator has unlimited power and must not be listed in `users`.
MEETING_ROOM_VERSION = "12"

MEGOLM_ALGORITHM = "m.megolm.v1.aes-sha2"


class MeetingFactory:
    def __init__(self, api: ModuleApi, service_account: ServiceAccount) -> None:
        self._api = api
        self._service_account = service_account

    async def create(
        self, owner: str, title: str, access: str, e2ee: bool,
        eid_policy: dict[str, Any] | None = None, lobby: bool = False,
    ) -> tuple[str, MeetingPolicy]:
        """Create a meeting room owned by `owner` and return its room ID and policy.

        `eid_policy` is `se.hubs.eid_policy` content; without it the room
        follows the server's default e-ID policy. With `lobby`, the join rule
        is `knock`, so everyone who is not invited waits for a moderator.
        """
        policy = MeetingPolicy(
            title=title,
            access=access,
            owner=owner,
            created_ts=self._api.get_current_time_msec(),
            e2ee=e2ee,
            lobby=lobby,
        )
        config = meeting_room_config(policy, self._service_account.user_id, eid_policy)
        room_id, _ = await self._api.create_room(owner, config)

        # TODO: the service account's joins and guest invites count against rc_joins
        # and rc_invites; production needs a rate-limit override for this account.
        service_user = self._service_account.user_id
        await self._api.update_room_membership(service_user, service_user, room_id, "join")

        logger.info("Created %s meeting %s for %s (e2ee=%s, lobby=%s)",
                    access, room_id, owner, e2ee, lobby)
        return room_id, policy


def meeting_room_config(policy: MeetingPolicy, service_user_id: str,
                        eid_policy: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the createRoom request body for a meeting with this policy."""
    initial_state: list[dict[str, Any]] = [
        {"type": MEETING, "state_key": "", "content": policy.to_content()},
        # Without a lobby, guests are invited when they redeem a link. With one,
        # they knock, and only a moderator's invite lets them join.
        {"type": "m.room.join_rules", "state_key": "",
         "content": {"join_rule": "knock" if policy.lobby else "invite"}},
        # Matrix guest accounts are not used; guests get real throwaway accounts.
        {"type": "m.room.guest_access", "state_key": "",
         "content": {"guest_access": "forbidden"}},
        {"type": "m.room.history_visibility", "state_key": "",
         "content": {"history_visibility": _history_visibility(policy)}},
    ]
    if eid_policy is not None:
        # In the initial state, so no one can join before the policy applies.
        initial_state.append({"type": EID_POLICY, "state_key": "", "content": eid_policy})
    if policy.e2ee:
        initial_state.append({
            "type": "m.room.encryption", "state_key": "",
            "content": {"algorithm": MEGOLM_ALGORITHM},
        })

    return {
        "preset": "private_chat",
        "visibility": "private",
        "room_version": MEETING_ROOM_VERSION,
        "name": policy.title,
        "invite": [service_user_id],
        "initial_state": initial_state,
        "power_level_content_override": meeting_power_levels(service_user_id),
    }


def _history_visibility(policy: MeetingPolicy) -> str:
    # A guest who arrives by link sees the chat from their own join onwards,
    # not what staff wrote before; invited members of a private meeting see it all.
    return "joined" if policy.access == ACCESS_PUBLIC else "shared"
