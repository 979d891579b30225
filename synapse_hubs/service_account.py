# SPDX-License-Identifier: AGPL-3.0-or-later
"""The local account Hubs acts as when it invites, admits or posts notices."""

import logging

from synapse.module_api import ModuleApi

logger = logging.getLogger(__name__)

DISPLAY_NAME = "Hubs"


class ServiceAccount:
    """A real local user that holds power level 100 in every meeting room.

    Sending invites and notices as this account keeps them attributable to
    the platform rather than to whichever organiser happened to be online.
    """

    def __init__(self, api: ModuleApi, localpart: str) -> None:
        self._api = api
        self._localpart = localpart
        self.user_id = f"@{localpart}:{api.server_name}"

    async def ensure_exists(self) -> None:
        if await self._api.check_user_exists(self.user_id):
            return

        await self._api.register_user(self._localpart, displayname=DISPLAY_NAME)
        logger.info("Registered the Hubs service account %s", self.user_id)
