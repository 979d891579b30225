# SPDX-License-Identifier: AGPL-3.0-or-later
"""SFU token service compatible with element-hq/lk-jwt-service: /sfu/get and /get_token.

A caller proves who it is with a Matrix OpenID token, and gets a LiveKit JWT
for the room's call if it is a joined member of the room and meets the
room's e-ID policy. A guest whose link expired or was revoked is refused
even while still a member.
"""

import logging
from typing import Any

from synapse.module_api import ModuleApi, SynapseRequest, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.config import HubsConfig
from synapse_hubs.eid.admission_gate import AdmissionGate
from synapse_hubs.guests.expiry import GuestExpiry
from synapse_hubs.guests.link_status import STATUS_ACTIVE
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.meetings.room_state import load_meeting_room_state
from synapse_hubs.moderation.moderation_state import load_moderation_state
from synapse_hubs.readiness import Readiness
from synapse_hubs.rtc.grants import CallParticipant, video_grant
from synapse_hubs.rtc.identity import (
    IdentityInputError,
    hashed_identity,
    legacy_identity,
    livekit_room_name,
)
from synapse_hubs.rtc.openid import OpenIdVerifier
from synapse_hubs.rtc.participant_store import ParticipantStore, RtcParticipant
from synapse_hubs.rtc.sfu_jwt import encode_sfu_jwt, sfu_access_claims
from synapse_hubs.rtc.token_requests import TokenRequest, parse_get_token, parse_sfu_get

logger = logging.getLogger(__name__)

# Identity records older than this are pruned; a JWT lives one hour by default.
PARTICIPANT_RECORD_LIFETIME_MS = 7 * 24 * 3600 * 1000


class TokenService:
    def __init__(
        self,
        api: ModuleApi,
        config: HubsConfig,
        readiness: Readiness,
        openid: OpenIdVerifier,
        guest_expiry: GuestExpiry,
        participants: ParticipantStore,
        eid_gate: AdmissionGate,
    ) -> None:
        self._api = api
        self._config = config
        self._readiness = readiness
        self._openid = openid
        self._guest_expiry = guest_expiry
        self._participants = participants
        self._eid_gate = eid_gate

    def register(self, router: JsonRouter) -> None:
        router.add("POST", "/sfu/get", self._sfu_get)
        router.add("POST", "/get_token", self._get_token)
        router.add("POST", "/delegate_delayed_leave", self._delegate_delayed_leave)
        router.add("GET", "/healthz", self._healthz)

    async def prune_participants(self) -> None:
        before_ms = self._api.get_current_time_msec() - PARTICIPANT_RECORD_LIFETIME_MS
        try:
            deleted = await self._participants.prune(before_ms)
        except Exception:
            logger.exception("Pruning old SFU participant records failed; retrying next round")
            return
        if deleted:
            logger.info("Pruned %d SFU participant records", deleted)

    async def _sfu_get(self, request: SynapseRequest) -> tuple[int, Any]:
        await self._readiness.wait()
        token_request = parse_sfu_get(parse_json_object_from_request(request))
        user_id = await self._verify_openid(token_request)

        identity = legacy_identity(user_id, token_request.device_id)
        return 200, await self._issue(token_request, user_id, identity)

    async def _get_token(self, request: SynapseRequest) -> tuple[int, Any]:
        await self._readiness.wait()
        token_request = parse_get_token(parse_json_object_from_request(request))
        user_id = await self._verify_openid(token_request)
        if user_id != token_request.claimed_user_id:
            raise _rejection_error(
                401, Codes.UNAUTHORIZED, "The OpenID token belongs to another user",
                token_request.room_id, user_id, f"claimed {token_request.claimed_user_id!r}",
            )

        assert token_request.member_id is not None  # parse_get_token requires it
        try:
            identity = hashed_identity(user_id, token_request.device_id, token_request.member_id)
        except IdentityInputError as error:
            raise SynapseError(400, str(error), Codes.BAD_JSON) from error
        return 200, await self._issue(token_request, user_id, identity)

    async def _delegate_delayed_leave(self, request: SynapseRequest) -> tuple[int, Any]:
        # Element Call probes this endpoint; a 404 makes it refresh its own
        # delayed leave event instead of handing that job to us.
        raise SynapseError(404, "Delayed leave delegation is not supported", Codes.NOT_FOUND)

    async def _healthz(self, request: SynapseRequest) -> tuple[int, Any]:
        return 200, {}

    async def _verify_openid(self, token_request: TokenRequest) -> str:
        try:
            return await self._openid.verify(token_request.openid_token)
        except SynapseError as error:
            logger.info("Refused SFU token in %s for claimed user %s of %s: %s",
                        token_request.room_id, token_request.claimed_user_id,
                        token_request.openid_token.matrix_server_name, error.msg)
            raise

    async def _issue(
        self, token_request: TokenRequest, user_id: str, identity: str
    ) -> dict[str, Any]:
        room_id = token_request.room_id
        guest_status = await self._guest_expiry.guest_link_status(user_id)
        if guest_status is not None and guest_status != STATUS_ACTIVE:
            raise _rejection_error(
                403, Codes.FORBIDDEN, f"Your guest link has been {guest_status}",
                room_id, user_id, f"guest link {guest_status}",
            )

        state = await load_meeting_room_state(self._api, room_id, user_id)
        if not state.is_joined:
            raise _rejection_error(
                403, Codes.FORBIDDEN, "You are not a member of this room",
                room_id, user_id, f"membership {state.membership}",
            )

        # A policy made stricter after the join applies to the call at once.
        try:
            await self._eid_gate.require_verification(user_id, room_id)
        except SynapseError:
            logger.info("Refused SFU token in %s for %s: e-ID verification required",
                        room_id, user_id)
            raise

        try:
            livekit_room = livekit_room_name(room_id, token_request.slot_id)
        except IdentityInputError as error:
            raise SynapseError(400, str(error), Codes.BAD_JSON) from error

        participant = CallParticipant(
            membership=state.membership,
            is_guest=guest_status is not None,
            meeting=state.meeting,
            user_id=user_id,
            is_moderator=state.is_moderator,
            moderation=await load_moderation_state(self._api, room_id),
        )
        claims = sfu_access_claims(
            api_key=self._config.sfu.api_key,
            identity=identity,
            display_name=state.display_name or user_id,
            video_grant=video_grant(livekit_room, participant),
            now_s=self._api.get_current_time_msec() // 1000,
            lifetime_s=self._config.token_service.jwt_lifetime_s,
        )
        jwt = encode_sfu_jwt(claims, self._config.sfu.api_secret)

        await self._participants.record(
            livekit_room, identity, RtcParticipant(room_id, user_id, token_request.device_id)
        )
        logger.info("Issued SFU token for %s device %s in %s (LiveKit room %s, publish=%s, "
                    "sources=%s)", user_id, token_request.device_id, room_id, livekit_room,
                    claims["video"]["canPublish"], ",".join(claims["video"]["canPublishSources"]))
        return {"url": self._config.sfu.url, "jwt": jwt}


def _rejection_error(
    status: int, errcode: str, message: str, room_id: str, user_id: str, reason: str
) -> SynapseError:
    logger.info("Refused SFU token in %s for %s: %s", room_id, user_id, reason)
    return SynapseError(status, message, errcode)
