# SPDX-License-Identifier: AGPL-3.0-or-later
"""Look up display names and e-mail addresses of Matrix users in this server's records."""

import logging

from synapse.module_api import ModuleApi, UserID
from synapse.module_api.errors import SynapseError

logger = logging.getLogger(__name__)


class ParticipantDirectory:
    def __init__(self, api: ModuleApi) -> None:
        self._api = api

    async def display_name(self, user_id: str) -> str:
        """Return the local user's display name, else the localpart; remote users get their ID."""
        if not self._api.is_mine(user_id):
            return user_id

        localpart = UserID.from_string(user_id).localpart
        try:
            profile = await self._api.get_profile_for_user(localpart)
        except SynapseError:
            # The user has no profile row (for example, deactivated).
            return localpart
        return profile.display_name or localpart

    async def email_addresses(self, user_id: str) -> list[str]:
        """Return the e-mail addresses a local user has added to their account."""
        if not self._api.is_mine(user_id):
            return []
        threepids = await self._api.get_threepids_for_user(user_id)
        return [threepid["address"] for threepid in threepids if threepid.get("medium") == "email"]
