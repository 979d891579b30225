# SPDX-License-Identifier: AGPL-3.0-or-later
"""Decide whether a user may enter a meeting that requires e-ID.

The same rule is enforced in three places, because each covers joins the
others miss:

- `user_may_join_room` (spam checker): local joins by non-admins. It runs
  before Synapse builds the event, so the user gets the verification link.
- `check_event_allowed` (third-party rules): every locally built join or
  knock, including server admins, and the make_join/make_knock templates of
  remote users.
- `require_verification`: the SFU token service, so a client that is
  already a member cannot get media access without a valid verification.

A user may enter when the meeting's policy does not apply to them, or when
they hold an unexpired record for this meeting whose method and level the
current policy accepts.
"""

import logging
import urllib.parse
from typing import Any, Awaitable, Callable

from synapse.module_api import NOT_SPAM, EventBase, ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.eid.config import EidConfig
from synapse_hubs.eid.flow_store import FlowStore
from synapse_hubs.eid.policy import NO_REQUIREMENT, EidPolicy, PolicyError, parse_policy
from synapse_hubs.eid.verification_store import VerificationStore, now_ms
from synapse_hubs.event_types import EID_POLICY, MEETING

logger = logging.getLogger(__name__)

ERRCODE = "SE_HUBS_EID_REQUIRED"
START_PATH = "_synapse/client/hubs/eid/start"

METHOD_NAMES = {"bankid": "BankID", "freja": "Freja eID+", "siths": "SITHS eID"}

GuestCheck = Callable[[str], Awaitable[bool]]


class AdmissionGate:
    def __init__(self, api: ModuleApi, config: EidConfig, records: VerificationStore,
                 flows: FlowStore, exempt_user_ids: set[str]) -> None:
        self._api = api
        self._config = config
        self._records = records
        self._flows = flows
        self._exempt = exempt_user_ids
        self._guest_checks: list[GuestCheck] = []

    def add_guest_check(self, check: GuestCheck) -> None:
        """Register a function that returns True for local guest users, who count as external."""
        self._guest_checks.append(check)

    # Policy -------------------------------------------------------------

    async def policy_for(self, room_id: str) -> EidPolicy:
        state = await self._api.get_room_state(room_id, [(EID_POLICY, ""), (MEETING, "")])
        return self.policy_from_state(state)

    def policy_from_state(self, state: Any) -> EidPolicy:
        event = state.get((EID_POLICY, ""))
        if event is not None:
            try:
                return parse_policy(event.content)
            except PolicyError:
                # check_event_allowed rejects invalid policies from local
                # senders; one from a remote server fails closed.
                logger.warning("Invalid %s in %s; requiring e-ID from everyone",
                               EID_POLICY, event.room_id)
                return EidPolicy(required_for="everyone")
        if state.get((MEETING, "")) is not None:
            return self._config.default_policy
        return NO_REQUIREMENT

    async def is_external(self, user_id: str) -> bool:
        if not self._api.is_mine(user_id):
            return True
        info = await self._api.get_userinfo_by_id(user_id)
        if info is not None and info.is_guest:
            return True
        for check in self._guest_checks:
            if await check(user_id):
                return True
        return False

    # The decision -------------------------------------------------------

    async def unmet_policy(self, user_id: str, room_id: str,
                           policy: EidPolicy | None = None) -> EidPolicy | None:
        """Return the policy the user still has to satisfy, or None if they may enter."""
        if policy is None:
            policy = await self.policy_for(room_id)
        if policy.required_for == "nobody" or user_id in self._exempt:
            return None
        if not policy.applies_to(await self.is_external(user_id)):
            return None

        record = await self._records.get(user_id, room_id)
        if record is not None and record.is_valid(now_ms()) and policy.accepts(
            record.method, record.loa
        ):
            return None
        return policy

    async def require_verification(self, user_id: str, room_id: str) -> None:
        """Raise SynapseError SE_HUBS_EID_REQUIRED unless the user may enter the meeting.

        The SFU token service calls this before it issues a JWT.
        """
        policy = await self.unmet_policy(user_id, room_id)
        if policy is not None:
            raise await self._required_error(user_id, room_id, policy)

    # Synapse callbacks --------------------------------------------------

    async def user_may_join_room(self, user_id: str, room_id: str, is_invited: bool) -> Any:
        policy = await self.unmet_policy(user_id, room_id)
        if policy is None:
            return NOT_SPAM

        logger.info("Refused join of %s to %s: no valid e-ID verification", user_id, room_id)
        error = await self._required_error(user_id, room_id, policy)
        # Synapse builds the client error from these fields; "errcode" and
        # "error" here replace its generic M_FORBIDDEN text, so the client
        # sees the verification link.
        return Codes.FORBIDDEN, error.error_dict(None)

    async def check_event_allowed(self, event: EventBase, state: Any
                                  ) -> tuple[bool, dict | None]:
        if event.type == EID_POLICY and event.get_state_key() == "":
            self._check_policy_event(event)
            return True, None
        if event.type != "m.room.member":
            return True, None

        membership = event.content.get("membership")
        if membership not in ("join", "knock"):
            return True, None
        target = event.get_state_key()
        previous = state.get(("m.room.member", target))
        if previous is not None and previous.content.get("membership") == "join":
            # Profile changes and re-joins of present members are not admissions.
            return True, None

        policy = await self.unmet_policy(target, event.room_id, self.policy_from_state(state))
        if policy is None:
            return True, None

        logger.info("Refused %s of %s to %s: no valid e-ID verification",
                    membership, target, event.room_id)
        if not self._api.is_mine(target):
            # TODO: remote users cannot verify yet (the start ticket needs a local access token).
            return False, None
        raise await self._required_error(target, event.room_id, policy)

    def _check_policy_event(self, event: EventBase) -> None:
        try:
            parse_policy(event.content)
        except PolicyError as error:
            if self._api.is_mine(event.sender):
                raise SynapseError(400, f"Invalid {EID_POLICY}: {error}", Codes.BAD_JSON)

    # Error for the client ------------------------------------------------

    async def _required_error(self, user_id: str, room_id: str, policy: EidPolicy
                              ) -> SynapseError:
        url = await self.start_url(user_id, room_id, return_to=None)
        methods = ", ".join(METHOD_NAMES[m] for m in policy.methods)
        message = (f"Mötet kräver svensk e-legitimation ({methods}). Identifiera dig här och "
                   f"gå sedan med igen: {url} — This meeting requires Swedish e-ID "
                   f"({methods}). Verify here, then join again: {url}")
        return SynapseError(403, message, ERRCODE, additional_fields={
            "se.hubs.eid_url": url,
            "se.hubs.eid_policy": policy.to_content(),
        })

    async def start_url(self, user_id: str, room_id: str, return_to: str | None) -> str:
        """Mint a start ticket for (user, room) and return the link that redeems it.

        The ticket travels in the URL fragment, which browsers do not send
        to the server, so it never appears in access logs or Referer headers.
        """
        ticket = await self._flows.create_ticket(user_id, room_id, return_to)
        query = urllib.parse.urlencode({"room_id": room_id})
        return f"{self._api.public_baseurl}{START_PATH}?{query}#ticket={ticket}"
