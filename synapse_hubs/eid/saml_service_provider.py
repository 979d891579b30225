# SPDX-License-Identifier: AGPL-3.0-or-later
"""SAML2 service provider (pysaml2) for Sweden Connect and Inera identity providers.

Web SSO with an HTTP-Redirect AuthnRequest and an HTTP-POST response to
/_synapse/client/hubs/eid/saml/acs. The RelayState is the flow's state,
and the AuthnRequest ID is stored with the flow so that only a response
to that request (InResponseTo) is accepted. Assertions must be signed.
Attributes are read by their OIDs from the Swedish eID Framework
attribute specification, and the LoA from the AuthnContextClassRef.

pysaml2 verifies signatures with the xmlsec1 program and blocks while it
runs, so parsing happens in a thread.
"""

import logging
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext
from synapse.module_api import ModuleApi

from synapse_hubs.eid import step_up_failure as failure
from synapse_hubs.eid.assurance import LEVELS, meets_minimum
from synapse_hubs.eid.config import SamlProviderConfig
from synapse_hubs.eid.flow_store import BrowserSession, Flow, FlowStore
from synapse_hubs.eid.identity_number import InvalidIdentityNumber, parse_identity_number
from synapse_hubs.eid.step_up_failure import StepUpFailed
from synapse_hubs.eid.verified_identity import VerifiedIdentity, clean_display_name

logger = logging.getLogger(__name__)

ACS_PATH = "_synapse/client/hubs/eid/saml/acs"

# Swedish eID Framework, "Attribute Specification": attribute names are OIDs.
# pysaml2 translates the OIDs it knows into friendly names, so both are read.
PERSONAL_IDENTITY_NUMBER = ("urn:oid:1.2.752.29.4.13", "personalIdentityNumber")
GIVEN_NAME = ("urn:oid:2.5.4.42", "givenName")
SURNAME = ("urn:oid:2.5.4.4", "sn")
DISPLAY_NAME = ("urn:oid:2.16.840.1.113730.3.1.241", "displayName")
TRANSACTION_IDENTIFIER = ("urn:oid:1.2.752.201.3.2", "transactionIdentifier")

LOA_CONTEXTS = {f"http://id.elegnamnden.se/loa/1.0/{level}": level for level in LEVELS}
LOA_CONTEXTS.update({f"http://id.sambi.se/loa/{level}": level for level in LEVELS})


class SamlServiceProvider:
    is_test = False

    def __init__(self, config: SamlProviderConfig, flows: FlowStore, public_baseurl: str,
                 api: ModuleApi | None = None) -> None:
        self.config = config
        self.id = config.id
        self.methods = config.methods
        self.display_name = config.display_name or ""
        self._flows = flows
        self._api = api
        self._client = Saml2Client(self._sp_config(public_baseurl + ACS_PATH))

    def _sp_config(self, acs_url: str) -> SPConfig:
        sp_config = SPConfig()
        settings: dict[str, Any] = {
            "entityid": self.config.sp_entity_id,
            "metadata": {"local": [str(self.config.idp_metadata_path)]},
            "key_file": str(self.config.sp_key_path),
            "cert_file": str(self.config.sp_cert_path),
            "service": {"sp": {
                "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]},
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                # TODO: sign AuthnRequests for IdPs whose metadata sets WantAuthnRequestsSigned.
                "authn_requests_signed": False,
            }},
            # Attribute names are kept as sent (OIDs), not mapped to friendly names.
            "allow_unknown_attributes": True,
        }
        if self.config.xmlsec_binary:
            settings["xmlsec_binary"] = self.config.xmlsec_binary
        sp_config.load(settings)
        return sp_config

    async def begin(self, session: BrowserSession, method: str, min_loa: str,
                    end_user_ip: str) -> str:
        contexts = [AuthnContextClassRef(text=uri) for uri, level in LOA_CONTEXTS.items()
                    if meets_minimum(level, min_loa) and "elegnamnden" in uri]
        state, flow = await self._flows.create_flow(session, self.id, method, "", "")
        request_id, info = self._client.prepare_for_authenticate(
            relay_state=state, binding=BINDING_HTTP_REDIRECT,
            requested_authn_context=RequestedAuthnContext(authn_context_class_ref=contexts,
                                                          comparison="exact"),
        )
        # The request id is stored in the nonce column, because the response must match it.
        await self._flows.update_flow_request_id(flow, request_id)
        return dict(info["headers"])["Location"]

    async def complete(self, saml_response: str, flow: Flow) -> VerifiedIdentity:
        if self._api is not None:
            response = await self._api.defer_to_thread(self._parse, saml_response, flow.nonce)
        else:
            response = self._parse(saml_response, flow.nonce)
        return self._identity(response, flow)

    def _parse(self, saml_response: str, request_id: str) -> Any:
        try:
            response = self._client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"})
        except Exception as error:
            # pysaml2 raises many unrelated exception types for a bad response.
            logger.info("Rejected SAML response from %s: %s", self.id, type(error).__name__)
            raise StepUpFailed("saml_invalid") from error
        if response is None:
            raise StepUpFailed("saml_invalid")
        return response

    def _identity(self, response: Any, flow: Flow) -> VerifiedIdentity:
        attributes = response.ava or {}
        level = None
        for context in response.authn_info():
            level = LOA_CONTEXTS.get(context[0])
        if level is None:
            raise StepUpFailed("acr_unknown", failure.LOA_TOO_LOW)

        try:
            number = parse_identity_number(_first(attributes, PERSONAL_IDENTITY_NUMBER))
        except InvalidIdentityNumber as error:
            raise StepUpFailed("number_invalid", failure.INVALID_IDENTITY) from error

        name = clean_display_name(_first(attributes, GIVEN_NAME), _first(attributes, SURNAME)) \
            or clean_display_name(_first(attributes, DISPLAY_NAME))
        reference = _first(attributes, TRANSACTION_IDENTIFIER) or response.assertion.id
        return VerifiedIdentity(
            number=number, previous_number=None, verified_name=name, method=flow.method,
            loa=level, acr=str(response.authn_info()[0][0]), issuer=response.issuer(),
            transaction_ref=str(reference)[:200],
        )


def _first(attributes: dict[str, list[str]], names: tuple[str, ...]) -> str:
    for name in names:
        values = attributes.get(name) or []
        if values:
            return str(values[0])
    return ""
