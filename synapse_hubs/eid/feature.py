# SPDX-License-Identifier: AGPL-3.0-or-later
"""Wire the e-ID step-up into Synapse: tables, callbacks, pages, cleanup."""

import logging

from synapse.module_api import ModuleApi

from synapse_hubs.eid.admission_gate import AdmissionGate
from synapse_hubs.eid.bankid_provider import BankIdProvider
from synapse_hubs.eid.config import BankIdProviderConfig, EidConfig, OidcProviderConfig
from synapse_hubs.eid.flow_store import FlowStore
from synapse_hubs.eid.oidc_relying_party import OidcRelyingParty
from synapse_hubs.eid.saml_service_provider import SamlServiceProvider
from synapse_hubs.eid.schema import FEATURE, MIGRATIONS
from synapse_hubs.eid.step_up import StepUp
from synapse_hubs.eid.step_up_api import StepUpApi
from synapse_hubs.eid.step_up_pages import PREFIX, Provider, StepUpPages
from synapse_hubs.eid.test_provider import TestProvider
from synapse_hubs.eid.verification_store import VerificationStore, now_ms
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.rtc.openid import OpenIdVerifier
from synapse_hubs.storage.store import SchemaGate

logger = logging.getLogger(__name__)

CLEANUP_INTERVAL_MS = 5_000


class EidFeature:
    """Per-meeting e-ID. Other features use `gate.require_verification` and `gate.add_guest_check`."""

    def __init__(self, api: ModuleApi, config: EidConfig, schema: SchemaGate,
                 api_router: JsonRouter, exempt_user_ids: set[str],
                 openid: OpenIdVerifier) -> None:
        self._api = api
        self._config = config
        self._schema = schema
        schema.register(FEATURE, MIGRATIONS)

        self.records = VerificationStore(api)
        self.flows = FlowStore(api, config.flow_timeout_s)
        self.gate = AdmissionGate(api, config, self.records, self.flows, exempt_user_ids)
        self.providers = self._build_providers()

        api.register_spam_checker_callbacks(user_may_join_room=self.gate.user_may_join_room)
        api.register_third_party_rules_callbacks(check_event_allowed=self.gate.check_event_allowed)

        step_up = StepUp(config, self.gate, self.records)
        api.register_web_resource(
            PREFIX, StepUpPages(api, self.flows, self.gate, step_up, self.providers))
        StepUpApi(api, self.gate, self.records, openid).register(api_router)

        api.looping_background_call(self._clean_up, CLEANUP_INTERVAL_MS, desc="hubs_eid_cleanup")
        logger.info("e-ID step-up loaded: providers %s, default policy %s",
                    ", ".join(self.providers) or "none", config.default_policy.to_content())

    def _build_providers(self) -> dict[str, Provider]:
        redirect_uri = self._api.public_baseurl + PREFIX.lstrip("/") + "/callback"
        providers: dict[str, Provider] = {}
        for provider_config in self._config.providers:
            if isinstance(provider_config, OidcProviderConfig):
                providers[provider_config.id] = OidcRelyingParty(
                    provider_config, self.flows, redirect_uri)
            elif isinstance(provider_config, BankIdProviderConfig):
                providers[provider_config.id] = BankIdProvider(provider_config, self.flows)
            else:
                providers[provider_config.id] = SamlServiceProvider(
                    provider_config, self.flows, self._api.public_baseurl, self._api)
        if self._config.test_provider_enabled:
            logger.warning("The e-ID TEST provider is enabled: anyone can claim any identity. "
                           "Never enable eid.test_provider in production.")
            providers["test"] = TestProvider(self.flows)
        return providers

    async def _clean_up(self) -> None:
        await self._schema.ensure_ready()
        for provider in self.providers.values():
            if isinstance(provider, BankIdProvider):
                await provider.cancel_abandoned()
        await self.flows.delete_expired()
        purged = await self.records.delete_expired(
            now_ms() - self._config.retention_after_expiry_s * 1000)
        if purged:
            logger.info("Deleted %d expired e-ID verification records", purged)
