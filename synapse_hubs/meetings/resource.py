# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP endpoints to create a meeting and to read it: POST /meetings, GET /meetings/{room_id}."""

import logging
from typing import Any, Awaitable, Callable, Mapping

from synapse.module_api import ModuleApi, SynapseRequest, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.display_text import clean_display_text
from synapse_hubs.eid.config import EidConfig
from synapse_hubs.eid.policy import PolicyError
from synapse_hubs.http.fields import optional_bool, optional_string
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.meetings.access import MeetingAccess
from synapse_hubs.meetings.creation import MeetingFactory
from synapse_hubs.meetings.policy import (
    ACCESS_PRIVATE,
    ACCESS_PUBLIC,
    ACCESS_VALUES,
    TITLE_MAX_LENGTH,
)
from synapse_hubs.readiness import Readiness
from synapse_hubs.urls import matrix_uri, meeting_url

logger = logging.getLogger(__name__)

ROOM_ID_PATTERN = r"(?P<room_id>[^/]+)"


class MeetingsResource:
    def __init__(
        self,
        api: ModuleApi,
        readiness: Readiness,
        access: MeetingAccess,
        factory: MeetingFactory,
        is_guest: Callable[[str], Awaitable[bool]],
        eid_config: EidConfig,
    ) -> None:
        self._api = api
        self._eid_config = eid_config
        self._readiness = readiness
        self._access = access
        self._factory = factory
        self._is_guest = is_guest

    def register(self, router: JsonRouter) -> None:
        router.add("POST", "/meetings", self._create_meeting)
        router.add("GET", f"/meetings/{ROOM_ID_PATTERN}", self._get_meeting)

    async def _create_meeting(self, request: SynapseRequest) -> tuple[int, Any]:
        await self._readiness.wait()
        owner = await self._access.authenticate(request)
        if await self._is_guest(owner):
            logger.info("Refused meeting creation for guest account %s", owner)
            raise SynapseError(403, "Guest accounts cannot create meetings", Codes.FORBIDDEN)

        body = parse_json_object_from_request(request)
        title = parse_title(body)
        access = parse_access(body)
        e2ee = optional_bool(body, "e2ee")
        if e2ee is None:
            # Private meetings are end-to-end encrypted unless the organiser opts out.
            e2ee = access == ACCESS_PRIVATE
        eid_policy = parse_eid_policy(body, self._eid_config)
        lobby = optional_bool(body, "lobby")
        if lobby is None:
            # Anyone holding a public meeting's link could walk in, so it waits
            # in a lobby unless the organiser opts out.
            lobby = access == ACCESS_PUBLIC

        room_id, policy = await self._factory.create(
            owner, title, access, e2ee, eid_policy=eid_policy, lobby=lobby
        )
        return 200, {
            "room_id": room_id,
            "title": policy.title,
            "access": policy.access,
            "e2ee": policy.e2ee,
            "lobby": policy.lobby,
            "eid": eid_policy or self._eid_config.default_policy.to_content(),
            "meeting_url": meeting_url(self._api.public_baseurl, room_id,
                                       via=[self._api.server_name]),
            "matrix_uri": matrix_uri(room_id, via=[self._api.server_name]),
        }

    async def _get_meeting(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        state = await self._access.require_member(room_id, user_id)

        assert state.meeting is not None  # require_member raises for non-meetings
        return 200, {
            "room_id": room_id,
            "title": state.meeting.title,
            "access": state.meeting.access,
            "e2ee": state.is_e2ee,
            "lobby": state.meeting.lobby,
            "owner": state.meeting.owner,
            "is_moderator": state.is_moderator,
        }


def parse_title(body: Mapping[str, Any]) -> str:
    raw = optional_string(body, "title")
    if raw is None:
        raise SynapseError(400, "Missing field: title", Codes.MISSING_PARAM)

    title = clean_display_text(raw)
    if not 1 <= len(title) <= TITLE_MAX_LENGTH:
        raise SynapseError(
            400,
            f"title must be 1 to {TITLE_MAX_LENGTH} visible characters, got {len(title)}",
            Codes.INVALID_PARAM,
        )
    return title


def parse_access(body: Mapping[str, Any]) -> str:
    access = optional_string(body, "access")
    if access is None:
        raise SynapseError(400, "Missing field: access", Codes.MISSING_PARAM)
    if access not in ACCESS_VALUES:
        raise SynapseError(
            400, f"access must be 'public' or 'private', got {access[:40]!r}",
            Codes.INVALID_PARAM,
        )
    return access


def parse_eid_policy(body: Mapping[str, Any], eid_config: EidConfig) -> dict[str, Any] | None:
    """Return the `eid` field as policy content, or None to follow the server default."""
    raw = body.get("eid")
    if raw is None:
        return None

    try:
        return eid_config.requested_policy(raw).to_content()
    except PolicyError as error:
        raise SynapseError(400, f"eid: {error}", Codes.INVALID_PARAM) from error
