# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP endpoints of the lobby.

Moderators (power level >= 50, joined):
  GET  /meetings/{room_id}/lobby            waiting list
  POST /meetings/{room_id}/lobby/admit      {"user_id"}: admit one
  POST /meetings/{room_id}/lobby/admit_all  admit everyone waiting
  POST /meetings/{room_id}/lobby/deny       {"user_id"}: deny one
  POST /meetings/{room_id}/remove           {"user_id"}: remove a participant
Any signed-in user:
  GET  /meetings/{room_id}/lobby/status     the caller's own place: waiting, admitted, ...
"""

import logging
from dataclasses import replace
from typing import Any

from synapse.module_api import ModuleApi, SynapseRequest, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.eid.verification_store import VerificationStore
from synapse_hubs.http.fields import optional_string
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.lobby.exclusions import ExclusionStore
from synapse_hubs.lobby.lobby_control import LobbyControl
from synapse_hubs.lobby.waiting_list import WaitingUser, waiting_users
from synapse_hubs.meetings.access import MeetingAccess, validate_room_id
from synapse_hubs.meetings.room_state import load_meeting_room_state
from synapse_hubs.readiness import Readiness

logger = logging.getLogger(__name__)

ROOM = r"/meetings/(?P<room_id>[^/]+)"

# Values of "status" in GET .../lobby/status.
STATUS_WAITING = "waiting"
STATUS_ADMITTED = "admitted"
STATUS_DENIED = "denied"
STATUS_REMOVED = "removed"
STATUS_NONE = "none"

_DECISION_STATUS = {"deny": STATUS_DENIED, "remove": STATUS_REMOVED}


class LobbyResource:
    def __init__(self, api: ModuleApi, readiness: Readiness, access: MeetingAccess,
                 control: LobbyControl, exclusions: ExclusionStore,
                 verifications: VerificationStore) -> None:
        self._api = api
        self._verifications = verifications
        self._readiness = readiness
        self._access = access
        self._control = control
        self._exclusions = exclusions

    def register(self, router: JsonRouter) -> None:
        router.add("GET", f"{ROOM}/lobby", self._list_waiting)
        router.add("GET", f"{ROOM}/lobby/status", self._own_status)
        router.add("POST", f"{ROOM}/lobby/admit", self._admit)
        router.add("POST", f"{ROOM}/lobby/admit_all", self._admit_all)
        router.add("POST", f"{ROOM}/lobby/deny", self._deny)
        router.add("POST", f"{ROOM}/remove", self._remove)

    async def _list_waiting(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        state = await self._moderator_state(request, room_id)
        assert state.meeting is not None  # require_moderator raises for non-meetings
        waiting = [await self._with_verification(user, room_id)
                   for user in await waiting_users(self._api, room_id)]
        return 200, {"lobby": state.meeting.lobby,
                     "waiting": [user.to_json() for user in waiting]}

    async def _with_verification(self, user: WaitingUser, room_id: str) -> WaitingUser:
        record = await self._verifications.get(user.user_id, room_id)
        if record is None or not record.is_valid(self._api.get_current_time_msec()):
            return user
        return replace(user, verification={
            "method": record.method, "loa": record.loa, "verified_name": record.verified_name,
        })

    async def _own_status(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        validate_room_id(room_id)
        return 200, {"status": await self._status_of(room_id, user_id)}

    async def _admit(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        moderator_id = (await self._moderator_state(request, room_id)).user_id
        target = _target_user(request)
        membership = await self._control.admit(room_id, moderator_id, target)
        return 200, {"user_id": target, "membership": membership}

    async def _admit_all(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        moderator_id = (await self._moderator_state(request, room_id)).user_id
        results = await self._control.admit_all(room_id, moderator_id)
        return 200, {"admitted": results}

    async def _deny(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        moderator_id = (await self._moderator_state(request, room_id)).user_id
        target = _target_user(request)
        await self._control.deny(room_id, moderator_id, target)
        return 200, {"user_id": target, "membership": "leave"}

    async def _remove(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        moderator_id = (await self._moderator_state(request, room_id)).user_id
        target = _target_user(request)
        await self._control.remove(room_id, moderator_id, target)
        return 200, {"user_id": target, "membership": "leave"}

    async def _moderator_state(self, request: SynapseRequest, room_id: str) -> Any:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        return await self._access.require_moderator(room_id, user_id)

    async def _status_of(self, room_id: str, user_id: str) -> str:
        decision = await self._exclusions.decision_for(room_id, user_id)
        if decision is not None:
            return _DECISION_STATUS.get(decision, STATUS_REMOVED)

        state = await load_meeting_room_state(self._api, room_id, user_id)
        if state.membership == "knock":
            return STATUS_WAITING
        if state.membership in ("join", "invite"):
            return STATUS_ADMITTED
        return STATUS_NONE


def _target_user(request: SynapseRequest) -> str:
    body = parse_json_object_from_request(request)
    user_id = optional_string(body, "user_id")
    if user_id is None:
        raise SynapseError(400, "Missing field: user_id", Codes.MISSING_PARAM)
    if not user_id.startswith("@") or ":" not in user_id or len(user_id) > 255:
        raise SynapseError(400, f"Invalid user ID: {user_id[:80]!r}", Codes.INVALID_PARAM)
    return user_id
