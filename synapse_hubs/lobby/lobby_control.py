# SPDX-License-Identifier: AGPL-3.0-or-later
"""Moderators' lobby decisions: admit one, admit all, deny, and remove a participant.

The caller has checked that the moderator is one (MeetingAccess.require_moderator).
Membership changes are sent with the moderator as sender, so the room's
power levels apply a second time and the room history shows who decided.
Admitting a local user also joins them: they asked to enter by knocking,
and the join page waits for the join. Remote users get the invite only.
"""

import logging
from typing import Any, Awaitable, Callable

from synapse.module_api import ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.lobby.audit_log import LobbyAuditLog
from synapse_hubs.lobby.decisions import ADMIT, DENY, REMOVE
from synapse_hubs.lobby.exclusions import ExclusionStore
from synapse_hubs.lobby.waiting_list import waiting_users
from synapse_hubs.meetings.room_state import load_meeting_room_state

logger = logging.getLogger(__name__)

RemovalListener = Callable[[str, str], Awaitable[None]]

_PRESENT_MEMBERSHIPS = ("join", "invite", "knock")


class LobbyControl:
    def __init__(self, api: ModuleApi, exclusions: ExclusionStore, audit: LobbyAuditLog,
                 is_guest: Callable[[str], Awaitable[bool]], service_user_id: str) -> None:
        self._api = api
        self._exclusions = exclusions
        self._audit = audit
        self._is_guest = is_guest
        self._service_user_id = service_user_id
        self._removal_listeners: list[RemovalListener] = []

    def add_removal_listener(self, listener: RemovalListener) -> None:
        """Call listener(room_id, user_id) after a participant is removed or denied."""
        self._removal_listeners.append(listener)

    async def admit(self, room_id: str, moderator_id: str, user_id: str) -> str:
        """Let a knocking user in and return their new membership ("join" or "invite")."""
        await self._require_membership(room_id, user_id, ("knock",), "waiting in the lobby of")
        await self._api.update_room_membership(moderator_id, user_id, room_id, "invite")
        membership = "invite"
        if self._api.is_mine(user_id):
            membership = await self._join_admitted(room_id, user_id)

        await self._audit.record(room_id, moderator_id, user_id, ADMIT)
        return membership

    async def admit_all(self, room_id: str, moderator_id: str) -> list[dict[str, Any]]:
        """Admit everyone waiting now; one failure does not stop the others."""
        results = []
        for waiting in await waiting_users(self._api, room_id):
            try:
                membership = await self.admit(room_id, moderator_id, waiting.user_id)
            except SynapseError as error:
                # TODO: a long queue can hit rc_invites; the service account and
                # moderators need a rate-limit override for large meetings.
                logger.warning("Admit-all in %s by %s could not admit %s: %s",
                               room_id, moderator_id, waiting.user_id, error)
                results.append({"user_id": waiting.user_id, "error": error.msg})
                continue
            results.append({"user_id": waiting.user_id, "membership": membership})
        return results

    async def deny(self, room_id: str, moderator_id: str, user_id: str) -> None:
        """Reject a knock; a denied guest account can never knock on this meeting again."""
        await self._require_membership(room_id, user_id, ("knock",), "waiting in the lobby of")
        await self._exclude_guest(room_id, user_id, DENY)
        await self._api.update_room_membership(
            moderator_id, user_id, room_id, "leave",
            content={"reason": "Denied entry by a moderator"},
        )
        await self._audit.record(room_id, moderator_id, user_id, DENY)
        await self._notify_removed(room_id, user_id)

    async def remove(self, room_id: str, moderator_id: str, user_id: str) -> None:
        """Kick a participant; a removed guest account can never enter this meeting again.

        The exclusion is stored before the kick, so a rejoin racing the kick
        is already refused.
        """
        if user_id in (moderator_id, self._service_user_id):
            raise SynapseError(400, f"Cannot remove {user_id} from this meeting",
                               Codes.INVALID_PARAM)
        await self._require_membership(room_id, user_id, _PRESENT_MEMBERSHIPS, "in")
        await self._exclude_guest(room_id, user_id, REMOVE)
        await self._api.update_room_membership(
            moderator_id, user_id, room_id, "leave",
            content={"reason": "Removed by a moderator"},
        )
        # The removal listeners include the SFU disconnect (moderation feature).
        await self._audit.record(room_id, moderator_id, user_id, REMOVE)
        await self._notify_removed(room_id, user_id)

    async def _join_admitted(self, room_id: str, user_id: str) -> str:
        try:
            await self._api.update_room_membership(user_id, user_id, room_id, "join")
        except SynapseError as error:
            # The invite remains, so the user's client can still accept it.
            logger.warning("Admitted %s to %s but could not join them: %s",
                           user_id, room_id, error)
            return "invite"
        return "join"

    async def _require_membership(self, room_id: str, user_id: str,
                                  expected: tuple[str, ...], relation: str) -> None:
        state = await load_meeting_room_state(self._api, room_id, user_id)
        if state.membership not in expected:
            raise SynapseError(
                404, f"{user_id} is not {relation} this meeting (membership: {state.membership})",
                Codes.NOT_FOUND,
            )

    async def _exclude_guest(self, room_id: str, user_id: str, decision: str) -> None:
        if await self._is_guest(user_id):
            await self._exclusions.add(room_id, user_id, decision)

    async def _notify_removed(self, room_id: str, user_id: str) -> None:
        for listener in self._removal_listeners:
            try:
                await listener(room_id, user_id)
            except Exception:
                logger.exception("Cleaning up after removing %s from %s failed", user_id, room_id)
