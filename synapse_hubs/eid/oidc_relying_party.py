# SPDX-License-Identifier: AGPL-3.0-or-later
"""OpenID Connect relying party for one configured e-ID provider.

Authorization code flow with PKCE S256, a single-use state bound to the
browser session, a nonce, `prompt=login` and the profile's method and
acr parameters. The code is exchanged with `private_key_jwt` (a fresh
assertion per request) or a client secret. The ID token and a signed
UserInfo response are verified as described in id_token.py, and the UserInfo
`sub` must equal the ID token's. Tokens live only in this request.
"""

import base64
import hashlib
import logging
import time
import urllib.parse
from typing import Any, Mapping

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from synapse_hubs.eid import step_up_failure as failure
from synapse_hubs.eid.claim_profiles import PROFILES, read_display_name, read_identity_numbers
from synapse_hubs.eid.config import OidcProviderConfig
from synapse_hubs.eid.flow_store import BrowserSession, Flow, FlowStore
from synapse_hubs.eid.id_token import (
    ExpectedIdToken,
    TokenValidationError,
    UnknownKeyError,
    check_id_token_claims,
    verify_signature,
)
from synapse_hubs.eid.outbound_http import OutboundHttp, ProviderHttpError, parse_json
from synapse_hubs.eid.step_up_failure import StepUpFailed
from synapse_hubs.eid.verified_identity import IdentityError, VerifiedIdentity

logger = logging.getLogger(__name__)

METADATA_MAX_AGE_S = 3600
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class OidcRelyingParty:
    is_test = False

    def __init__(self, config: OidcProviderConfig, flows: FlowStore, redirect_uri: str,
                 http: OutboundHttp | None = None) -> None:
        self.config = config
        self.id = config.id
        self.methods = config.methods
        self.display_name = config.display_name or ""
        self._flows = flows
        self.profile = PROFILES[config.profile]
        self._redirect_uri = redirect_uri
        self._http = http or OutboundHttp()
        self._metadata: dict[str, Any] | None = None
        self._metadata_fetched_at = 0.0
        self._keys: KeySet | None = None

    async def begin(self, session: BrowserSession, method: str, min_loa: str,
                    end_user_ip: str) -> str:
        """Create a flow with a fresh nonce and PKCE verifier; return the authorization URL."""
        nonce, code_verifier = generate_token(43), generate_token(64)
        state, _ = await self._flows.create_flow(session, self.id, method, nonce, code_verifier)
        logger.info("Sending %s in %s to e-ID provider %s for %s",
                    session.user_id, session.room_id, self.id, method)
        return await self.authorization_url(state, nonce, code_verifier, method, min_loa,
                                            session.language)

    async def authorization_url(self, state: str, nonce: str, code_verifier: str, method: str,
                                min_loa: str, language: str) -> str:
        metadata = await self._get_metadata()
        params = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": self._redirect_uri,
            "scope": " ".join(self.config.scopes or self.profile.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(code_verifier),
            "code_challenge_method": "S256",
            "prompt": "login",
            "ui_locales": "sv en" if language == "sv" else "en sv",
        }
        params.update(self.profile.request_params(method, min_loa))
        endpoint = metadata["authorization_endpoint"]
        separator = "&" if "?" in endpoint else "?"
        return endpoint + separator + urllib.parse.urlencode(params)

    async def complete(self, callback: Mapping[str, str], flow: Flow) -> VerifiedIdentity:
        """Turn the provider's redirect back into a VerifiedIdentity, or raise StepUpFailed."""
        self._check_callback_parameters(callback)
        metadata = await self._get_metadata()

        tokens = await self._exchange_code(metadata, callback["code"], flow.code_verifier)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise StepUpFailed("id_token_missing")
        id_claims = await self._verified_claims(id_token)
        try:
            check_id_token_claims(id_claims, ExpectedIdToken(
                issuer=self.config.issuer, client_id=self.config.client_id, nonce=flow.nonce,
                flow_started_at=flow.created_at / 1000,
            ))
        except TokenValidationError as error:
            raise StepUpFailed(error.reason) from error

        claims = dict(await self._userinfo(metadata, tokens, id_claims["sub"]))
        # Assurance claims are trusted from the ID token, never from UserInfo.
        claims.update(id_claims)
        return self._identity(claims, flow, id_token)

    def _check_callback_parameters(self, callback: Mapping[str, str]) -> None:
        error = callback.get("error")
        if error == "access_denied":
            raise StepUpFailed("user_cancel", failure.CANCELLED)
        if error:
            raise StepUpFailed(f"provider_error:{error[:40]}")

        # RFC 9207: a callback naming another issuer is a mix-up attack.
        issuer = callback.get("iss")
        if issuer is not None and issuer.rstrip("/") != self.config.issuer:
            raise StepUpFailed("issuer_mismatch")
        if not callback.get("code"):
            raise StepUpFailed("code_missing")

    async def _exchange_code(self, metadata: Mapping[str, Any], code: str,
                             code_verifier: str) -> dict[str, Any]:
        token_endpoint = metadata["token_endpoint"]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self._redirect_uri,
            "code_verifier": code_verifier,
        }
        headers = {"Accept": "application/json"}
        self._add_client_authentication(form, headers, token_endpoint)

        try:
            status, content, _ = await self._http.post_form(token_endpoint, form, headers)
            body = parse_json(content, token_endpoint)
        except ProviderHttpError as error:
            raise StepUpFailed("token_request_failed") from error
        if status != 200 or not isinstance(body, dict):
            error_code = body.get("error") if isinstance(body, dict) else None
            logger.info("Token request to e-ID provider %s failed: HTTP %d %s",
                        self.config.id, status, error_code)
            raise StepUpFailed(f"token_refused:{str(error_code)[:40]}")
        return body

    def _add_client_authentication(self, form: dict[str, str], headers: dict[str, str],
                                   token_endpoint: str) -> None:
        client_id = self.config.client_id
        if self.config.client_auth == "private_key_jwt":
            form["client_id"] = client_id
            form["client_assertion_type"] = CLIENT_ASSERTION_TYPE
            form["client_assertion"] = self._client_assertion(token_endpoint)
        elif self.config.client_auth == "client_secret_basic":
            # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
            pair = (urllib.parse.quote(client_id, safe="") + ":"
                    + urllib.parse.quote(self.config.client_secret or "", safe=""))
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form["client_id"] = client_id
            form["client_secret"] = self.config.client_secret or ""

    def _client_assertion(self, token_endpoint: str) -> str:
        key = self.config.private_key
        algorithm = "ES256" if key.key_type == "EC" else "RS256"
        now = int(time.time())
        header = {"alg": algorithm}
        if key.kid:
            header["kid"] = key.kid
        claims = {
            "iss": self.config.client_id, "sub": self.config.client_id,
            "aud": token_endpoint, "jti": generate_token(32), "iat": now, "exp": now + 60,
        }
        return jwt.encode(header, claims, key)

    async def _verified_claims(self, token: str) -> dict[str, Any]:
        keys = await self._get_keys(refresh=False)
        try:
            try:
                return verify_signature(token, keys)
            except UnknownKeyError:
                # The provider may have rotated its keys since we cached them.
                return verify_signature(token, await self._get_keys(refresh=True))
        except TokenValidationError as error:
            raise StepUpFailed(error.reason) from error

    async def _userinfo(self, metadata: Mapping[str, Any], tokens: Mapping[str, Any],
                        id_token_sub: str) -> Mapping[str, Any]:
        endpoint = metadata.get("userinfo_endpoint")
        access_token = tokens.get("access_token")
        if not endpoint or not isinstance(access_token, str):
            return {}

        try:
            status, content, content_type = await self._http.get(
                endpoint, {"Authorization": f"Bearer {access_token}"}
            )
        except ProviderHttpError as error:
            raise StepUpFailed("userinfo_failed") from error
        if status != 200:
            raise StepUpFailed(f"userinfo_refused:{status}")

        if content_type == "application/jwt":
            claims = await self._verified_claims(content.decode("ascii", errors="replace").strip())
            if claims.get("iss") != self.config.issuer:
                raise StepUpFailed("userinfo_wrong_issuer")
        else:
            claims = parse_json(content, endpoint)
        if not isinstance(claims, dict):
            raise StepUpFailed("userinfo_malformed")

        if claims.get("sub") != id_token_sub:
            raise StepUpFailed("userinfo_sub_mismatch")
        return claims

    def _identity(self, claims: Mapping[str, Any], flow: Flow, id_token: str) -> VerifiedIdentity:
        try:
            method, loa = self.profile.method_and_loa(claims, flow.method)
            number, previous = read_identity_numbers(self.profile, claims)
        except IdentityError as error:
            raise StepUpFailed(error.reason, failure.INVALID_IDENTITY) from error

        if method != flow.method:
            raise StepUpFailed("method_mismatch", failure.METHOD_NOT_ALLOWED)

        # An audit reference that identifies this authentication without
        # storing the token: the provider's jti or sid, else a hash.
        reference = claims.get("jti") or claims.get("sid") or (
            "sha256:" + hashlib.sha256(id_token.encode()).hexdigest()[:32])
        return VerifiedIdentity(
            number=number, previous_number=previous,
            verified_name=read_display_name(self.profile, claims),
            method=method, loa=loa, acr=str(claims.get("acr", "")),
            issuer=self.config.issuer, transaction_ref=str(reference)[:200],
        )

    async def _get_metadata(self) -> dict[str, Any]:
        fresh = time.monotonic() - self._metadata_fetched_at < METADATA_MAX_AGE_S
        if self._metadata is not None and fresh:
            return self._metadata

        url = self.config.issuer + "/.well-known/openid-configuration"
        try:
            status, content, _ = await self._http.get(url)
            metadata = parse_json(content, url)
        except ProviderHttpError as error:
            raise StepUpFailed("discovery_failed") from error
        if status != 200 or not isinstance(metadata, dict):
            raise StepUpFailed(f"discovery_refused:{status}")
        self._check_metadata(metadata)

        self._metadata = metadata
        self._metadata_fetched_at = time.monotonic()
        self._keys = None
        return metadata

    def _check_metadata(self, metadata: Mapping[str, Any]) -> None:
        if metadata.get("issuer", "").rstrip("/") != self.config.issuer:
            logger.error("e-ID provider %s: discovery document names issuer %r, expected %r",
                         self.config.id, metadata.get("issuer"), self.config.issuer)
            raise StepUpFailed("discovery_issuer_mismatch")
        for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(metadata.get(endpoint), str):
                raise StepUpFailed(f"discovery_missing:{endpoint}")
        methods = metadata.get("code_challenge_methods_supported")
        if methods is not None and "S256" not in methods:
            raise StepUpFailed("discovery_no_s256")

    async def _get_keys(self, refresh: bool) -> KeySet:
        if self._keys is not None and not refresh:
            return self._keys

        metadata = await self._get_metadata()
        url = metadata["jwks_uri"]
        try:
            status, content, _ = await self._http.get(url)
            self._keys = KeySet.import_key_set(parse_json(content, url))
        except (ProviderHttpError, JoseError, ValueError, TypeError) as error:
            raise StepUpFailed("jwks_failed") from error
        if status != 200:
            raise StepUpFailed(f"jwks_refused:{status}")
        return self._keys
