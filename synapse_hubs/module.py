# SPDX-License-Identifier: AGPL-3.0-or-later
"""HubsModule: the one entry point Synapse loads; it wires the features together.

Each feature lives in its own subpackage and receives what it needs here:
the ModuleApi, the parsed config, the schema gate and the routers it adds
its endpoints to. This file holds no feature logic of its own.
"""

import logging
from typing import Any, Mapping

from synapse.module_api import ModuleApi

from synapse_hubs import __name__ as package_name
from synapse_hubs.config import HubsConfig, parse_config
from synapse_hubs.eid.feature import EidFeature
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.service_account import ServiceAccount
from synapse_hubs.storage.store import SchemaGate
from synapse_hubs.web.resource import register_web_pages

logger = logging.getLogger(__name__)

API_PREFIX = "/_synapse/client/hubs/v1"
RTC_PREFIX = "/_synapse/client/hubs/rtc"


class HubsModule:
    def __init__(self, config: HubsConfig, api: ModuleApi) -> None:
        self._config = config
        self._api = api
        self._schema = SchemaGate(api)
        self._service_account = ServiceAccount(api, config.service_user)

        self.api_router = JsonRouter(API_PREFIX)
        self.rtc_router = JsonRouter(RTC_PREFIX)
        self.api_router.add("GET", "/version", self._get_version)
        self.eid = EidFeature(api, config.eid, self._schema, self.api_router,
                              exempt_user_ids={self._service_account.user_id})

        api.register_web_resource(API_PREFIX, self.api_router)
        api.register_web_resource(RTC_PREFIX, self.rtc_router)
        register_web_pages(api, config)

        api.run_as_background_process("hubs_startup", self._start)
        logger.info("Hubs module loaded (service user %s)", self._service_account.user_id)

    @staticmethod
    def parse_config(raw: Mapping[str, Any]) -> HubsConfig:
        return parse_config(raw)

    async def _start(self) -> None:
        await self._schema.ensure_ready()
        if self._api.worker_name is None:
            # Only the main process registers accounts, so workers never race on it.
            await self._service_account.ensure_exists()
        logger.info("Hubs module started")

    async def _get_version(self, request: Any) -> tuple[int, Any]:
        return 200, {"name": package_name, "service_user": self._service_account.user_id}
