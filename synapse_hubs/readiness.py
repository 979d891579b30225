# SPDX-License-Identifier: AGPL-3.0-or-later
"""Readiness flag that request handlers wait on until module start-up is done."""

import logging

from synapse.module_api import ModuleApi
from synapse.module_api.errors import SynapseError

logger = logging.getLogger(__name__)

_POLL_INTERVAL_S = 0.05


class Readiness:
    """Set once the module's tables and service account exist.

    Synapse serves requests while the module's start-up still runs in the
    background, so a handler that needs the tables awaits `wait()` first.
    """

    def __init__(self, api: ModuleApi) -> None:
        self._api = api
        self.is_ready = False

    def mark_ready(self) -> None:
        self.is_ready = True

    async def wait(self, timeout_s: float = 30.0) -> None:
        """Return once ready, or raise 503 if start-up has not finished within timeout_s."""
        waited_s = 0.0
        while not self.is_ready:
            if waited_s >= timeout_s:
                logger.error("Hubs start-up has not finished after %.0f s", timeout_s)
                raise not_ready_error()
            # api.sleep keeps Synapse's log context intact, unlike a bare Deferred.
            await self._api.sleep(_POLL_INTERVAL_S)
            waited_s += _POLL_INTERVAL_S


def not_ready_error() -> SynapseError:
    return SynapseError(503, "Hubs is still starting; retry in a few seconds", "M_UNKNOWN")
