# SPDX-License-Identifier: AGPL-3.0-or-later
"""OIDC claim dialects of the Swedish e-ID providers, mapped to one result.

Each provider names the identity number, the person's name, the method and
the level of assurance differently. A ClaimProfile states, for one
dialect, which authorization parameters select a method and which claims
to read back. Claim names come from the providers' public documentation:

- oidc_sweden: OIDC Sweden claims specification v1.0 (Sweden Connect OPs).
- freja: Freja eID OIDC (frejaeid.com claim namespace).
- inera: Inera IdP attribute list for SITHS eID (credential* claims).
- idura: Idura Verify (formerly Criipto), method chosen by acr_values.
- signicat: Signicat OIDC, method chosen by acr_values "idp:<id>".
"""

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from synapse_hubs.eid.assurance import LEVELS, meets_minimum
from synapse_hubs.eid.identity_number import (
    IdentityNumber,
    InvalidIdentityNumber,
    parse_identity_number,
)
from synapse_hubs.eid.verified_identity import IdentityError, clean_display_name

Claims = Mapping[str, Any]

OIDC_SE = "https://id.oidc.se/claim/"
ELEGNAMNDEN_LOA = "http://id.elegnamnden.se/loa/1.0/"
FREJA = "https://frejaeid.com/oidc/"


@dataclass(frozen=True)
class ClaimProfile:
    name: str
    methods: tuple[str, ...]
    scopes: tuple[str, ...]
    personal_number_claims: tuple[str, ...]
    coordination_number_claims: tuple[str, ...] = ()
    previous_number_claims: tuple[str, ...] = ()
    given_name_claims: tuple[str, ...] = ("given_name",)
    family_name_claims: tuple[str, ...] = ("family_name",)
    full_name_claims: tuple[str, ...] = ("name",)
    # Claim that must equal "SE" when present (country of the identity number).
    country_claim: str | None = None
    # (method, minimum LoA) -> extra authorization request parameters.
    request_params: Callable[[str, str], dict[str, str]] = lambda method, loa: {}
    # (claims, requested method) -> (method, LoA); raises IdentityError.
    method_and_loa: Callable[[Claims, str], tuple[str, str]] = field(default=None)  # type: ignore[assignment]


def read_identity_numbers(profile: ClaimProfile, claims: Claims
                          ) -> tuple[IdentityNumber, IdentityNumber | None]:
    """Return (number, previous number) from the claims, or raise IdentityError."""
    personal = _first(claims, profile.personal_number_claims)
    coordination = _first(claims, profile.coordination_number_claims)
    if personal and coordination:
        # OIDC Sweden releases one or the other, never both. Both means the
        # response is malformed, because we cannot tell which identifies the person.
        raise IdentityError("both_numbers",
                            "provider sent both a personal and a coordination number")
    raw = personal or coordination
    if not raw:
        raise IdentityError("number_missing", "provider sent no identity number")

    country = claims.get(profile.country_claim) if profile.country_claim else None
    if country is not None and str(country).upper() != "SE":
        raise IdentityError("foreign_number", "identity number is not Swedish")

    number = _parse(raw, "number_invalid")
    previous_raw = _first(claims, profile.previous_number_claims)
    previous = _parse(previous_raw, "previous_number_invalid") if previous_raw else None
    return number, previous


def read_display_name(profile: ClaimProfile, claims: Claims) -> str:
    given = _first(claims, profile.given_name_claims)
    family = _first(claims, profile.family_name_claims)
    if given or family:
        return clean_display_name(given, family)
    return clean_display_name(_first(claims, profile.full_name_claims))


def _parse(raw: str, reason: str) -> IdentityNumber:
    try:
        return parse_identity_number(raw)
    except InvalidIdentityNumber as error:
        raise IdentityError(reason, str(error)) from error


def _first(claims: Claims, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _levels_from(minimum: str) -> list[str]:
    return [level for level in LEVELS if meets_minimum(level, minimum)]


def _loa_from_acr(acr_to_loa: Mapping[str, str]) -> Callable[[Claims], str]:
    def read(claims: Claims) -> str:
        acr = claims.get("acr")
        if acr not in acr_to_loa:
            raise IdentityError("acr_unknown", f"unknown acr {acr!r}")
        return acr_to_loa[acr]

    return read


def _loa_from_level(claim: str, level_to_loa: Mapping[str, str]) -> Callable[[Claims], str]:
    def read(claims: Claims) -> str:
        level = str(claims.get(claim, "")).upper()
        if level not in level_to_loa:
            raise IdentityError("level_unknown", f"unknown registration level {level!r}")
        return level_to_loa[level]

    return read


def _fixed_method(method: str, read_loa: Callable[[Claims], str]
                  ) -> Callable[[Claims, str], tuple[str, str]]:
    return lambda claims, requested: (method, read_loa(claims))


# oidc_sweden --------------------------------------------------------------

_ELEGNAMNDEN_ACR = {ELEGNAMNDEN_LOA + level: level for level in LEVELS}


def _oidc_sweden_params(method: str, minimum: str) -> dict[str, str]:
    # The acr is requested as essential through `claims`, so the OP must
    # fail rather than authenticate at a lower level (OIDC Sweden profile).
    values = [ELEGNAMNDEN_LOA + level for level in _levels_from(minimum)]
    claims = {"id_token": {"acr": {"essential": True, "values": values}}}
    return {"claims": json.dumps(claims, separators=(",", ":"))}


def _oidc_sweden_method(claims: Claims, requested: str) -> tuple[str, str]:
    # An OIDC Sweden OP is configured per method (one issuer per method, or
    # a proxy whose authnProvider the admin chose), so the method is the one
    # requested. The level comes from the signed acr.
    return requested, _loa_from_acr(_ELEGNAMNDEN_ACR)(claims)


# inera (SITHS) ------------------------------------------------------------

_SAMBI_ACR = {"http://id.sambi.se/loa/loa2": "loa2", "http://id.sambi.se/loa/loa3": "loa3",
              "http://id.sambi.se/loa/loa4": "loa4"}


def _inera_params(method: str, minimum: str) -> dict[str, str]:
    # Inera's IdP matches acr exactly, so every accepted level is listed.
    accepted = [acr for acr, level in _SAMBI_ACR.items() if meets_minimum(level, minimum)]
    return {"acr_values": " ".join(accepted)}


# idura ---------------------------------------------------------------------

_IDURA_ACR = {"bankid": "urn:grn:authn:se:bankid", "freja": "urn:grn:authn:se:frejaid"}
_FREJA_LEVELS = {"PLUS": "loa3", "EXTENDED": "loa2"}


def _idura_method(claims: Claims, requested: str) -> tuple[str, str]:
    acr = str(claims.get("acr", ""))
    if acr.startswith(_IDURA_ACR["bankid"]):
        # Idura reports Swedish BankID at eIDAS "substantial", which is loa3.
        return "bankid", "loa3"
    if acr.startswith(_IDURA_ACR["freja"]):
        return "freja", _loa_from_level("registrationLevel", _FREJA_LEVELS)(claims)
    raise IdentityError("acr_unknown", f"unknown acr {acr!r}")


# signicat ------------------------------------------------------------------

_SIGNICAT_IDP = {"bankid": "sbid", "freja": "freja"}


def _signicat_method(claims: Claims, requested: str) -> tuple[str, str]:
    idp = claims.get("idp")
    if idp == _SIGNICAT_IDP["bankid"]:
        return "bankid", "loa3"
    if idp == _SIGNICAT_IDP["freja"]:
        return "freja", _loa_from_level("freja_registration_level", _FREJA_LEVELS)(claims)
    raise IdentityError("method_unknown", f"unknown idp {idp!r}")


PROFILES: dict[str, ClaimProfile] = {
    "oidc_sweden": ClaimProfile(
        name="oidc_sweden",
        methods=("bankid", "freja", "siths"),
        scopes=("openid", "https://id.oidc.se/scope/naturalPersonNumber",
                "https://id.oidc.se/scope/naturalPersonInfo"),
        personal_number_claims=(OIDC_SE + "personalIdentityNumber",),
        coordination_number_claims=(OIDC_SE + "coordinationNumber",),
        previous_number_claims=(OIDC_SE + "previousCoordinationNumber",
                                OIDC_SE + "previousPersonalIdentityNumber"),
        request_params=_oidc_sweden_params,
        method_and_loa=_oidc_sweden_method,
    ),
    "freja": ClaimProfile(
        name="freja",
        methods=("freja",),
        scopes=("openid", "profile", FREJA + "scopes/personalIdentityNumber"),
        personal_number_claims=(FREJA + "claims/personalIdentityNumber",),
        country_claim=FREJA + "claims/country",
        # NOTE: the level claim name is taken from Freja's claim namespace and
        # has not been checked against a live Freja OP.
        method_and_loa=_fixed_method(
            "freja", _loa_from_level(FREJA + "claims/registrationLevel", _FREJA_LEVELS)),
    ),
    "inera": ClaimProfile(
        name="inera",
        methods=("siths",),
        scopes=("openid",),
        personal_number_claims=("credentialPersonalIdentityNumber",),
        given_name_claims=("credentialGivenName", "given_name"),
        family_name_claims=("credentialSurname", "family_name"),
        request_params=_inera_params,
        method_and_loa=_fixed_method("siths", _loa_from_acr(_SAMBI_ACR)),
    ),
    "idura": ClaimProfile(
        name="idura",
        methods=("bankid", "freja"),
        scopes=("openid",),
        personal_number_claims=("ssn",),
        country_claim="country",
        request_params=lambda method, minimum: {"acr_values": _IDURA_ACR[method]},
        method_and_loa=_idura_method,
    ),
    "signicat": ClaimProfile(
        name="signicat",
        methods=("bankid", "freja"),
        scopes=("openid", "profile", "nin"),
        personal_number_claims=("nin",),
        country_claim="nin_issuing_country",
        # NOTE: "idp:freja" is inferred from Signicat's idp naming, not checked.
        request_params=lambda method, minimum: {"acr_values": "idp:" + _SIGNICAT_IDP[method]},
        method_and_loa=_signicat_method,
    ),
}
