# SPDX-License-Identifier: AGPL-3.0-or-later
"""The browser side of the step-up, under /_synapse/client/hubs/eid/.

    GET  start           page that posts the ticket from the URL fragment
    POST start           redeem the ticket, set the session cookie
    GET  choose          method chooser (allowed methods x configured providers)
    POST begin           create a flow and redirect to the provider
    GET  callback        OIDC redirect back (code, state)
    POST saml/acs        SAML assertion consumer service (HTTP-POST binding)
    GET  bankid          BankID QR page; POST bankid/status, bankid/cancel (JSON)
    GET  failed, done    result pages after a BankID attempt
    GET  test_provider   built-in test provider; POST completes it

The browser holds no Matrix access token here. The session cookie is
HttpOnly, SameSite=Lax and limited to this path, and every flow is bound
to the session that created it.
"""

import json
import logging
import urllib.parse
from typing import Any, Awaitable, Callable, Mapping

from synapse.module_api import (
    DirectServeHtmlResource,
    ModuleApi,
    SynapseRequest,
    parse_json_object_from_request,
)

from synapse_hubs.eid import pages
from synapse_hubs.eid import step_up_failure as failure
from synapse_hubs.eid.admission_gate import AdmissionGate
from synapse_hubs.eid.bankid_messages import RFA_MESSAGES
from synapse_hubs.eid.bankid_provider import BankIdProvider
from synapse_hubs.eid.flow_store import BrowserSession, Flow, FlowStore
from synapse_hubs.eid.oidc_relying_party import OidcRelyingParty
from synapse_hubs.eid.page_texts import pick_language
from synapse_hubs.eid.saml_service_provider import SamlServiceProvider
from synapse_hubs.eid.step_up import StepUp
from synapse_hubs.eid.step_up_failure import StepUpFailed
from synapse_hubs.eid.test_provider import TestProvider
from synapse_hubs.eid.verified_identity import VerifiedIdentity
from synapse_hubs.http.router import client_address

logger = logging.getLogger(__name__)

PREFIX = "/_synapse/client/hubs/eid"
COOKIE = b"hubs_eid_session"
COOKIE_MAX_AGE_S = 30 * 60

Provider = OidcRelyingParty | SamlServiceProvider | BankIdProvider | TestProvider
Handler = Callable[[SynapseRequest], Awaitable[None]]


class StepUpPages(DirectServeHtmlResource):
    isLeaf = True

    def __init__(self, api: ModuleApi, flows: FlowStore, gate: AdmissionGate, step_up: StepUp,
                 providers: Mapping[str, Provider]) -> None:
        super().__init__()
        self._api = api
        self._flows = flows
        self._gate = gate
        self._step_up = step_up
        self._providers = providers
        self._secure_cookie = api.public_baseurl.startswith("https://")
        self._routes: dict[tuple[str, str], Handler] = {
            ("GET", "/start"): self._get_start,
            ("POST", "/start"): self._post_start,
            ("GET", "/choose"): self._get_choose,
            ("POST", "/begin"): self._post_begin,
            ("GET", "/callback"): self._get_callback,
            ("POST", "/saml/acs"): self._post_saml_acs,
            ("GET", "/bankid"): self._get_bankid,
            ("POST", "/bankid/status"): self._post_bankid_status,
            ("POST", "/bankid/cancel"): self._post_bankid_cancel,
            ("GET", "/failed"): self._get_failed,
            ("GET", "/done"): self._get_done,
            ("GET", "/test_provider"): self._get_test_provider,
            ("POST", "/test_provider"): self._post_test_provider,
        }

    async def _async_render(self, request: SynapseRequest) -> None:
        method = request.method.decode("ascii")
        method = "GET" if method == "HEAD" else method
        path = request.path.decode("utf-8", errors="replace")[len(PREFIX):] or "/"
        handler = self._routes.get((method, path))
        if handler is None:
            self._html(request, 404, pages.invalid_link_page(self._language(request)))
            return
        await handler(request)

    # Start --------------------------------------------------------------

    async def _get_start(self, request: SynapseRequest) -> None:
        self._html(request, 200, pages.start_page(self._language(request)))

    async def _post_start(self, request: SynapseRequest) -> None:
        language = self._language(request)
        ticket_value = _arg(request, "ticket")
        ticket = await self._flows.redeem_ticket(ticket_value) if ticket_value else None
        if ticket is None:
            # A reload after the ticket was used: an existing session still works.
            if await self._session(request) is not None:
                self._redirect(request, f"{PREFIX}/choose")
                return
            self._html(request, 400, pages.invalid_link_page(language))
            return

        session_id = await self._flows.create_session(ticket, language)
        request.addCookie(COOKIE, session_id.encode("ascii"), path=PREFIX.encode("ascii"),
                          max_age=str(COOKIE_MAX_AGE_S), httpOnly=True,
                          secure=self._secure_cookie, sameSite="lax")
        logger.info("e-ID step-up started for %s in %s", ticket.user_id, ticket.room_id)
        self._redirect(request, f"{PREFIX}/choose")

    async def _get_choose(self, request: SynapseRequest) -> None:
        session = await self._session(request)
        if session is None:
            self._html(request, 400, pages.invalid_link_page(self._language(request)))
            return
        language = pick_language(_arg(request, "lang"), None) if _arg(request, "lang") \
            else session.language

        policy = await self._gate.policy_for(session.room_id)
        options = [
            (f"{provider.id}:{method}", method,
             provider.display_name if len(self._providers) > 1 else "")
            for method in policy.methods
            for provider in self._providers.values()
            if method in provider.methods
        ]
        test_mode = any(p.is_test for p in self._providers.values())
        self._html(request, 200, pages.chooser_page(language, options, test_mode))

    async def _post_begin(self, request: SynapseRequest) -> None:
        session = await self._session(request)
        if session is None:
            self._html(request, 400, pages.invalid_link_page(self._language(request)))
            return

        provider_id, _, method = _arg(request, "choice").partition(":")
        provider = self._providers.get(provider_id)
        policy = await self._gate.policy_for(session.room_id)
        try:
            if provider is None or method not in provider.methods \
                    or method not in policy.methods:
                raise StepUpFailed("method_not_allowed", failure.METHOD_NOT_ALLOWED)
            url = await provider.begin(session, method, policy.min_loa, client_address(request))
        except StepUpFailed as error:
            self._failure(request, session, error)
            return
        self._redirect(request, url)

    # OIDC -----------------------------------------------------------------

    async def _get_callback(self, request: SynapseRequest) -> None:
        # NOTE: Synapse's access log records this URL, including the
        # single-use code; the code is useless without our PKCE verifier.
        callback = {name.decode(): values[0].decode("utf-8", errors="replace")
                    for name, values in request.args.items() if values}
        flow, session = await self._take_flow(request, callback.get("state", ""))
        if flow is None or session is None:
            return

        provider = self._providers.get(flow.provider_id)
        try:
            if not isinstance(provider, OidcRelyingParty):
                raise StepUpFailed("provider_mismatch", failure.SESSION_INVALID)
            identity = await provider.complete(callback, flow)
            await self._succeed(request, session, flow, identity)
        except StepUpFailed as error:
            self._failure(request, session, error)

    # SAML -----------------------------------------------------------------

    async def _post_saml_acs(self, request: SynapseRequest) -> None:
        saml_response = _arg(request, "SAMLResponse")
        relay_state = _arg(request, "RelayState")
        if request.getCookie(COOKIE) is None and not _arg(request, "reposted"):
            # The IdP's cross-site POST carries no SameSite=Lax cookie. Posting
            # the same form again from our own origin does.
            self._html(request, 200, pages.repost_page(
                self._language(request), f"{PREFIX}/saml/acs",
                {"SAMLResponse": saml_response, "RelayState": relay_state, "reposted": "1"}))
            return

        flow, session = await self._take_flow(request, relay_state)
        if flow is None or session is None:
            return
        provider = self._providers.get(flow.provider_id)
        try:
            if not isinstance(provider, SamlServiceProvider):
                raise StepUpFailed("provider_mismatch", failure.SESSION_INVALID)
            identity = await provider.complete(saml_response, flow)
            await self._succeed(request, session, flow, identity)
        except StepUpFailed as error:
            self._failure(request, session, error)

    # BankID ---------------------------------------------------------------

    async def _get_bankid(self, request: SynapseRequest) -> None:
        self._html(request, 200, pages.bankid_page(self._language(request)))

    async def _post_bankid_status(self, request: SynapseRequest) -> None:
        flow, session, provider = await self._bankid_flow(request)
        if flow is None or session is None or provider is None:
            return
        try:
            result = await provider.poll(flow, session.language)
            if result.identity is not None:
                redirect = await self._finish(session, flow, result.identity)
                self._json(request, {"status": "complete", "redirect": redirect})
                return
        except StepUpFailed as error:
            self._json(request, self._failure_json(session, error))
            return
        self._json(request, {"status": result.status, "message": result.message,
                             "rfa": result.rfa, "qr": result.qr,
                             "auto_start_url": result.auto_start_url})

    async def _get_failed(self, request: SynapseRequest) -> None:
        """Failure page the BankID page navigates to; the query only selects texts."""
        session = await self._session(request)
        language = session.language if session else self._language(request)
        reason = _arg(request, "reason")
        rfa = _arg(request, "rfa")
        detail = RFA_MESSAGES[rfa][language] if rfa in RFA_MESSAGES else None
        self._html(request, 403, pages.failure_page(
            language, reason, detail, retry=session is not None,
            return_to=session.return_to if session else None))

    async def _get_done(self, request: SynapseRequest) -> None:
        self._html(request, 200, pages.success_page(self._language(request), None))

    async def _post_bankid_cancel(self, request: SynapseRequest) -> None:
        flow, session, provider = await self._bankid_flow(request)
        if flow is None or session is None or provider is None:
            return
        await provider.cancel(flow)
        logger.info("BankID order cancelled by %s in %s", session.user_id, session.room_id)
        self._json(request, self._failure_json(
            session, StepUpFailed("user_cancel", failure.CANCELLED, rfa="RFA6")))

    async def _bankid_flow(self, request: SynapseRequest
                           ) -> tuple[Flow | None, BrowserSession | None, BankIdProvider | None]:
        body = parse_json_object_from_request(request)
        state = body.get("state")
        session = await self._session(request)
        flow = await self._flows.get_flow(state) if isinstance(state, str) and state else None
        provider = self._providers.get(flow.provider_id) if flow else None
        if session is None or flow is None or flow.session_hash != session.session_hash \
                or not isinstance(provider, BankIdProvider):
            self._json(request, {"status": "failed",
                                 "redirect": f"{PREFIX}/choose" if session else None,
                                 "message": "session invalid"}, code=400)
            return None, None, None
        return flow, session, provider

    # Test provider --------------------------------------------------------

    async def _get_test_provider(self, request: SynapseRequest) -> None:
        session = await self._session(request)
        state = _arg(request, "state")
        flow = await self._flows.get_flow(state) if state else None
        if session is None or flow is None or flow.session_hash != session.session_hash \
                or flow.provider_id != "test":
            self._html(request, 400, pages.invalid_link_page(self._language(request)))
            return
        self._html(request, 200, pages.test_provider_page(session.language, state, flow.method))

    async def _post_test_provider(self, request: SynapseRequest) -> None:
        flow, session = await self._take_flow(request, _arg(request, "state"))
        if flow is None or session is None:
            return
        provider = self._providers.get(flow.provider_id)
        form = {name.decode(): values[0].decode("utf-8", errors="replace")
                for name, values in request.args.items() if values}
        try:
            if not isinstance(provider, TestProvider):
                raise StepUpFailed("provider_mismatch", failure.SESSION_INVALID)
            await self._succeed(request, session, flow, provider.identity(flow.method, form))
        except StepUpFailed as error:
            self._failure(request, session, error)

    # Shared steps ---------------------------------------------------------

    async def _take_flow(self, request: SynapseRequest, state: str
                         ) -> tuple[Flow | None, BrowserSession | None]:
        """Consume the flow of `state`; it must belong to this browser's session."""
        language = self._language(request)
        flow = await self._flows.take_flow(state) if state else None
        session = await self._session(request)
        if flow is None or session is None or flow.session_hash != session.session_hash:
            logger.info("Rejected e-ID callback: %s", "unknown or used state" if flow is None
                        else "no session cookie" if session is None else "session mismatch")
            self._html(request, 400, pages.failure_page(
                session.language if session else language, failure.SESSION_INVALID, None,
                retry=session is not None))
            return None, None
        return flow, session

    async def _succeed(self, request: SynapseRequest, session: BrowserSession, flow: Flow,
                       identity: VerifiedIdentity) -> None:
        redirect = await self._finish(session, flow, identity)
        if session.return_to is None:
            self._html(request, 200, pages.success_page(session.language, None))
        else:
            self._redirect(request, redirect)

    async def _finish(self, session: BrowserSession, flow: Flow,
                      identity: VerifiedIdentity) -> str:
        """Store the verification, end the session and return where the browser goes next."""
        await self._step_up.finish(session, flow.provider_id, flow.method, identity)
        await self._flows.delete_session(session.session_hash)
        return session.return_to or f"{PREFIX}/done?lang={session.language}"

    def _failure(self, request: SynapseRequest, session: BrowserSession,
                 error: StepUpFailed) -> None:
        logger.info("e-ID step-up of %s in %s failed: %s",
                    session.user_id, session.room_id, error.reason)
        detail = RFA_MESSAGES[error.rfa][session.language] if error.rfa else None
        self._html(request, 403, pages.failure_page(session.language, error.message_key,
                                                     detail, retry=True,
                                                     return_to=session.return_to))

    def _failure_json(self, session: BrowserSession, error: StepUpFailed) -> dict[str, Any]:
        logger.info("e-ID step-up of %s in %s failed: %s",
                    session.user_id, session.room_id, error.reason)
        query = urllib.parse.urlencode({"reason": error.message_key, "rfa": error.rfa or ""})
        return {"status": "failed", "reason": error.message_key, "rfa": error.rfa,
                "redirect": f"{PREFIX}/failed?{query}"}

    async def _session(self, request: SynapseRequest) -> BrowserSession | None:
        cookie = request.getCookie(COOKIE)
        if not cookie:
            return None
        return await self._flows.get_session(cookie.decode("ascii", errors="replace"))

    def _language(self, request: SynapseRequest) -> str:
        accept = request.getHeader("Accept-Language")
        return pick_language(_arg(request, "lang") or None, accept)

    # Responses ------------------------------------------------------------

    def _html(self, request: SynapseRequest, code: int, html: str) -> None:
        request.setHeader(b"Cache-Control", b"no-store")
        self._send_response(request, code, html.encode("utf-8"))

    def _json(self, request: SynapseRequest, body: dict[str, Any], code: int = 200) -> None:
        data = json.dumps(body).encode("utf-8")
        request.setResponseCode(code)
        request.setHeader(b"Content-Type", b"application/json")
        request.setHeader(b"Cache-Control", b"no-store")
        request.setHeader(b"Content-Length", str(len(data)).encode("ascii"))
        request.write(data)
        request.finish()

    def _redirect(self, request: SynapseRequest, location: str) -> None:
        request.setResponseCode(303)
        request.setHeader(b"Location", location.encode("utf-8"))
        request.setHeader(b"Cache-Control", b"no-store")
        request.setHeader(b"Content-Length", b"0")
        request.finish()


def _arg(request: SynapseRequest, name: str) -> str:
    values = request.args.get(name.encode("ascii"))
    if not values:
        return ""
    return values[0].decode("utf-8", errors="replace")
