# SPDX-License-Identifier: AGPL-3.0-or-later
"""Create, list and revoke guest links of a meeting."""

import logging
from typing import Any

from synapse.module_api import ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.guests.bearer_tokens import (
    bearer_token_digest,
    new_bearer_token,
    new_link_id,
)
from synapse_hubs.guests.link_status import STATUS_REVOKED
from synapse_hubs.guests.link_store import GuestLink, LinkStore
from synapse_hubs.guests.passwords import LinkPasswords
from synapse_hubs.meetings.policy import ACCESS_PUBLIC
from synapse_hubs.meetings.room_state import MeetingRoomState

logger = logging.getLogger(__name__)

LABEL_MAX_LENGTH = 100
PASSWORD_MAX_LENGTH = 1024
EXPIRES_IN_MAX_S = 366 * 24 * 3600


class GuestLinks:
    def __init__(self, api: ModuleApi, store: LinkStore, passwords: LinkPasswords) -> None:
        self._api = api
        self._store = store
        self._passwords = passwords

    async def create(
        self,
        room_id: str,
        created_by: str,
        password: str | None = None,
        expires_in_s: int | None = None,
        label: str | None = None,
    ) -> tuple[GuestLink, str]:
        """Store a new link and return it with its token, which is never stored in clear."""
        now_ms = self._api.get_current_time_msec()
        token = new_bearer_token()
        link = GuestLink(
            link_id=new_link_id(),
            room_id=room_id,
            label=label,
            password_hash=await self._passwords.hash(password) if password else None,
            created_by=created_by,
            created_ts=now_ms,
            expires_ts=now_ms + expires_in_s * 1000 if expires_in_s is not None else None,
            revoked_ts=None,
        )
        await self._store.insert(link, bearer_token_digest(token))

        logger.info("Created guest link %s for %s by %s (password=%s, expires_ts=%s)",
                    link.link_id, room_id, created_by, link.has_password, link.expires_ts)
        return link, token

    async def list(self, room_id: str) -> list[GuestLink]:
        return await self._store.list_for_room(room_id)

    async def revoke(self, room_id: str, link_id: str, revoked_by: str) -> None:
        """Revoke the link; is_user_expired then expires every guest who came through it."""
        link = await self._store.get(link_id)
        if link is None or link.room_id != room_id:
            raise SynapseError(404, f"No guest link {link_id[:40]!r} in this meeting",
                               Codes.NOT_FOUND)

        await self._store.revoke(link_id, self._api.get_current_time_msec())
        logger.info("Revoked guest link %s of %s by %s", link_id, room_id, revoked_by)


def require_guest_links_allowed(state: MeetingRoomState) -> None:
    """Raise unless the meeting admits guests by link."""
    if state.meeting is None or state.meeting.access != ACCESS_PUBLIC:
        raise SynapseError(
            403, "Guest links exist only for public meetings; invite members instead",
            Codes.FORBIDDEN,
        )
    if state.is_e2ee:
        # TODO: allow guest links on E2EE meetings once the join page can do Matrix E2EE.
        raise SynapseError(
            403,
            "Guest links are not available for end-to-end encrypted meetings yet,"
            " because the guest join page cannot decrypt the chat",
            Codes.FORBIDDEN,
        )


def link_summary(link: GuestLink, now_ms: int) -> dict[str, Any]:
    """Describe a link for its moderators; the token is never part of it."""
    return {
        "link_id": link.link_id,
        "label": link.label,
        "created_at": link.created_ts,
        "expires_at": link.expires_ts,
        "revoked": link.status(now_ms) == STATUS_REVOKED,
        "has_password": link.has_password,
    }
