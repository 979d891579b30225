# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP endpoints of moderation under /_synapse/client/hubs/v1 (docs/api.md lists them).

    GET  /meetings/{room_id}/moderation                 state and the caller's rights (member)
    POST /meetings/{room_id}/moderation/mute            {"user_id", "muted"} (moderator)
    POST /meetings/{room_id}/moderation/mute_all        {"muted", "allow_self_unmute"} (moderator)
    POST /meetings/{room_id}/moderation/camera          {"user_id", "allowed"} (moderator)
    POST /meetings/{room_id}/moderation/presenter       {"user_id", "presenter"} (moderator)
    POST /meetings/{room_id}/moderation/screen_share    {"policy"} (moderator)

Each change writes the `se.hubs.moderation` state event as the moderator,
so the room history shows who did it, then updates the permissions of the
participants already in the SFU call.
"""

import logging
import re
from typing import Any, Callable

from synapse.module_api import ModuleApi, SynapseRequest, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.event_types import MODERATION
from synapse_hubs.http.fields import optional_bool, required_string
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.meetings.access import MeetingAccess
from synapse_hubs.meetings.room_state import MeetingRoomState, load_meeting_room_state
from synapse_hubs.moderation.media_permissions import (
    is_asked_to_mute,
    is_muted,
    may_share_screen,
    publish_sources,
    screen_share_policy,
)
from synapse_hubs.moderation.moderation_state import (
    MAX_USERS_PER_LIST,
    SCREEN_SHARE_VALUES,
    ModerationState,
    load_moderation_state,
)
from synapse_hubs.moderation.sfu_enforcement import ModerationEnforcer
from synapse_hubs.readiness import Readiness

logger = logging.getLogger(__name__)

ROOM = r"/meetings/(?P<room_id>[^/]+)/moderation"
USER_ID_PATTERN = re.compile(r"^@[^:\s]+:[^\s]+$")
MAX_USER_ID_LENGTH = 255
# Memberships of people a moderator may act on: in the meeting, invited or waiting in the lobby.
TARGET_MEMBERSHIPS = ("join", "invite", "knock")

Change = Callable[[ModerationState], ModerationState]


class ModerationResource:
    def __init__(self, api: ModuleApi, readiness: Readiness, access: MeetingAccess,
                 enforcer: ModerationEnforcer) -> None:
        self._api = api
        self._readiness = readiness
        self._access = access
        self._enforcer = enforcer

    def register(self, router: JsonRouter) -> None:
        router.add("GET", ROOM, self._get)
        router.add("POST", f"{ROOM}/mute", self._mute)
        router.add("POST", f"{ROOM}/mute_all", self._mute_all)
        router.add("POST", f"{ROOM}/camera", self._camera)
        router.add("POST", f"{ROOM}/presenter", self._presenter)
        router.add("POST", f"{ROOM}/screen_share", self._screen_share)

    async def _get(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        state = await self._access.require_member(room_id, user_id)
        moderation = await load_moderation_state(self._api, room_id)
        return 200, _state_json(moderation, state)

    async def _mute(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        return await self._change_person(
            request, room_id, "muted", ModerationState.with_user_muted,
            lambda target, muted: f"{'mute' if muted else 'unmute'} {target}")

    async def _mute_all(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        moderator = await self._moderator(request, room_id)
        body = parse_json_object_from_request(request)
        muted = _required_bool(body, "muted")
        self_unmute = optional_bool(body, "allow_self_unmute") is True
        action = "unmute all"
        if muted:
            action = "mute all, self-unmute allowed" if self_unmute else "mute all"
        return await self._change(moderator, lambda m: m.with_all_muted(muted, self_unmute),
                                  action)

    async def _camera(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        return await self._change_person(
            request, room_id, "allowed", ModerationState.with_camera_allowed,
            lambda target, allowed: f"{'restore' if allowed else 'revoke'} camera of {target}")

    async def _presenter(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        return await self._change_person(
            request, room_id, "presenter", ModerationState.with_presenter,
            lambda target, presenter: f"{'grant' if presenter else 'revoke'} presenter to {target}")

    async def _screen_share(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        moderator = await self._moderator(request, room_id)
        policy = required_string(parse_json_object_from_request(request), "policy")
        if policy not in SCREEN_SHARE_VALUES:
            raise SynapseError(400, f"policy must be one of {', '.join(SCREEN_SHARE_VALUES)}",
                               Codes.INVALID_PARAM)
        return await self._change(moderator, lambda m: m.with_screen_share(policy),
                                  f"screen share for {policy}")

    async def _change_person(
        self, request: SynapseRequest, room_id: str, field: str,
        change: Callable[[ModerationState, str, bool], ModerationState],
        describe: Callable[[str, bool], str],
    ) -> tuple[int, Any]:
        """Apply a per-person change from a body of {"user_id", field: bool}."""
        moderator = await self._moderator(request, room_id)
        body = parse_json_object_from_request(request)
        value = _required_bool(body, field)
        target = await self._target(body, room_id)
        return await self._change(moderator, lambda state: change(state, target, value),
                                  describe(target, value))

    async def _moderator(self, request: SynapseRequest, room_id: str) -> MeetingRoomState:
        """Return the caller's room state if the caller moderates the meeting, else raise 403."""
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        return await self._access.require_moderator(room_id, user_id)

    async def _change(self, moderator: MeetingRoomState, change: Change,
                      action: str) -> tuple[int, Any]:
        room_id, user_id, meeting = moderator.room_id, moderator.user_id, moderator.meeting
        assert meeting is not None  # require_member refuses rooms that are not meetings

        # TODO: two moderators changing the state at the same moment can lose one change;
        # a per-room lock would need to span Synapse workers.
        current = await load_moderation_state(self._api, room_id)
        updated = change(current)
        if updated.too_large():
            raise SynapseError(400, f"At most {MAX_USERS_PER_LIST} people per moderation list",
                               Codes.INVALID_PARAM)
        if updated != current:
            await self._api.create_and_send_event_into_room({
                "type": MODERATION, "room_id": room_id, "sender": user_id,
                "state_key": "", "content": updated.to_content(),
            })
        applied = await self._enforcer.apply(room_id, meeting, updated)
        logger.info("Moderator %s in %s: %s (%d call participants updated)", user_id, room_id,
                    action, applied)
        return 200, {**_state_json(updated, moderator), "updated_participants": applied}

    async def _target(self, body: dict[str, Any], room_id: str) -> str:
        target = required_string(body, "user_id")
        if len(target) > MAX_USER_ID_LENGTH or not USER_ID_PATTERN.match(target):
            raise SynapseError(400, f"Invalid user ID: {target[:80]!r}", Codes.INVALID_PARAM)
        member = await load_meeting_room_state(self._api, room_id, target)
        if member.membership not in TARGET_MEMBERSHIPS:
            raise SynapseError(404, "This person is not in the meeting", Codes.NOT_FOUND)
        return target


def _required_bool(body: dict[str, Any], name: str) -> bool:
    value = optional_bool(body, name)
    if value is None:
        raise SynapseError(400, f"Missing field: {name}", Codes.MISSING_PARAM)
    return value


def _state_json(moderation: ModerationState, caller: MeetingRoomState) -> dict[str, Any]:
    meeting = caller.meeting
    assert meeting is not None
    user_id = caller.user_id
    return {
        **moderation.to_content(),
        "screen_share": screen_share_policy(moderation, meeting),
        "can_moderate": caller.is_moderator,
        "you": {
            "muted": is_muted(moderation, user_id, caller.is_moderator),
            "asked_to_mute": is_asked_to_mute(moderation, user_id, caller.is_moderator),
            "camera_allowed": user_id not in moderation.camera_revoked,
            "may_share_screen": may_share_screen(moderation, meeting, user_id,
                                                 caller.is_moderator),
            "sources": list(publish_sources(moderation, meeting, user_id, caller.is_moderator)),
        },
    }
