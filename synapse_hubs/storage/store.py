# SPDX-License-Identifier: AGPL-3.0-or-later
"""Gate that makes request handlers wait until the module's tables exist."""

import logging

from synapse.module_api import ModuleApi

from synapse_hubs.storage.schema import Migrations, apply_migrations

logger = logging.getLogger(__name__)


class SchemaGate:
    """Run every feature's migrations once, on first use or at startup.

    Synapse loads modules before the reactor serves requests, but module
    constructors cannot await. Startup kicks off `ensure_ready()` in the
    background, and every handler that touches a module table awaits it too,
    so the first request after start never sees a missing table.
    """

    def __init__(self, api: ModuleApi) -> None:
        self._api = api
        self._features: dict[str, Migrations] = {}
        self._ready = False

    def register(self, feature: str, migrations: Migrations) -> None:
        if feature in self._features:
            raise ValueError(f"schema for {feature!r} registered twice")
        self._features[feature] = migrations

    async def ensure_ready(self) -> None:
        if self._ready:
            return

        for feature, migrations in self._features.items():
            try:
                await apply_migrations(self._api, feature, migrations)
            except Exception:
                # Two processes starting at once can race on the version row;
                # the second attempt sees the finished state and does nothing.
                logger.warning("Retrying Hubs schema setup for %s", feature, exc_info=True)
                await apply_migrations(self._api, feature, migrations)

        self._ready = True
