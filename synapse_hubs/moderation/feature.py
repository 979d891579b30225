# SPDX-License-Identifier: AGPL-3.0-or-later
"""Wire meeting moderation into Synapse: endpoints and the room-state listener.

Moderators change the `se.hubs.moderation` state through the HTTP API or,
from Element, by sending the state event themselves (power level 50). The
API applies its change to the SFU at once. The listener applies every new
moderation or power levels event, so changes made without the API and
promoted or demoted moderators take effect in the call too. Every participant joining the SFU is checked as well, in case its
token predates the last change. Applying a change twice is harmless because
only differing permissions are sent.
"""

import logging
from typing import Any

from synapse.module_api import EventBase, ModuleApi

from synapse_hubs.config import HubsConfig
from synapse_hubs.event_types import MEETING, MODERATION
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.meetings.access import MeetingAccess
from synapse_hubs.meetings.policy import MeetingPolicy
from synapse_hubs.moderation.moderation_resource import ModerationResource
from synapse_hubs.moderation.moderation_state import ModerationState
from synapse_hubs.moderation.sfu_enforcement import ModerationEnforcer
from synapse_hubs.moderation.sfu_room_client import SfuRoomClient
from synapse_hubs.readiness import Readiness
from synapse_hubs.rtc.participant_store import ParticipantStore
from synapse_hubs.rtc.webhook import SfuWebhook

logger = logging.getLogger(__name__)

_TRIGGERS = (MODERATION, "m.room.power_levels")


class ModerationFeature:
    def __init__(self, api: ModuleApi, config: HubsConfig, readiness: Readiness,
                 api_router: JsonRouter, participants: ParticipantStore,
                 webhook: SfuWebhook) -> None:
        self._api = api
        self._enforcer = ModerationEnforcer(api, SfuRoomClient(api, config.sfu), participants)
        ModerationResource(api, readiness, MeetingAccess(api), self._enforcer).register(api_router)
        api.register_third_party_rules_callbacks(on_new_event=self._on_new_event)
        webhook.add_handler("participant_joined", self._on_participant_joined)
        logger.info("Moderation loaded")

    async def disconnect_from_call(self, room_id: str, user_id: str) -> None:
        """End the SFU connections of a user a moderator removed from the meeting."""
        await self._enforcer.disconnect(room_id, user_id)

    async def _on_participant_joined(self, event: dict[str, Any]) -> None:
        try:
            await self._enforcer.on_participant_joined(event)
        except Exception:
            # The participant keeps its token's grants until the next change.
            logger.exception("Checking a new SFU participant against the moderation failed")

    async def _on_new_event(self, event: EventBase, state: Any) -> None:
        if event.type not in _TRIGGERS or not event.is_state():
            return
        if not self._api.should_run_background_tasks():
            return
        meeting_event = state.get((MEETING, ""))
        meeting = MeetingPolicy.from_content(meeting_event.content) if meeting_event else None
        if meeting is None:
            return
        moderation_event = state.get((MODERATION, ""))
        moderation = ModerationState.from_content(
            moderation_event.content if moderation_event else None)
        try:
            await self._enforcer.apply(event.room_id, meeting, moderation)
        except Exception:
            # The next change or token request applies the policy again.
            logger.exception("Applying moderation of %s to the SFU after %s failed",
                             event.room_id, event.event_id)
