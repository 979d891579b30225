# SPDX-License-Identifier: AGPL-3.0-or-later
"""Content of the `se.hubs.moderation` state event (state_key "").

The event is room policy: who is muted, whether everyone is muted, whose
camera right is revoked, who presents and who may share a screen. The
token service reads it for every SFU token, so it also binds people who
join or reconnect later. docs/events.md describes the content.
"""

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from synapse.module_api import ModuleApi

from synapse_hubs.event_types import MODERATION

logger = logging.getLogger(__name__)

# Screen share policies: presenters and moderators only, or everyone.
SCREEN_SHARE_PRESENTERS = "presenters"
SCREEN_SHARE_EVERYONE = "everyone"
SCREEN_SHARE_VALUES = (SCREEN_SHARE_PRESENTERS, SCREEN_SHARE_EVERYONE)

# Keeps the state event far below Matrix's 64 KiB event size limit.
MAX_USERS_PER_LIST = 500

_USER_LISTS = ("muted", "unmuted", "camera_revoked", "presenters")


@dataclass(frozen=True)
class ModerationState:
    # Everyone except moderators and the users in `unmuted` is muted.
    muted_all: bool = False
    # With `muted_all`: people are asked to mute and may unmute themselves, so
    # the SFU does not enforce it; the join page turns their microphones off.
    self_unmute: bool = False
    # Muted one by one, whatever the value of `muted_all`.
    muted: frozenset[str] = field(default_factory=frozenset)
    # Given the word while `muted_all` is on; emptied when mute-all is switched on again.
    unmuted: frozenset[str] = field(default_factory=frozenset)
    camera_revoked: frozenset[str] = field(default_factory=frozenset)
    presenters: frozenset[str] = field(default_factory=frozenset)
    # None until a moderator chooses; the meeting's access type decides the default.
    screen_share: str | None = None

    def to_content(self) -> dict[str, Any]:
        content: dict[str, Any] = {
            "muted_all": self.muted_all,
            "self_unmute": self.self_unmute,
            **{name: sorted(getattr(self, name)) for name in _USER_LISTS},
        }
        if self.screen_share is not None:
            content["screen_share"] = self.screen_share
        return content

    @classmethod
    def from_content(cls, content: Mapping[str, Any] | None) -> "ModerationState":
        """Parse state content; invalid fields read as their defaults, so bad state breaks no call."""
        if not content:
            return cls()
        lists = {name: _user_set(content.get(name), name) for name in _USER_LISTS}
        screen_share = content.get("screen_share")
        if screen_share not in SCREEN_SHARE_VALUES:
            if screen_share is not None:
                logger.warning("Ignoring invalid screen_share %r in moderation state", screen_share)
            screen_share = None
        return cls(muted_all=content.get("muted_all") is True,
                   self_unmute=content.get("self_unmute") is True,
                   screen_share=screen_share, **lists)

    # Changes ---------------------------------------------------------------------

    def with_user_muted(self, user_id: str, muted: bool) -> "ModerationState":
        if muted:
            return replace(self, muted=self.muted | {user_id}, unmuted=self.unmuted - {user_id})
        # While everyone is muted, unmuting one person gives them the word.
        unmuted = self.unmuted | {user_id} if self.muted_all else self.unmuted
        return replace(self, muted=self.muted - {user_id}, unmuted=unmuted)

    def with_all_muted(self, muted: bool, self_unmute: bool = False) -> "ModerationState":
        if muted:
            return replace(self, muted_all=True, self_unmute=self_unmute, unmuted=frozenset())
        # Unmute all lifts individual mutes too.
        return replace(self, muted_all=False, self_unmute=False, muted=frozenset(),
                       unmuted=frozenset())

    def with_camera_allowed(self, user_id: str, allowed: bool) -> "ModerationState":
        if allowed:
            return replace(self, camera_revoked=self.camera_revoked - {user_id})
        return replace(self, camera_revoked=self.camera_revoked | {user_id})

    def with_presenter(self, user_id: str, presenter: bool) -> "ModerationState":
        if presenter:
            return replace(self, presenters=self.presenters | {user_id})
        return replace(self, presenters=self.presenters - {user_id})

    def with_screen_share(self, policy: str) -> "ModerationState":
        return replace(self, screen_share=policy)

    def too_large(self) -> bool:
        return any(len(getattr(self, name)) > MAX_USERS_PER_LIST for name in _USER_LISTS)


def _user_set(value: Any, name: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        logger.warning("Ignoring invalid %s in moderation state: not a list", name)
        return frozenset()
    return frozenset(item for item in value if isinstance(item, str))


async def load_moderation_state(api: ModuleApi, room_id: str) -> ModerationState:
    """Read the room's current moderation state; a room without the event has the defaults."""
    state = await api.get_room_state(room_id, [(MODERATION, "")])
    event = state.get((MODERATION, ""))
    return ModerationState.from_content(event.content if event is not None else None)
