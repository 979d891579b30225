# SPDX-License-Identifier: AGPL-3.0-or-later
"""Verification of signed JWTs from an OpenID provider (ID tokens, signed UserInfo).

The checks follow OpenID Connect Core 1.0 §3.1.3.7 and the OIDC Sweden
profile, and reject on the first failure:

- the JWS algorithm is on an asymmetric allow-list (so `none` and the
  HS* algorithms, which would let a public key act as an HMAC secret, fail);
- the signature verifies with a key from the provider's JWKS;
- `iss` equals the issuer exactly and `aud` contains our client id (with
  `azp` required when there are several audiences);
- `exp` and `iat` are within 60 s of our clock and `iat` is at most
  5 minutes old (OIDC Sweden's maximum ID token lifetime);
- `nonce` equals the value stored with the flow (constant-time comparison);
- `auth_time`, when present, is not before the flow started.
"""

import hmac
import time
from dataclasses import dataclass
from typing import Any, Mapping

from joserfc import jws, jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                      "ES256", "ES384", "ES512")
CLOCK_LEEWAY_S = 60
MAX_TOKEN_AGE_S = 300


class TokenValidationError(Exception):
    """A token failed validation; `reason` is a stable code for logs and tests."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class UnknownKeyError(TokenValidationError):
    """The token names a key id the cached JWKS does not contain."""

    def __init__(self) -> None:
        super().__init__("unknown_kid", "token signed with a key not in the provider's JWKS")


@dataclass(frozen=True)
class ExpectedIdToken:
    issuer: str
    client_id: str
    nonce: str
    # Seconds since the Unix epoch at which the flow was created.
    flow_started_at: float


def verify_signature(token: str, keys: KeySet) -> dict[str, Any]:
    """Check the algorithm and signature of a compact JWS and return its claims."""
    try:
        header = jws.extract_compact(token.encode("ascii")).headers()
    except (JoseError, ValueError, UnicodeError) as error:
        raise TokenValidationError("malformed", "token is not a compact JWS") from error

    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise TokenValidationError("alg_not_allowed", f"signing algorithm {algorithm!r} "
                                   f"is not allowed; expected one of {ALLOWED_ALGORITHMS}")

    kid = header.get("kid")
    if kid is not None and not any(key.kid == kid for key in keys):
        raise UnknownKeyError()

    try:
        decoded = jwt.decode(token, keys, algorithms=[algorithm])
    except BadSignatureError as error:
        raise TokenValidationError("bad_signature", "token signature is invalid") from error
    except JoseError as error:
        raise TokenValidationError("malformed", f"token could not be decoded: {error}") from error
    return dict(decoded.claims)


def check_id_token_claims(claims: Mapping[str, Any], expected: ExpectedIdToken,
                          now: float | None = None) -> None:
    """Check the standard ID token claims against what this flow expects."""
    now = time.time() if now is None else now

    if claims.get("iss") != expected.issuer:
        raise TokenValidationError("wrong_issuer", "ID token iss does not match the issuer")

    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    if not isinstance(audiences, list) or expected.client_id not in audiences:
        raise TokenValidationError("wrong_audience", "ID token aud does not contain our client id")
    if len(audiences) > 1 and claims.get("azp") != expected.client_id:
        raise TokenValidationError("wrong_audience", "ID token has several audiences "
                                   "and its azp is not our client id")

    expires = _number(claims, "exp")
    issued = _number(claims, "iat")
    if expires + CLOCK_LEEWAY_S < now:
        raise TokenValidationError("expired", "ID token has expired")
    if issued - CLOCK_LEEWAY_S > now or issued + MAX_TOKEN_AGE_S + CLOCK_LEEWAY_S < now:
        raise TokenValidationError("stale", "ID token iat is outside the accepted window")

    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(
        nonce.encode("utf-8"), expected.nonce.encode("utf-8")
    ):
        raise TokenValidationError("nonce_mismatch", "ID token nonce does not match this flow")

    auth_time = claims.get("auth_time")
    if auth_time is not None and auth_time + CLOCK_LEEWAY_S < expected.flow_started_at:
        raise TokenValidationError("stale_authentication",
                                   "the authentication happened before this flow started")

    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenValidationError("sub_missing", "ID token has no sub")


def _number(claims: Mapping[str, Any], name: str) -> float:
    value = claims.get(name)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TokenValidationError(f"{name}_missing", f"ID token has no numeric {name}")
    return float(value)
