# SPDX-License-Identifier: AGPL-3.0-or-later
"""The parts of a room's current state that meeting requests are decided on."""

from dataclasses import dataclass

from synapse.module_api import ModuleApi

from synapse_hubs.event_types import MEETING
from synapse_hubs.meetings.policy import MeetingPolicy
from synapse_hubs.meetings.power_levels import MODERATOR_LEVEL, user_power_level


@dataclass(frozen=True)
class MeetingRoomState:
    """One user's view of a room: the meeting policy and that user's standing in it."""

    room_id: str
    user_id: str
    # None when the room is unknown here or is not a meeting.
    meeting: MeetingPolicy | None
    # The user's m.room.member membership ("join", "invite", ...), None if absent.
    membership: str | None
    # Display name from the user's member event, None if the event has none.
    display_name: str | None
    power_level: float
    # True when the room has an m.room.encryption state event.
    encrypted: bool

    @property
    def is_joined(self) -> bool:
        return self.membership == "join"

    @property
    def is_moderator(self) -> bool:
        return self.is_joined and self.power_level >= MODERATOR_LEVEL

    @property
    def is_e2ee(self) -> bool:
        return self.encrypted or (self.meeting is not None and self.meeting.e2ee)


async def load_meeting_room_state(
    api: ModuleApi, room_id: str, user_id: str
) -> MeetingRoomState:
    """Read room_id's current state as seen for user_id; an unknown room yields empty state."""
    state = await api.get_room_state(
        room_id,
        [
            (MEETING, ""),
            ("m.room.create", ""),
            ("m.room.power_levels", ""),
            ("m.room.encryption", ""),
            ("m.room.member", user_id),
        ],
    )
    meeting_event = state.get((MEETING, ""))
    create_event = state.get(("m.room.create", ""))
    power_levels_event = state.get(("m.room.power_levels", ""))
    member_event = state.get(("m.room.member", user_id))

    power_level: float = 0
    if create_event is not None:
        power_level = user_power_level(
            user_id,
            create_event.sender,
            create_event.content,
            power_levels_event.content if power_levels_event is not None else None,
        )

    display_name = member_event.content.get("displayname") if member_event else None
    return MeetingRoomState(
        room_id=room_id,
        user_id=user_id,
        meeting=MeetingPolicy.from_content(meeting_event.content) if meeting_event else None,
        membership=member_event.content.get("membership") if member_event else None,
        display_name=display_name if isinstance(display_name, str) else None,
        power_level=power_level,
        encrypted=("m.room.encryption", "") in state,
    )
