# SPDX-License-Identifier: AGPL-3.0-or-later
"""Expire guest accounts through Synapse's account-validity callback.

Synapse calls is_user_expired on every authenticated request. A True result
makes it reject the request with 403 ORG_MATRIX_EXPIRED_ACCOUNT, and the
account and its data stay in place.
"""

from synapse.module_api import ModuleApi, UserID

from synapse_hubs.guests.admission import GUEST_LOCALPART_PREFIX
from synapse_hubs.guests.guest_store import GuestStore
from synapse_hubs.guests.link_status import STATUS_ACTIVE
from synapse_hubs.readiness import Readiness


class GuestExpiry:
    def __init__(self, api: ModuleApi, guests: GuestStore, readiness: Readiness) -> None:
        self._api = api
        self._guests = guests
        self._readiness = readiness

    async def is_user_expired(self, user_id: str) -> bool | None:
        """Return True for a guest whose link expired or was revoked, None for everyone else.

        None lets other account-validity modules, or Synapse's own setting, decide.
        """
        status = await self.guest_link_status(user_id)
        if status is None:
            return None
        return status != STATUS_ACTIVE

    async def is_guest(self, user_id: str) -> bool:
        return await self.guest_link_status(user_id) is not None

    async def guest_link_status(self, user_id: str) -> str | None:
        """Return the status of the guest's link, or None if user_id is not one of our guests."""
        # Only our guests have this localpart prefix, so other users cost no query.
        if not self._api.is_mine(user_id):
            return None
        if not UserID.from_string(user_id).localpart.startswith(GUEST_LOCALPART_PREFIX):
            return None

        await self._readiness.wait()
        return await self._guests.link_status_of(user_id, self._api.get_current_time_msec())
