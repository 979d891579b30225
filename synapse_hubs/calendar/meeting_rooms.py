# SPDX-License-Identifier: AGPL-3.0-or-later
"""Interface between the calendar feature and the meetings service.

Scheduling creates the meeting room and its join link up front, so the
room's chat exists before, during and after the meeting. The calendar code
talks to the meetings service only through this interface.
"""

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from synapse_hubs.calendar.model import MeetingPolicy


@dataclass(frozen=True)
class MeetingRoom:
    room_id: str
    # The link invitations carry: a guest link for public meetings, the
    # signed-in meeting page for private ones.
    join_url: str


class MeetingRooms(Protocol):
    async def create(
        self,
        organiser_id: str,
        title: str,
        policy: MeetingPolicy,
        link_expires_ts: int | None,
    ) -> MeetingRoom:
        """Create the meeting room owned by the organiser and its join link.

        `link_expires_ts` (UTC ms) ends the guest link's access period; None
        keeps it open, as for a series without end.
        """

    async def invite(self, room_id: str, user_ids: Sequence[str]) -> list[str]:
        """Invite Matrix users into the room; return the ones that failed."""

    async def rename(self, room_id: str, title: str) -> None:
        """Set the room name after the meeting was retitled."""

    async def set_eid_policy(self, room_id: str, content: dict[str, Any]) -> None:
        """Replace the room's `se.hubs.eid_policy` state."""
