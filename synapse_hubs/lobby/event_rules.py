# SPDX-License-Identifier: AGPL-3.0-or-later
"""Keep denied and removed guests out of the meeting they were excluded from.

check_event_allowed sees every locally built membership event, so a guest
who replays an old access token to knock or join through the client API is
refused here, not only on the guest link endpoints. Staff and remote users
are not excluded: like in any Matrix room, they may knock again and a
moderator decides again.
"""

import logging
from typing import Any, Awaitable, Callable

from synapse.module_api import EventBase

from synapse_hubs.lobby.excluded_error import excluded_error
from synapse_hubs.lobby.exclusions import ExclusionStore

logger = logging.getLogger(__name__)


class LobbyEventRules:
    def __init__(self, exclusions: ExclusionStore,
                 is_guest: Callable[[str], Awaitable[bool]]) -> None:
        self._exclusions = exclusions
        self._is_guest = is_guest

    async def check_event_allowed(self, event: EventBase, state: Any
                                  ) -> tuple[bool, dict | None]:
        if event.type != "m.room.member":
            return True, None
        membership = event.content.get("membership")
        if membership not in ("knock", "join"):
            return True, None

        target = event.get_state_key()
        if target is None or not await self._is_guest(target):
            return True, None
        decision = await self._exclusions.decision_for(event.room_id, target)
        if decision is None:
            return True, None

        logger.info("Refused %s of excluded guest %s to %s (decision %s)",
                    membership, target, event.room_id, decision)
        raise excluded_error(decision)
