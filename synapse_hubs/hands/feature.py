# SPDX-License-Identifier: AGPL-3.0-or-later
"""Wire the raised-hands queue into Synapse: its table and endpoints."""

from synapse.module_api import ModuleApi

from synapse_hubs.hands.hand_queue import HandQueue
from synapse_hubs.hands.hand_store import HandStore
from synapse_hubs.hands.hands_resource import HandsResource
from synapse_hubs.hands.schema import FEATURE, HANDS_MIGRATIONS
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.meetings.access import MeetingAccess
from synapse_hubs.readiness import Readiness
from synapse_hubs.storage.store import SchemaGate


class HandsFeature:
    def __init__(self, api: ModuleApi, schema: SchemaGate, readiness: Readiness,
                 api_router: JsonRouter, service_user_id: str) -> None:
        schema.register(FEATURE, HANDS_MIGRATIONS)
        self.queue = HandQueue(api, HandStore(api), service_user_id)
        HandsResource(readiness, MeetingAccess(api), self.queue).register(api_router)
