# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP endpoints of the guest join page: read a link, redeem it, come back later.

These need no access token: the link token in the path is the credential,
and coming back also needs the guest's return token.
"""

from typing import Any

from synapse.module_api import ModuleApi, SynapseRequest, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.guests.admission import GuestAdmission, GuestSession
from synapse_hubs.guests.return_cookie import read_return_cookie, set_return_cookie
from synapse_hubs.http.fields import optional_string
from synapse_hubs.http.router import JsonRouter, client_address
from synapse_hubs.readiness import Readiness

TOKEN_PATTERN = r"(?P<link_token>[^/]+)"


class GuestResource:
    def __init__(self, api: ModuleApi, readiness: Readiness, admission: GuestAdmission) -> None:
        self._api = api
        self._readiness = readiness
        self._admission = admission

    def register(self, router: JsonRouter) -> None:
        router.add("GET", f"/guest/{TOKEN_PATTERN}", self._describe)
        router.add("POST", f"/guest/{TOKEN_PATTERN}/redeem", self._redeem)
        router.add("POST", f"/guest/{TOKEN_PATTERN}/return", self._come_back)

    async def _describe(self, request: SynapseRequest, link_token: str) -> tuple[int, Any]:
        await self._readiness.wait()
        return 200, await self._admission.describe(link_token)

    async def _redeem(self, request: SynapseRequest, link_token: str) -> tuple[int, Any]:
        await self._readiness.wait()
        body = parse_json_object_from_request(request)
        display_name = optional_string(body, "display_name")
        if display_name is None:
            raise SynapseError(400, "Missing field: display_name", Codes.MISSING_PARAM)
        password = optional_string(body, "password")

        session = await self._admission.redeem(
            link_token, display_name, password, client_address(request)
        )
        return self._session_response(request, session)

    async def _come_back(self, request: SynapseRequest, link_token: str) -> tuple[int, Any]:
        await self._readiness.wait()
        body = parse_json_object_from_request(request, allow_empty_body=True)
        return_token = optional_string(body, "return_token")

        if return_token is None:
            # The cookie is named after the link, so the link must be found first.
            link = await self._admission.find_active_link(link_token)
            return_token = read_return_cookie(request, link.link_id)

        session = await self._admission.come_back(link_token, return_token)
        return self._session_response(request, session)

    def _session_response(self, request: SynapseRequest, session: GuestSession) -> tuple[int, Any]:
        public_baseurl = self._api.public_baseurl
        set_return_cookie(
            request,
            session.link_id,
            session.return_token,
            session.cookie_max_age_s,
            secure=public_baseurl.startswith("https://"),
        )
        return 200, session.response_body(homeserver_url=public_baseurl.rstrip("/"))
