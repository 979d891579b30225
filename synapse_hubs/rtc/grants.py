# SPDX-License-Identifier: AGPL-3.0-or-later
"""The LiveKit video grant a participant gets, decided from meeting policy.

All grant decisions live in video_grant(), so that later policy (such as
the lobby) changes one function. The publishable sources come from
moderation.media_permissions, which also decides the permission updates
sent to participants already in the call.
"""

from dataclasses import dataclass, field
from typing import Any

from synapse_hubs.meetings.policy import MeetingPolicy
from synapse_hubs.moderation.media_permissions import publish_sources
from synapse_hubs.moderation.moderation_state import ModerationState


@dataclass(frozen=True)
class CallParticipant:
    """The facts the grant policy is decided on: room membership and kind of account."""

    membership: str | None
    is_guest: bool
    # None for a room that is not a meeting, such as a plain Matrix room.
    meeting: MeetingPolicy | None
    user_id: str = ""
    is_moderator: bool = False
    moderation: ModerationState = field(default_factory=ModerationState)


def video_grant(livekit_room: str, participant: CallParticipant) -> dict[str, Any]:
    """Return the `video` claim of the SFU JWT for this participant."""
    sources = publish_sources(participant.moderation, participant.meeting, participant.user_id,
                              participant.is_moderator)
    # LiveKit reads an empty canPublishSources as "every source", so a
    # participant allowed no source gets canPublish false instead.
    can_publish = participant.membership == "join" and bool(sources)
    return {
        "room": livekit_room,
        "roomJoin": True,
        # Creating and deleting rooms through the SFU's admin API is not for clients.
        "roomCreate": False,
        "canPublish": can_publish,
        "canSubscribe": True,
        "canPublishData": True,
        "canUpdateOwnMetadata": True,
        "canPublishSources": list(sources),
    }
