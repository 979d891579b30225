# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admit guests through a link: redeem it for a throwaway account, or come back with a return token.

A guest is a real local account (`guest-<random>`), recorded in hubs_guests
with the link it came from. The service account invites it into the meeting
and the guest joins, unless the meeting's e-ID policy requires a
verification first: then the guest stays invited, and the join page joins
after the step-up. In a meeting with a lobby nobody is invited here: the
guest knocks, after the e-ID check, and waits for a moderator. Once the
link expires or is revoked, is_user_expired locks the account and every
path here returns 410; a guest a moderator denied or removed gets 403.
"""

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from synapse.module_api import ModuleApi, UserID
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.config import GuestConfig
from synapse_hubs.display_text import clean_display_text, truncate_display_text
from synapse_hubs.eid.admission_gate import ERRCODE as EID_REQUIRED
from synapse_hubs.eid.admission_gate import AdmissionGate
from synapse_hubs.guests.attempt_limiter import PasswordAttemptLimiter
from synapse_hubs.guests.bearer_tokens import bearer_token_digest, new_bearer_token
from synapse_hubs.guests.guest_store import GuestAccount, GuestStore
from synapse_hubs.guests.link_status import raise_unless_active
from synapse_hubs.guests.link_store import GuestLink, LinkStore
from synapse_hubs.guests.links import require_guest_links_allowed
from synapse_hubs.guests.passwords import LinkPasswords
from synapse_hubs.guests.return_cookie import return_cookie_max_age_s
from synapse_hubs.lobby.excluded_error import excluded_error
from synapse_hubs.lobby.exclusions import ExclusionStore
from synapse_hubs.meetings.room_state import MeetingRoomState, load_meeting_room_state
from synapse_hubs.service_account import ServiceAccount

logger = logging.getLogger(__name__)

GUEST_LOCALPART_PREFIX = "guest-"
DEVICE_DISPLAY_NAME = "Hubs guest link"

# The same response for a wrong password and for a rate-limited attempt, so a
# caller cannot tell whether guessing still has any effect.
WRONG_PASSWORD_MESSAGE = "Wrong password, or too many attempts. Wait a few minutes and try again."

_REGISTRATION_ATTEMPTS = 3


@dataclass(frozen=True)
class GuestSession:
    """A fresh device of a guest account, with what the join page needs to use it."""

    user_id: str
    access_token: str
    device_id: str
    room_id: str
    return_token: str
    display_name: str
    link_id: str
    cookie_max_age_s: int
    # False while the guest is only invited, waiting for an e-ID verification,
    # or knocks, waiting in the lobby.
    joined: bool
    # The e-ID step-up link and policy ("se.hubs.eid_url", "se.hubs.eid_policy")
    # when the meeting requires a verification before the guest may join.
    eid_requirement: dict[str, Any] | None = None
    # True while the guest knocks and waits for a moderator to admit them.
    waiting: bool = False

    def response_body(self, homeserver_url: str) -> dict[str, Any]:
        body = {
            "user_id": self.user_id,
            "access_token": self.access_token,
            "device_id": self.device_id,
            "room_id": self.room_id,
            "homeserver_url": homeserver_url,
            "return_token": self.return_token,
            "display_name": self.display_name,
            "joined": self.joined,
        }
        if self.eid_requirement is not None:
            body["eid_url"] = self.eid_requirement["se.hubs.eid_url"]
            body["eid_policy"] = self.eid_requirement["se.hubs.eid_policy"]
        if self.waiting:
            body["waiting"] = True
        return body


class GuestAdmission:
    def __init__(
        self,
        api: ModuleApi,
        config: GuestConfig,
        links: LinkStore,
        guests: GuestStore,
        passwords: LinkPasswords,
        limiter: PasswordAttemptLimiter,
        service_account: ServiceAccount,
        eid_gate: AdmissionGate,
        exclusions: ExclusionStore,
    ) -> None:
        self._api = api
        self._config = config
        self._links = links
        self._guests = guests
        self._passwords = passwords
        self._limiter = limiter
        self._service_account = service_account
        self._eid_gate = eid_gate
        self._exclusions = exclusions

    async def describe(self, link_token: str) -> dict[str, Any]:
        """Return what the join page shows before the guest types a name."""
        link = await self.find_active_link(link_token)
        state = await self._meeting_state(link)
        eid_policy = await self._eid_gate.policy_for(link.room_id)

        assert state.meeting is not None  # _meeting_state raises for non-meetings
        return {
            "title": state.meeting.title,
            "requires_password": link.has_password,
            # Guests count as external participants for the e-ID policy.
            "eid_required": eid_policy.applies_to(True),
            "status": "active",
        }

    async def redeem(
        self,
        link_token: str,
        display_name: str,
        password: str | None,
        client_address: str,
    ) -> GuestSession:
        """Create a guest account, join it to the link's meeting and return a session for it."""
        link = await self.find_active_link(link_token)
        meeting_state = await self._meeting_state(link)
        assert meeting_state.meeting is not None  # _meeting_state raises for non-meetings

        clean_name = self._clean_display_name(display_name)
        if link.password_hash is not None:
            await self._check_password(link, link.password_hash, password, client_address)

        user_id = await self._register_guest_account(clean_name)
        return_token = new_bearer_token()
        account = GuestAccount(
            user_id=user_id,
            link_id=link.link_id,
            room_id=link.room_id,
            created_ts=self._api.get_current_time_msec(),
        )
        await self._guests.insert(account, bearer_token_digest(return_token))

        if meeting_state.meeting.lobby:
            eid_requirement = await self._knock_unless_eid_required(user_id, link.room_id)
            logger.info("Guest %s from link %s %s the lobby of %s", user_id, link.link_id,
                        "waits for e-ID before" if eid_requirement else "knocks in",
                        link.room_id)
            return await self._new_session(
                link, account, return_token, clean_name, joined=False,
                eid_requirement=eid_requirement, waiting=eid_requirement is None,
            )

        service_user = self._service_account.user_id
        await self._api.update_room_membership(service_user, user_id, link.room_id, "invite")
        eid_requirement = await self._join_unless_eid_required(user_id, link.room_id)

        logger.info("Admitted guest %s to %s through link %s (joined=%s)",
                    user_id, link.room_id, link.link_id, eid_requirement is None)
        return await self._new_session(
            link, account, return_token, clean_name, eid_requirement=eid_requirement
        )

    async def come_back(self, link_token: str, return_token: str | None) -> GuestSession:
        """Return a new device for the guest that has return_token, while the link is valid."""
        link = await self.find_active_link(link_token)
        if not return_token:
            raise SynapseError(
                400, "Missing return token: send the return cookie or return_token",
                Codes.MISSING_PARAM,
            )

        account = await self._guests.get_by_return_token_digest(bearer_token_digest(return_token))
        if account is None or account.link_id != link.link_id:
            logger.info("Refused guest return through link %s: unknown return token",
                        link.link_id)
            raise SynapseError(403, "This return token is not valid for this link",
                               Codes.FORBIDDEN)

        decision = await self._exclusions.decision_for(account.room_id, account.user_id)
        if decision is not None:
            logger.info("Refused return of guest %s to %s: excluded by %s",
                        account.user_id, account.room_id, decision)
            raise excluded_error(decision)

        localpart = UserID.from_string(account.user_id).localpart
        profile = await self._api.get_profile_for_user(localpart)
        state = await load_meeting_room_state(self._api, account.room_id, account.user_id)
        eid_requirement = None
        waiting = state.membership == "knock"
        if state.membership == "invite":
            # Still waiting for e-ID at redemption, or admitted from the lobby
            # while away; join now unless an e-ID verification is still missing.
            eid_requirement = await self._join_unless_eid_required(account.user_id,
                                                                   account.room_id)
        elif state.membership in (None, "leave") and await self._has_lobby(account.room_id):
            # Redeemed while e-ID was missing, or left: back to the lobby, never straight in.
            eid_requirement = await self._knock_unless_eid_required(account.user_id,
                                                                    account.room_id)
            waiting = eid_requirement is None
        joined = state.is_joined or (state.membership == "invite" and eid_requirement is None)

        logger.info("Guest %s came back to %s through link %s (joined=%s, waiting=%s)",
                    account.user_id, account.room_id, link.link_id, joined, waiting)
        return await self._new_session(
            link, account, return_token, profile.display_name or "", joined=joined,
            eid_requirement=eid_requirement, waiting=waiting,
        )

    async def find_active_link(self, link_token: str) -> GuestLink:
        """Return the link of this token; raise 404 if unknown, 410 if expired or revoked."""
        link = await self._links.get_by_token_digest(bearer_token_digest(link_token))
        if link is None:
            raise SynapseError(404, "Unknown guest link", Codes.NOT_FOUND)

        raise_unless_active(link.status(self._api.get_current_time_msec()))
        return link

    async def _meeting_state(self, link: GuestLink) -> MeetingRoomState:
        state = await load_meeting_room_state(
            self._api, link.room_id, self._service_account.user_id
        )
        if state.meeting is None:
            raise SynapseError(404, "The meeting of this guest link no longer exists",
                               Codes.NOT_FOUND)
        require_guest_links_allowed(state)
        if not state.is_joined:
            logger.error("Cannot admit guests to %s: the service account %s is not joined",
                         link.room_id, self._service_account.user_id)
            raise SynapseError(503, "This meeting cannot admit guests right now", Codes.UNKNOWN)
        return state

    def _clean_display_name(self, display_name: str) -> str:
        clean_name = truncate_display_text(
            clean_display_text(display_name), self._config.display_name_max_length
        )
        if not clean_name:
            raise SynapseError(
                400, "display_name must contain at least one visible character",
                Codes.INVALID_PARAM,
            )
        return clean_name

    async def _check_password(
        self, link: GuestLink, password_hash: str, password: str | None, client_address: str
    ) -> None:
        if await self._limiter.is_limited(link.link_id, client_address):
            logger.warning("Refused guest password attempt on link %s: attempt limit reached",
                           link.link_id)
            raise SynapseError(403, WRONG_PASSWORD_MESSAGE, Codes.FORBIDDEN)

        # A request without a password is not a guess, so it is not counted.
        if not password:
            raise SynapseError(403, WRONG_PASSWORD_MESSAGE, Codes.FORBIDDEN)

        if not await self._passwords.verify(password_hash, password):
            await self._limiter.record_failure(link.link_id, client_address)
            logger.info("Wrong guest password on link %s", link.link_id)
            raise SynapseError(403, WRONG_PASSWORD_MESSAGE, Codes.FORBIDDEN)

    async def _join_unless_eid_required(
        self, user_id: str, room_id: str
    ) -> dict[str, Any] | None:
        """Join the invited guest, or return the e-ID requirement that blocks the join."""
        return await self._enter_unless_eid_required(user_id, room_id, "join")

    async def _knock_unless_eid_required(
        self, user_id: str, room_id: str
    ) -> dict[str, Any] | None:
        """Knock on the meeting for the guest, or return the e-ID requirement that comes first."""
        return await self._enter_unless_eid_required(user_id, room_id, "knock")

    async def _enter_unless_eid_required(
        self, user_id: str, room_id: str, membership: str
    ) -> dict[str, Any] | None:
        try:
            await self._eid_gate.require_verification(user_id, room_id)
        except SynapseError as error:
            if error.errcode != EID_REQUIRED:
                raise
            logger.info("Guest %s must verify with e-ID before the %s in %s",
                        user_id, membership, room_id)
            return error.error_dict(None)

        await self._api.update_room_membership(user_id, user_id, room_id, membership)
        return None

    async def _has_lobby(self, room_id: str) -> bool:
        state = await load_meeting_room_state(
            self._api, room_id, self._service_account.user_id
        )
        return state.meeting is not None and state.meeting.lobby

    async def _register_guest_account(self, display_name: str) -> str:
        for _ in range(_REGISTRATION_ATTEMPTS):
            localpart = GUEST_LOCALPART_PREFIX + secrets.token_hex(6)
            try:
                return await self._api.register_user(localpart, displayname=display_name)
            except SynapseError as error:
                if error.errcode != Codes.USER_IN_USE:
                    raise
                logger.warning("Guest localpart %s is taken; drawing another", localpart)
        raise SynapseError(500, "Could not create a guest account; try again", Codes.UNKNOWN)

    async def _new_session(
        self,
        link: GuestLink,
        account: GuestAccount,
        return_token: str,
        display_name: str,
        joined: bool = True,
        eid_requirement: dict[str, Any] | None = None,
        waiting: bool = False,
    ) -> GuestSession:
        device_id, access_token, _, _ = await self._api.register_device(
            account.user_id, initial_display_name=DEVICE_DISPLAY_NAME
        )
        return GuestSession(
            user_id=account.user_id,
            access_token=access_token,
            device_id=device_id,
            room_id=account.room_id,
            return_token=return_token,
            display_name=display_name,
            link_id=link.link_id,
            cookie_max_age_s=return_cookie_max_age_s(
                link.expires_ts,
                self._api.get_current_time_msec(),
                self._config.return_cookie_max_age_s,
            ),
            joined=joined and eid_requirement is None,
            eid_requirement=eid_requirement,
            waiting=waiting,
        )
