# SPDX-License-Identifier: AGPL-3.0-or-later
"""Parse the request bodies of /sfu/get and /get_token.

Field names and the errcode M_BAD_JSON for a missing or mistyped field are
those of lk-jwt-service. The delayed-leave fields (delay_id, delay_timeout,
delay_cs_api_url) are accepted and ignored: /delegate_delayed_leave returns
404, so Element Call keeps refreshing its delayed leave event itself.
"""

from dataclasses import dataclass
from typing import Any, Mapping

from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.rtc.identity import CALL_SLOT_ID


@dataclass(frozen=True)
class OpenIdToken:
    access_token: str
    matrix_server_name: str


@dataclass(frozen=True)
class TokenRequest:
    room_id: str
    slot_id: str
    openid_token: OpenIdToken
    device_id: str
    # Only /get_token carries these.
    claimed_user_id: str | None = None
    member_id: str | None = None


def parse_sfu_get(body: Mapping[str, Any]) -> TokenRequest:
    """Parse `{"room", "openid_token", "device_id"}`."""
    return TokenRequest(
        room_id=_string(body, "room"),
        slot_id=CALL_SLOT_ID,
        openid_token=_openid_token(body),
        device_id=_string(body, "device_id"),
    )


def parse_get_token(body: Mapping[str, Any]) -> TokenRequest:
    """Parse `{"room_id", "slot_id", "openid_token", "member"}`.

    `member` contains `id`, `claimed_user_id` and `claimed_device_id`.
    """
    member = _object(body, "member")
    return TokenRequest(
        room_id=_string(body, "room_id"),
        slot_id=_string(body, "slot_id"),
        openid_token=_openid_token(body),
        device_id=_string(member, "claimed_device_id", "member"),
        claimed_user_id=_string(member, "claimed_user_id", "member"),
        member_id=_string(member, "id", "member"),
    )


def parse_openid_token(body: Mapping[str, Any]) -> OpenIdToken:
    """Parse the `openid_token` object of a request body; other endpoints accept it too."""
    return _openid_token(body)


def _openid_token(body: Mapping[str, Any]) -> OpenIdToken:
    token = _object(body, "openid_token")
    return OpenIdToken(
        access_token=_string(token, "access_token", "openid_token"),
        matrix_server_name=_string(token, "matrix_server_name", "openid_token"),
    )


def _string(body: Mapping[str, Any], name: str, parent: str = "") -> str:
    value = body.get(name)
    path = f"{parent}.{name}" if parent else name
    if not isinstance(value, str) or not value:
        raise SynapseError(
            400, f"The request body needs a non-empty string `{path}`", Codes.BAD_JSON
        )
    # JSON allows lone UTF-16 surrogates, which neither hashing nor the database accept.
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise SynapseError(
                400, f"`{path}` is not valid Unicode text", Codes.BAD_JSON
            ) from error
    return value


def _object(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict):
        raise SynapseError(400, f"The request body needs an object `{name}`", Codes.BAD_JSON)
    return value
