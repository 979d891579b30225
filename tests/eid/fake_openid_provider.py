# SPDX-License-Identifier: AGPL-3.0-or-later
"""An OpenID provider on loopback that tests start and steer, for the e-ID RP.

It implements what the relying party needs from a real Swedish e-ID OP:
discovery, /authorize with PKCE S256, /token with private_key_jwt or a
client secret, single-use codes, signed ID tokens, /userinfo and /jwks.
`scenario` makes it misbehave in one chosen way, so each test proves that
the relying party rejects that misbehaviour. Identity claims come in the
dialect of the profile under test (oidc_sweden, idura, freja, inera).
"""

import base64
import hashlib
import http.server
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tests.harness.ports import free_port

TEST_NUMBER = "191212121212"
# A coordination number (day of month + 60) with a valid check digit.
TEST_COORDINATION_NUMBER = "191212721219"
BAD_LUHN_NUMBER = "191212121213"

SCENARIOS = (
    "success", "user_cancel", "wrong_loa", "method_mismatch", "wrong_aud", "bad_sig",
    "alg_none", "nonce_mismatch", "userinfo_sub_mismatch", "both_numbers", "bad_luhn",
    "expired_id_token", "wrong_iss_param", "previous_number",
)


@dataclass
class Persona:
    given_name: str = "Tolvan"
    family_name: str = "Tolvansson"
    number: str = TEST_NUMBER
    previous_number: str | None = None
    sub: str = "ABC123"


@dataclass
class IssuedCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    params: dict[str, str]
    used: bool = False


@dataclass
class FakeOpenIdProvider:
    dialect: str
    client_id: str = "hubs-rp"
    client_secret: str | None = None
    # Public key of the RP, for private_key_jwt.
    client_public_key: Any = None
    scenario: str = "success"
    persona: Persona = field(default_factory=Persona)
    # Names of the checks the token endpoint failed, in order (for assertions).
    token_errors: list[str] = field(default_factory=list)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    # Every access and ID token handed out, so tests can prove none was stored.
    issued_tokens: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}/{self.dialect}"
        self.signing_key = RSAKey.generate_key(2048, parameters={"kid": "op-key-1"},
                                               private=True)
        # Same kid, different key: what a forged token would carry.
        self.forged_key = RSAKey.generate_key(2048, parameters={"kid": "op-key-1"},
                                              private=True)
        self.codes: dict[str, IssuedCode] = {}
        self.access_tokens: dict[str, IssuedCode] = {}
        self.used_assertion_ids: set[str] = set()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port),
                                                       _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "FakeOpenIdProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self, scenario: str = "success", persona: Persona | None = None) -> None:
        assert scenario in SCENARIOS, scenario
        self.scenario = scenario
        self.persona = persona or Persona()
        self.token_errors.clear()
        self.authorize_requests.clear()
        self.issued_tokens.clear()

    # Endpoints ----------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic",
                                                      "client_secret_post"],
            "claims_parameter_supported": True,
        }

    def authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str]]:
        """Return (status, headers) for /authorize; success redirects with a code."""
        self.authorize_requests.append(params)
        if params.get("client_id") != self.client_id or params.get("response_type") != "code":
            return 400, {}
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return 400, {}
        redirect_uri = params["redirect_uri"]
        answer = {"state": params["state"]}
        if self.scenario == "user_cancel":
            answer["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            self.codes[code] = IssuedCode(self.client_id, redirect_uri, params["code_challenge"],
                                          params.get("nonce", ""), params)
            answer["code"] = code
        answer["iss"] = "http://127.0.0.1:1/evil" if self.scenario == "wrong_iss_param" \
            else self.issuer
        return 302, {"Location": redirect_uri + "?" + urllib.parse.urlencode(answer)}

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict]:
        if not self._client_authenticated(form, authorization):
            self.token_errors.append("client_auth")
            return 401, {"error": "invalid_client"}

        issued = self.codes.get(form.get("code", ""))
        if issued is None:
            self.token_errors.append("unknown_code")
            return 400, {"error": "invalid_grant"}
        if issued.used:
            self.token_errors.append("code_reused")
            return 400, {"error": "invalid_grant"}
        issued.used = True
        if form.get("redirect_uri") != issued.redirect_uri:
            self.token_errors.append("redirect_uri")
            return 400, {"error": "invalid_grant"}
        if _s256(form.get("code_verifier", "")) != issued.code_challenge:
            self.token_errors.append("pkce_mismatch")
            return 400, {"error": "invalid_grant"}

        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = issued
        id_token = self._id_token(issued)
        self.issued_tokens += [access_token, id_token]
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 60,
                     "id_token": id_token}

    def userinfo(self, authorization: str | None) -> tuple[int, dict]:
        token = (authorization or "").removeprefix("Bearer ")
        issued = self.access_tokens.get(token)
        if issued is None:
            return 401, {"error": "invalid_token"}
        claims = {"sub": self.persona.sub, **self._identity_claims(issued)}
        if self.scenario == "userinfo_sub_mismatch":
            claims["sub"] = "SOMEONE-ELSE"
        return 200, claims

    def jwks(self) -> dict[str, Any]:
        return KeySet([self.signing_key]).as_dict(private=False)

    # Tokens -------------------------------------------------------------

    def _id_token(self, issued: IssuedCode) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "sub": self.persona.sub, "aud": self.client_id,
            "iat": now, "exp": now + 300, "auth_time": now,
            "nonce": issued.nonce, "jti": secrets.token_hex(8),
            **self._assurance_claims(issued), **self._identity_claims(issued),
        }
        if self.scenario == "wrong_aud":
            claims["aud"] = "some-other-client"
        if self.scenario == "nonce_mismatch":
            claims["nonce"] = "not-the-nonce"
        if self.scenario == "expired_id_token":
            claims["iat"], claims["exp"] = now - 3600, now - 3000

        if self.scenario == "alg_none":
            return _unsigned_token(claims)
        key = self.forged_key if self.scenario == "bad_sig" else self.signing_key
        return jwt.encode({"alg": "RS256", "kid": "op-key-1"}, claims, key)

    def _assurance_claims(self, issued: IssuedCode) -> dict[str, Any]:
        low = self.scenario == "wrong_loa"
        if self.dialect == "oidc_sweden":
            return {"acr": "http://id.elegnamnden.se/loa/1.0/" + ("loa2" if low else "loa3")}
        if self.dialect == "inera":
            return {"acr": "http://id.sambi.se/loa/" + ("loa2" if low else "loa3")}
        if self.dialect == "freja":
            level = "EXTENDED" if low else "PLUS"
            return {"https://frejaeid.com/oidc/claims/registrationLevel": level}
        # idura: the acr names the method that was used.
        requested = issued.params.get("acr_values", "")
        if self.scenario == "method_mismatch":
            requested = "urn:grn:authn:se:frejaid"
        return {"acr": requested, "registrationLevel": "EXTENDED" if low else "PLUS"}

    def _identity_claims(self, issued: IssuedCode) -> dict[str, Any]:
        persona = self.persona
        number = BAD_LUHN_NUMBER if self.scenario == "bad_luhn" else persona.number
        if self.dialect == "oidc_sweden":
            claims = {"given_name": persona.given_name, "family_name": persona.family_name,
                      "https://id.oidc.se/claim/personalIdentityNumber": number}
            if self.scenario == "both_numbers":
                claims["https://id.oidc.se/claim/coordinationNumber"] = TEST_COORDINATION_NUMBER
            if persona.previous_number:
                claims["https://id.oidc.se/claim/previousCoordinationNumber"] = \
                    persona.previous_number
            return claims
        if self.dialect == "inera":
            return {"credentialGivenName": persona.given_name,
                    "credentialSurname": persona.family_name,
                    "credentialPersonalIdentityNumber": number}
        if self.dialect == "freja":
            return {"given_name": persona.given_name, "family_name": persona.family_name,
                    "https://frejaeid.com/oidc/claims/personalIdentityNumber": number,
                    "https://frejaeid.com/oidc/claims/country": "SE"}
        return {"given_name": persona.given_name, "family_name": persona.family_name,
                "name": f"{persona.given_name} {persona.family_name}", "ssn": number,
                "country": "SE"}

    # Client authentication ------------------------------------------------

    def _client_authenticated(self, form: dict[str, str], authorization: str | None) -> bool:
        if form.get("client_assertion_type"):
            return self._assertion_valid(form.get("client_assertion", ""))
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return (urllib.parse.unquote(client_id) == self.client_id
                    and urllib.parse.unquote(secret) == self.client_secret)
        return (form.get("client_id") == self.client_id and self.client_secret is not None
                and form.get("client_secret") == self.client_secret)

    def _assertion_valid(self, assertion: str) -> bool:
        if self.client_public_key is None:
            return False
        try:
            claims = jwt.decode(assertion, self.client_public_key,
                                algorithms=["RS256", "ES256"]).claims
        except Exception:
            return False
        fresh = claims.get("jti") not in self.used_assertion_ids
        self.used_assertion_ids.add(claims.get("jti"))
        return (claims.get("iss") == claims.get("sub") == self.client_id and fresh
                and claims.get("aud") == self.issuer + "/token"
                and claims.get("exp", 0) > time.time())


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _unsigned_token(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'kid': 'op-key-1'})}.{part(claims)}."


def _handler_for(provider: FakeOpenIdProvider) -> type[http.server.BaseHTTPRequestHandler]:
    prefix = "/" + provider.dialect

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            path = url.path.removeprefix(prefix)
            params = dict(urllib.parse.parse_qsl(url.query))
            if path == "/.well-known/openid-configuration":
                self._json(200, provider.metadata())
            elif path == "/jwks":
                self._json(200, provider.jwks())
            elif path == "/authorize":
                status, headers = provider.authorize(params)
                self._send(status, b"", headers)
            elif path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization")))
            else:
                self._send(404, b"", {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            if urllib.parse.urlsplit(self.path).path.removeprefix(prefix) == "/token":
                self._json(*provider.token(form, self.headers.get("Authorization")))
            else:
                self._send(404, b"", {})

        def _json(self, status: int, body: Any) -> None:
            self._send(status, json.dumps(body).encode(), {"Content-Type": "application/json"})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
