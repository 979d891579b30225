# SPDX-License-Identifier: AGPL-3.0-or-later
"""Apply a meeting's moderation state to the participants already in its SFU call.

New joins and reconnects get the policy through their SFU token. People
already in the call get a permission update through the SFU's admin API.
The SFU then unpublishes every track whose source is no longer allowed and
rejects publishing it again. So nothing from a muted microphone or a
revoked camera is forwarded, whatever the client does.
"""

import logging
from typing import Any

from synapse.module_api import ModuleApi

from synapse_hubs.event_types import MEETING
from synapse_hubs.meetings.policy import MeetingPolicy
from synapse_hubs.meetings.room_state import load_meeting_room_state
from synapse_hubs.moderation.media_permissions import ALL_SOURCES, publish_sources
from synapse_hubs.moderation.moderation_state import ModerationState, load_moderation_state
from synapse_hubs.moderation.sfu_room_client import SfuRoomClient, SfuRoomNotFound
from synapse_hubs.rtc.identity import livekit_room_name
from synapse_hubs.rtc.participant_store import ParticipantStore

logger = logging.getLogger(__name__)


class ModerationEnforcer:
    def __init__(self, api: ModuleApi, sfu: SfuRoomClient, participants: ParticipantStore) -> None:
        self._api = api
        self._sfu = sfu
        self._participants = participants

    async def apply(self, room_id: str, meeting: MeetingPolicy, moderation: ModerationState) -> int:
        """Send a permission update to every call participant whose sources change; returns how many."""
        livekit_room = livekit_room_name(room_id)
        updated = 0
        for info in await self._sfu.list_participants(livekit_room):
            if await self._apply_to(room_id, livekit_room, meeting, moderation, info):
                updated += 1
        if updated:
            logger.info("Moderation of %s applied to %d SFU participants", room_id, updated)
        return updated

    async def disconnect(self, room_id: str, user_id: str) -> None:
        """Disconnect every call connection of `user_id` (all devices) from the meeting's call.

        Called after a moderator removed the user from the room; without it the
        SFU connection would last until the client leaves or its token expires.
        """
        livekit_room = livekit_room_name(room_id)
        for identity in await self._participants.identities_of(livekit_room, user_id):
            if await self._sfu.remove_participant(livekit_room, identity):
                logger.info("Disconnected %s (%s) from the call of %s after removal",
                            user_id, identity, room_id)

    async def on_participant_joined(self, event: dict[str, Any]) -> None:
        """Check a new call participant against the current policy (SFU webhook handler).

        Its token may predate the last change: it was fetched just before a
        mute-all, or a client rejoined with an old token after the SFU had
        restarted. This closes that gap within one webhook round trip.
        """
        livekit_room = (event.get("room") or {}).get("name")
        info = event.get("participant") or {}
        if not isinstance(livekit_room, str) or not isinstance(info, dict):
            return
        room_id = await self._participants.room_id_for(livekit_room)
        if room_id is None:
            return
        state = await self._api.get_room_state(room_id, [(MEETING, "")])
        meeting_event = state.get((MEETING, ""))
        meeting = MeetingPolicy.from_content(meeting_event.content) if meeting_event else None
        if meeting is None:
            return
        moderation = await load_moderation_state(self._api, room_id)
        await self._apply_to(room_id, livekit_room, meeting, moderation, info)

    async def _apply_to(self, room_id: str, livekit_room: str, meeting: MeetingPolicy,
                        moderation: ModerationState, info: dict[str, Any]) -> bool:
        identity = info.get("identity")
        permission = info.get("permission") or {}
        # The recorder is hidden and publishes nothing.
        if not isinstance(identity, str) or permission.get("hidden") or permission.get("recorder"):
            return False
        participant = await self._participants.find(livekit_room, identity)
        if participant is None:
            # A token from another issuer, such as a test or an external lk-jwt-service.
            logger.info("Moderation of %s skipped SFU participant %s: unknown identity",
                        room_id, identity)
            return False

        member = await load_meeting_room_state(self._api, room_id, participant.user_id)
        sources = publish_sources(moderation, meeting, participant.user_id, member.is_moderator)
        if not member.is_joined:
            sources = ()
        if current_sources(permission) == set(sources):
            return False

        try:
            await self._sfu.update_permission(livekit_room, identity, sources)
        except SfuRoomNotFound:
            return False  # left the call meanwhile
        logger.info("Moderation of %s: %s (%s) may now publish %s", room_id, participant.user_id,
                    identity, ",".join(sources) or "nothing")
        return True


def current_sources(permission: dict[str, Any]) -> set[str]:
    """Return the sources a ParticipantPermission in protobuf JSON allows."""
    if not permission.get("canPublish"):
        return set()
    listed = permission.get("canPublishSources") or []
    # LiveKit reads an empty list as every source.
    return {str(source).lower() for source in listed} if listed else set(ALL_SOURCES)
