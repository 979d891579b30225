# SPDX-License-Identifier: AGPL-3.0-or-later
"""Wire the lobby into Synapse: tables, endpoints and the rule that keeps excluded guests out."""

import logging
from typing import Awaitable, Callable

from synapse.module_api import ModuleApi

from synapse_hubs.eid.verification_store import VerificationStore
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.lobby.audit_log import LobbyAuditLog
from synapse_hubs.lobby.event_rules import LobbyEventRules
from synapse_hubs.lobby.exclusions import ExclusionStore
from synapse_hubs.lobby.lobby_control import LobbyControl
from synapse_hubs.lobby.lobby_resource import LobbyResource
from synapse_hubs.lobby.schema import FEATURE, LOBBY_MIGRATIONS
from synapse_hubs.meetings.access import MeetingAccess
from synapse_hubs.readiness import Readiness
from synapse_hubs.storage.store import SchemaGate

logger = logging.getLogger(__name__)


class LobbyFeature:
    def __init__(self, api: ModuleApi, schema: SchemaGate, readiness: Readiness,
                 api_router: JsonRouter, exclusions: ExclusionStore,
                 is_guest: Callable[[str], Awaitable[bool]], service_user_id: str,
                 verifications: VerificationStore) -> None:
        schema.register(FEATURE, LOBBY_MIGRATIONS)
        self.audit = LobbyAuditLog(api)
        self.control = LobbyControl(api, exclusions, self.audit, is_guest, service_user_id)
        LobbyResource(api, readiness, MeetingAccess(api), self.control,
                      exclusions, verifications).register(api_router)

        # Registered after the e-ID feature's callback, so e-ID is checked first.
        rules = LobbyEventRules(exclusions, is_guest)
        api.register_third_party_rules_callbacks(check_event_allowed=rules.check_event_allowed)
        logger.info("Lobby loaded")
