# SPDX-License-Identifier: AGPL-3.0-or-later
"""Power levels of a meeting room: the content we create and how we read a user's level.

Meeting rooms use room version 12, where the room's creators (the organiser)
have unlimited power and must not appear in the `users` map (MSC4289).
"""

import math
from typing import Any, Mapping

from synapse_hubs.event_types import CALL_MEMBER, POLICY_STATE_TYPES

# Level from which a member may manage guest links and moderate.
MODERATOR_LEVEL = 50
SERVICE_ACCOUNT_LEVEL = 100

# Level that room creators have before any power levels event exists, in
# room versions before 12.
_LEGACY_CREATOR_LEVEL = 100


def meeting_power_levels(service_user_id: str) -> dict[str, Any]:
    """Return the m.room.power_levels content for a new meeting room.

    Synapse applies a createRoom power_level_content_override key by key,
    so `events` lists every type that needs a level, Synapse's defaults included.
    """
    events: dict[str, int] = {
        "m.room.name": 50,
        "m.room.avatar": 50,
        "m.room.canonical_alias": 50,
        "m.room.topic": 50,
        "m.room.power_levels": 100,
        "m.room.history_visibility": 100,
        "m.room.server_acl": 100,
        "m.room.encryption": 100,
        # Changing these would bypass the admission rules of the meeting policy.
        "m.room.join_rules": 100,
        "m.room.guest_access": 100,
        # Room version 12 reserves upgrades to the creators.
        "m.room.tombstone": 150,
        # Every member publishes their own MatrixRTC call membership.
        CALL_MEMBER: 0,
    }
    for event_type in POLICY_STATE_TYPES:
        events[event_type] = 100

    return {
        "users": {service_user_id: SERVICE_ACCOUNT_LEVEL},
        "users_default": 0,
        "events": events,
        "events_default": 0,
        "state_default": 50,
        "ban": 50,
        "kick": 50,
        "redact": 50,
        "invite": 50,
        "historical": 100,
    }


def user_power_level(
    user_id: str,
    create_sender: str | None,
    create_content: Mapping[str, Any],
    power_levels_content: Mapping[str, Any] | None,
) -> float:
    """Return user_id's power level, math.inf for a creator in room version 12 and later."""
    if _creators_have_unlimited_power(create_content):
        creators = {create_sender, *create_content.get("additional_creators", [])}
        if user_id in creators:
            return math.inf

    if power_levels_content is None:
        creator = create_content.get("creator", create_sender)
        return _LEGACY_CREATOR_LEVEL if user_id == creator else 0

    users = power_levels_content.get("users", {})
    level = users.get(user_id, power_levels_content.get("users_default", 0))
    return _as_level(level)


def _creators_have_unlimited_power(create_content: Mapping[str, Any]) -> bool:
    room_version = str(create_content.get("room_version", "1"))
    # The unstable name of room version 12 while MSC4289 was in review.
    if room_version.startswith("org.matrix.hydra"):
        return True
    return room_version.isdigit() and int(room_version) >= 12


def _as_level(value: Any) -> float:
    # Old rooms may hold levels as strings; the Matrix spec reads them as integers.
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
