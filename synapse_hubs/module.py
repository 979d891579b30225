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
from synapse_hubs.calendar.feature import CalendarFeature
from synapse_hubs.calendar.meetings_service_rooms import MeetingsServiceRooms
from synapse_hubs.config import HubsConfig, parse_config
from synapse_hubs.demo.demo_links import DemoLinks
from synapse_hubs.demo.schema import DEMO_MIGRATIONS
from synapse_hubs.eid.feature import EidFeature
from synapse_hubs.federation.partner_policy import PartnerPolicy
from synapse_hubs.guests.admission import GuestAdmission
from synapse_hubs.guests.attempt_limiter import PasswordAttemptLimiter
from synapse_hubs.guests.expiry import GuestExpiry
from synapse_hubs.guests.guest_resource import GuestResource
from synapse_hubs.guests.guest_store import GuestStore
from synapse_hubs.guests.link_store import LinkStore
from synapse_hubs.guests.links import GuestLinks
from synapse_hubs.guests.links_resource import GuestLinksResource
from synapse_hubs.guests.passwords import LinkPasswords
from synapse_hubs.guests.schema import GUEST_MIGRATIONS
from synapse_hubs.hands.feature import HandsFeature
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.lobby.exclusions import ExclusionStore
from synapse_hubs.lobby.feature import LobbyFeature
from synapse_hubs.meetings.access import MeetingAccess
from synapse_hubs.meetings.creation import MeetingFactory
from synapse_hubs.meetings.resource import MeetingsResource
from synapse_hubs.moderation.feature import ModerationFeature
from synapse_hubs.readiness import Readiness
from synapse_hubs.recording.feature import RecordingFeature
from synapse_hubs.rtc.openid import OpenIdVerifier
from synapse_hubs.rtc.participant_store import ParticipantStore
from synapse_hubs.rtc.schema import RTC_MIGRATIONS
from synapse_hubs.rtc.token_service import TokenService
from synapse_hubs.rtc.webhook import SfuWebhook
from synapse_hubs.service_account import ServiceAccount
from synapse_hubs.storage.store import SchemaGate
from synapse_hubs.web.resource import register_web_pages

logger = logging.getLogger(__name__)

API_PREFIX = "/_synapse/client/hubs/v1"
RTC_PREFIX = "/_synapse/client/hubs/rtc"

_PASSWORD_FAILURE_PRUNE_INTERVAL_MS = 10 * 60 * 1000
_PARTICIPANT_PRUNE_INTERVAL_MS = 60 * 60 * 1000


class HubsModule:
    def __init__(self, config: HubsConfig, api: ModuleApi) -> None:
        self._config = config
        self._api = api
        self._schema = SchemaGate(api)
        self._readiness = Readiness(api)
        self._service_account = ServiceAccount(api, config.service_user)

        self.api_router = JsonRouter(API_PREFIX)
        self.rtc_router = JsonRouter(RTC_PREFIX)
        self.api_router.add("GET", "/version", self._get_version)
        # First, so a non-partner is refused before any other feature looks at the event.
        self.partners = PartnerPolicy(api, config.federation)
        self.partners.register()
        # Users of partner servers prove who they are with an OpenID token
        # to the token service and the e-ID step-up alike.
        self._openid = OpenIdVerifier(api, config.token_service, config.federation)
        self.eid = EidFeature(api, config.eid, self._schema, self.api_router,
                              exempt_user_ids={self._service_account.user_id},
                              openid=self._openid)

        self._lobby_exclusions = ExclusionStore(api)
        self._wire_meetings_and_guests()
        self.lobby = LobbyFeature(
            api, self._schema, self._readiness, self.api_router, self._lobby_exclusions,
            self._guest_expiry.is_guest, self._service_account.user_id, self.eid.records,
        )
        self.hands = HandsFeature(api, self._schema, self._readiness, self.api_router,
                                  self._service_account.user_id)
        self.lobby.control.add_removal_listener(self.hands.queue.on_participant_removed)
        self._wire_rtc()
        self._calendar = CalendarFeature(
            api, config.calendar, config.eid, self._schema, self._readiness,
            MeetingsServiceRooms(api, self._meeting_factory, self._guest_links,
                                 self._service_account.user_id),
            self._guest_expiry.is_guest, self._service_account.user_id,
            self.api_router, API_PREFIX,
        )
        self.recording = RecordingFeature(
            api, config, self._schema, self._readiness, self.api_router, self._webhook,
            self._participants, self._service_account.user_id,
        )
        self.moderation = ModerationFeature(api, config, self._readiness, self.api_router,
                                            self._participants, self._webhook)
        self.lobby.control.add_removal_listener(self.moderation.disconnect_from_call)

        api.register_web_resource(API_PREFIX, self.api_router)
        api.register_web_resource(RTC_PREFIX, self.rtc_router)
        register_web_pages(api, config)
        self._calendar.start()

        api.run_as_background_process("hubs_startup", self._start)
        logger.info("Hubs module loaded (service user %s)", self._service_account.user_id)

    @staticmethod
    def parse_config(raw: Mapping[str, Any]) -> HubsConfig:
        return parse_config(raw)

    def _wire_meetings_and_guests(self) -> None:
        api, config = self._api, self._config
        self._schema.register("guests", GUEST_MIGRATIONS)
        self._schema.register("demo", DEMO_MIGRATIONS)

        link_store = LinkStore(api)
        guest_store = GuestStore(api)
        passwords = LinkPasswords(api)
        # The SFU API secret keys the address hashes; it lives in config, not in the database.
        limiter = PasswordAttemptLimiter(api, config.guests, config.sfu.api_secret)
        self._guest_expiry = GuestExpiry(api, guest_store, self._readiness)
        access = MeetingAccess(api)
        factory = MeetingFactory(api, self._service_account)
        links = GuestLinks(api, link_store, passwords)
        # The calendar schedules meetings through the same factory and links.
        self._meeting_factory, self._guest_links = factory, links
        admission = GuestAdmission(
            api, config.guests, link_store, guest_store, passwords, limiter,
            self._service_account, self.eid.gate, self._lobby_exclusions,
        )
        # Guests count as external participants for meetings' e-ID policies.
        self.eid.gate.add_guest_check(self._guest_expiry.is_guest)

        MeetingsResource(
            api, self._readiness, access, factory, self._guest_expiry.is_guest, config.eid
        ).register(self.api_router)
        GuestLinksResource(api, self._readiness, access, links).register(self.api_router)
        GuestResource(api, self._readiness, admission).register(self.api_router)
        if config.demo.enabled:
            DemoLinks(api, config.demo, self._readiness, factory, links).register(self.api_router)

        api.register_account_validity_callbacks(
            is_user_expired=self._guest_expiry.is_user_expired
        )
        api.looping_background_call(limiter.prune, _PASSWORD_FAILURE_PRUNE_INTERVAL_MS)

    def _wire_rtc(self) -> None:
        api, config = self._api, self._config
        self._schema.register("rtc", RTC_MIGRATIONS)

        participants = self._participants = ParticipantStore(api)
        token_service = TokenService(
            api, config, self._readiness, self._openid,
            self._guest_expiry, participants, self.eid.gate,
        )
        token_service.register(self.rtc_router)
        self._webhook = SfuWebhook(api, config.sfu, self._readiness, participants)
        self._webhook.register(self.rtc_router)

        api.looping_background_call(
            token_service.prune_participants, _PARTICIPANT_PRUNE_INTERVAL_MS
        )

    async def _start(self) -> None:
        await self._schema.ensure_ready()
        if self._api.worker_name is None:
            # Only the main process registers accounts, so workers never race on it.
            await self._service_account.ensure_exists()
        self._readiness.mark_ready()
        # The timers first fire an interval after start; catch up on what a stop missed.
        await self.recording.sweep()
        logger.info("Hubs module started")

    async def _get_version(self, request: Any) -> tuple[int, Any]:
        return 200, {
            "name": package_name,
            "service_user": self._service_account.user_id,
            # False until start-up has created the tables and the service account.
            "ready": self._readiness.is_ready,
        }
