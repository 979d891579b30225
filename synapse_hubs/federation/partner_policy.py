# SPDX-License-Identifier: AGPL-3.0-or-later
"""Keep users of servers that are not partners out of our rooms, and ours out of theirs.

The decision is always made on the server name in a user ID: room version 12
room IDs name no server, so the sender (or the invited user) decides. Each
callback covers a path the others miss:

- `user_may_invite`: invites our users send, and invites arriving over
  federation (Synapse runs it for those after `federated_user_may_invite`).
- `user_may_join_room`: our users' joins to rooms whose ID names the server
  that created them (room versions before 12).
- `check_event_allowed`: every membership event built here, which includes
  the make_join/make_knock templates for remote users and incoming knocks.
- `should_drop_federated_event`: any event of a non-partner's user that
  still arrives in a federation transaction (for example in a partner's
  room), so our users never see it. The room state a remote server returns
  when our user joins its room is not passed through this callback.
"""

import logging
from typing import Any

from synapse.module_api import NOT_SPAM, EventBase, ModuleApi, UserID
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.federation.config import FederationConfig

logger = logging.getLogger(__name__)

_GUARDED_MEMBERSHIPS = ("invite", "join", "knock")


def server_of(user_id: str) -> str | None:
    try:
        return UserID.from_string(user_id).domain
    except SynapseError:
        return None


class NotPartnerError(SynapseError):
    def __init__(self, server_name: str | None) -> None:
        # Cut, because a remote server name reaches the client verbatim.
        named_server = (server_name or "?")[:100]
        super().__init__(
            403,
            f"The server {named_server} is not a partner of this server, so its users cannot be "
            "invited, join or knock here, and ours cannot meet them",
            # The standard code, so every Matrix client treats it as a refusal.
            Codes.FORBIDDEN,
        )


class PartnerPolicy:
    def __init__(self, api: ModuleApi, config: FederationConfig) -> None:
        self._api = api
        self._config = config

    def register(self) -> None:
        self._api.register_spam_checker_callbacks(
            user_may_invite=self.user_may_invite,
            user_may_join_room=self.user_may_join_room,
            should_drop_federated_event=self.should_drop_federated_event,
        )
        self._api.register_third_party_rules_callbacks(
            check_event_allowed=self.check_event_allowed
        )
        logger.info("Partner policy loaded: partners %s",
                    ", ".join(sorted(self._config.partners)) or "none")

    @property
    def partners(self) -> frozenset[str]:
        return self._config.partners

    def allows_server(self, server_name: str | None) -> bool:
        return server_name is not None and (
            server_name == self._api.server_name or server_name in self._config.partners
        )

    def allows_user(self, user_id: str) -> bool:
        return self.allows_server(server_of(user_id))

    def require_user(self, user_id: str, room_id: str, action: str) -> None:
        """Raise NotPartnerError unless user_id belongs to us or a partner."""
        if self.allows_user(user_id):
            return
        logger.info("Refused %s in %s for %s: server %s is not a partner",
                    action, room_id, user_id, server_of(user_id))
        raise NotPartnerError(server_of(user_id))

    # Synapse callbacks ---------------------------------------------------

    async def user_may_invite(self, inviter: str, invitee: str, room_id: str) -> Any:
        # Raised rather than returned so the client reads why, not a generic refusal.
        self.require_user(inviter, room_id, "invite")
        self.require_user(invitee, room_id, "invite")
        return NOT_SPAM

    async def user_may_join_room(self, user_id: str, room_id: str, is_invited: bool) -> Any:
        # Before room version 12 a room ID names the server that created the room.
        # TODO: a local user's join to a non-partner's version 12 room is not checked,
        # because this callback does not name the servers the join goes through.
        _, separator, origin = room_id.partition(":")
        if separator and not self.allows_server(origin):
            logger.info("Refused join in %s for %s: server %s is not a partner",
                        room_id, user_id, origin)
            raise NotPartnerError(origin)
        return NOT_SPAM

    async def check_event_allowed(self, event: EventBase, state: Any
                                  ) -> tuple[bool, dict | None]:
        if event.type != "m.room.member":
            return True, None
        if event.content.get("membership") not in _GUARDED_MEMBERSHIPS:
            return True, None
        membership = event.content["membership"]
        self.require_user(event.sender, event.room_id, membership)
        target = event.get_state_key()
        if target is not None:
            self.require_user(target, event.room_id, membership)
        return True, None

    async def should_drop_federated_event(self, event: EventBase) -> bool:
        if self.allows_user(event.sender):
            return False
        logger.warning("Dropped event %s in %s from %s: server %s is not a partner",
                       event.event_id, event.room_id, event.sender, server_of(event.sender))
        return True
