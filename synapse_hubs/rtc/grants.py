# SPDX-License-Identifier: AGPL-3.0-or-later
"""The LiveKit video grant a participant gets, decided from meeting policy.

All grant decisions live in video_grant(), so that later policy (lobby,
presenter rights, forced mute) changes one function.
"""

from dataclasses import dataclass
from typing import Any

from synapse_hubs.meetings.policy import MeetingPolicy

# LiveKit TrackSource names, as the JWT's canPublishSources lists them.
ALL_PUBLISH_SOURCES = ("camera", "microphone", "screen_share", "screen_share_audio")


@dataclass(frozen=True)
class CallParticipant:
    """The facts the grant policy is decided on: room membership and kind of account."""

    membership: str | None
    is_guest: bool
    # None for a room that is not a meeting, such as a plain Matrix room.
    meeting: MeetingPolicy | None


def video_grant(livekit_room: str, participant: CallParticipant) -> dict[str, Any]:
    """Return the `video` claim of the SFU JWT for this participant."""
    can_publish = participant.membership == "join"
    return {
        "room": livekit_room,
        "roomJoin": True,
        # Creating and deleting rooms through the SFU's admin API is not for clients.
        "roomCreate": False,
        "canPublish": can_publish,
        "canSubscribe": True,
        "canPublishData": True,
        "canUpdateOwnMetadata": True,
        "canPublishSources": list(ALL_PUBLISH_SOURCES),
    }
