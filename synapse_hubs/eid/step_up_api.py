# SPDX-License-Identifier: AGPL-3.0-or-later
"""JSON endpoints for the join page, authenticated by the Matrix access token.

    POST /_synapse/client/hubs/v1/eid/tickets   {"room_id", "return_to"?}
         -> {"start_url", "expires_in_s"}
    GET  /_synapse/client/hubs/v1/eid/status?room_id=...
         -> {"required", "verified", "policy", "verification"?}

The start URL carries a single-use ticket for (user, room) in its
fragment; the join page navigates the browser there.

Users of partner servers have no access token here. They ask for a ticket
with `"openid_token"` in the body instead (the object the SFU token service
takes), and their own server confirms who they are over federation.
"""

import logging
import urllib.parse
from typing import Any

from synapse.module_api import ModuleApi, SynapseRequest, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.eid.admission_gate import AdmissionGate
from synapse_hubs.eid.flow_store import TICKET_LIFETIME_MS
from synapse_hubs.eid.verification_store import VerificationStore, now_ms
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.rtc.openid import OpenIdVerifier
from synapse_hubs.rtc.token_requests import parse_openid_token

logger = logging.getLogger(__name__)


class StepUpApi:
    def __init__(self, api: ModuleApi, gate: AdmissionGate, records: VerificationStore,
                 openid: OpenIdVerifier) -> None:
        self._api = api
        self._openid = openid
        self._gate = gate
        self._records = records

    def register(self, router: JsonRouter) -> None:
        router.add("POST", "/eid/tickets", self._create_ticket)
        router.add("GET", "/eid/status", self._status)

    async def _create_ticket(self, request: SynapseRequest) -> tuple[int, Any]:
        body = parse_json_object_from_request(request)
        if "openid_token" in body:
            user_id = await self._openid.verify(parse_openid_token(body))
        else:
            requester = await self._api.get_user_by_req(request, allow_guest=True)
            user_id = requester.user.to_string()

        room_id = body.get("room_id")
        if not isinstance(room_id, str) or not room_id.startswith("!"):
            raise SynapseError(400, "room_id must be a room id such as !abc:example.org",
                               Codes.INVALID_PARAM)
        return_to = self._checked_return_to(body.get("return_to"))

        url = await self._gate.start_url(user_id, room_id, return_to)
        logger.info("Issued e-ID start ticket to %s for %s", user_id, room_id)
        return 200, {"start_url": url, "expires_in_s": TICKET_LIFETIME_MS // 1000}

    async def _status(self, request: SynapseRequest) -> tuple[int, Any]:
        requester = await self._api.get_user_by_req(request, allow_guest=True)
        user_id = requester.user.to_string()
        room_ids = request.args.get(b"room_id") or [b""]
        room_id = room_ids[0].decode("utf-8", errors="replace")
        if not room_id.startswith("!"):
            raise SynapseError(400, "room_id query parameter is required", Codes.MISSING_PARAM)

        policy = await self._gate.policy_for(room_id)
        unmet = await self._gate.unmet_policy(user_id, room_id, policy)
        record = await self._records.get(user_id, room_id)
        answer: dict[str, Any] = {
            "required": unmet is not None,
            "verified": record is not None and record.is_valid(now_ms()),
            "policy": policy.to_content(),
        }
        if record is not None:
            answer["verification"] = {
                "method": record.method, "loa": record.loa,
                "verified_name": record.verified_name,
                "verified_at": record.verified_at, "expires_at": record.expires_at,
            }
        return 200, answer

    def _checked_return_to(self, value: Any) -> str | None:
        """Accept only URLs on this homeserver, so the flow is no open redirect."""
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > 2000:
            raise SynapseError(400, "return_to must be a URL string", Codes.INVALID_PARAM)

        base = urllib.parse.urlsplit(self._api.public_baseurl)
        target = urllib.parse.urlsplit(value)
        if not target.scheme and not target.netloc and value.startswith("/") \
                and not value.startswith("//"):
            return value
        if (target.scheme, target.netloc) == (base.scheme, base.netloc):
            return value
        raise SynapseError(400, f"return_to must be on {base.scheme}://{base.netloc}",
                           Codes.INVALID_PARAM)
