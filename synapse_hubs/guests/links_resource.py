# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP endpoints for moderators to manage a meeting's guest links."""

from typing import Any

from synapse.module_api import ModuleApi, SynapseRequest, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.display_text import clean_display_text
from synapse_hubs.guests.links import (
    EXPIRES_IN_MAX_S,
    LABEL_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    GuestLinks,
    link_summary,
    require_guest_links_allowed,
)
from synapse_hubs.http.fields import optional_int, optional_string
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.meetings.access import MeetingAccess
from synapse_hubs.meetings.resource import ROOM_ID_PATTERN
from synapse_hubs.readiness import Readiness
from synapse_hubs.urls import guest_link_url


class GuestLinksResource:
    def __init__(
        self, api: ModuleApi, readiness: Readiness, access: MeetingAccess, links: GuestLinks
    ) -> None:
        self._api = api
        self._readiness = readiness
        self._access = access
        self._links = links

    def register(self, router: JsonRouter) -> None:
        links_path = f"/meetings/{ROOM_ID_PATTERN}/links"
        router.add("POST", links_path, self._create_link)
        router.add("GET", links_path, self._list_links)
        router.add("DELETE", links_path + "/(?P<link_id>[^/]+)", self._revoke_link)

    async def _create_link(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        state = await self._access.require_moderator(room_id, user_id)
        require_guest_links_allowed(state)

        body = parse_json_object_from_request(request)
        password = _parse_password(body)
        expires_in_s = optional_int(body, "expires_in_s", minimum=1, maximum=EXPIRES_IN_MAX_S)
        label = _parse_label(body)

        link, token = await self._links.create(room_id, user_id, password, expires_in_s, label)
        summary = link_summary(link, self._api.get_current_time_msec())
        del summary["revoked"]
        # The only time the token leaves the server: it is stored as a digest.
        return 200, {**summary, "url": guest_link_url(self._api.public_baseurl, token)}

    async def _list_links(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        await self._access.require_moderator(room_id, user_id)

        now_ms = self._api.get_current_time_msec()
        links = await self._links.list(room_id)
        return 200, {"links": [link_summary(link, now_ms) for link in links]}

    async def _revoke_link(
        self, request: SynapseRequest, room_id: str, link_id: str
    ) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        await self._access.require_moderator(room_id, user_id)

        await self._links.revoke(room_id, link_id, revoked_by=user_id)
        return 200, {}


def _parse_password(body: dict[str, Any]) -> str | None:
    password = optional_string(body, "password")
    if password is None:
        return None
    if not 1 <= len(password) <= PASSWORD_MAX_LENGTH:
        raise SynapseError(
            400, f"password must be 1 to {PASSWORD_MAX_LENGTH} characters; omit it for no password",
            Codes.INVALID_PARAM,
        )
    return password


def _parse_label(body: dict[str, Any]) -> str | None:
    raw = optional_string(body, "label")
    if raw is None:
        return None
    label = clean_display_text(raw)
    if len(label) > LABEL_MAX_LENGTH:
        raise SynapseError(
            400, f"label must be at most {LABEL_MAX_LENGTH} characters, got {len(label)}",
            Codes.INVALID_PARAM,
        )
    return label or None
