# SPDX-License-Identifier: AGPL-3.0-or-later
"""The meeting policy, as stored in the `se.hubs.meeting` state event."""

import logging
from dataclasses import dataclass
from typing import Any, Mapping

logger = logging.getLogger(__name__)

# Admission by guest link: the service account invites each guest on redemption.
ACCESS_PUBLIC = "public"
# Invite-only: members are invited by moderators; no guest links.
ACCESS_PRIVATE = "private"
ACCESS_VALUES = (ACCESS_PUBLIC, ACCESS_PRIVATE)

TITLE_MAX_LENGTH = 200


@dataclass(frozen=True)
class MeetingPolicy:
    title: str
    access: str
    owner: str
    # Milliseconds since the Unix epoch, by the server clock.
    created_ts: int
    e2ee: bool
    # True when non-members must knock and wait for a moderator to admit them.
    # Policies written before the lobby existed have no such key and read as False.
    lobby: bool = False

    def to_content(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "access": self.access,
            "owner": self.owner,
            "created_ts": self.created_ts,
            "e2ee": self.e2ee,
            "lobby": self.lobby,
        }

    @classmethod
    def from_content(cls, content: Mapping[str, Any]) -> "MeetingPolicy | None":
        """Parse state content, or return None when it is not a valid policy.

        Redacted or hand-edited state must not break a request, so invalid
        content reads as "not a meeting" rather than raising.
        """
        title = content.get("title")
        access = content.get("access")
        owner = content.get("owner")
        created_ts = content.get("created_ts")
        e2ee = content.get("e2ee")
        lobby = content.get("lobby", False)
        if (
            not isinstance(title, str)
            or access not in ACCESS_VALUES
            or not isinstance(owner, str)
            or not isinstance(created_ts, int)
            or not isinstance(e2ee, bool)
            or not isinstance(lobby, bool)
        ):
            logger.warning("Ignoring invalid meeting policy content: keys %s", sorted(content))
            return None
        return cls(title=title, access=access, owner=owner, created_ts=created_ts, e2ee=e2ee,
                   lobby=lobby)
