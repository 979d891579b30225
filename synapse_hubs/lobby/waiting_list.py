# SPDX-License-Identifier: AGPL-3.0-or-later
"""The waiting list of a meeting's lobby: the users whose current membership is `knock`."""

from dataclasses import dataclass
from typing import Any

from synapse.module_api import ModuleApi


@dataclass(frozen=True)
class WaitingUser:
    user_id: str
    # From the knock event; set by the knocking client, so render it as text.
    display_name: str | None
    # Server time of the knock event, milliseconds since the Unix epoch.
    knocked_ts: int
    # The user's valid e-ID verification for this meeting: method, loa and
    # verified_name, which moderators see before they admit someone.
    verification: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "display_name": self.display_name,
            "knocked_ts": self.knocked_ts,
            "verification": self.verification,
        }


async def waiting_users(api: ModuleApi, room_id: str) -> list[WaitingUser]:
    """Return the users who knock on room_id, the longest waiting first."""
    state = await api.get_room_state(room_id, [("m.room.member", None)])
    waiting = []
    for (event_type, state_key), event in state.items():
        if event_type != "m.room.member" or event.content.get("membership") != "knock":
            continue
        name = event.content.get("displayname")
        waiting.append(WaitingUser(
            user_id=state_key,
            display_name=name if isinstance(name, str) else None,
            knocked_ts=event.origin_server_ts,
        ))
    waiting.sort(key=lambda user: (user.knocked_ts, user.user_id))
    return waiting
