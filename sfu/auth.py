# SPDX-License-Identifier: AGPL-3.0-or-later
"""Verify LiveKit access tokens (HS256 JWTs) and read their grants.

A token names the API key that signed it in `iss`; the SFU looks up that
key's secret in its config. The claims follow LiveKit's format so tokens
minted by the Hubs token service, lk-jwt-service or LiveKit's own SDKs all
work: `sub` is the participant identity, `name` its display name and `video`
the grant object.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping

import jwt

# Track sources as LiveKit names them in `canPublishSources`.
ALL_SOURCES = ("camera", "microphone", "screen_share", "screen_share_audio")

# Clock difference tolerated between the token issuer and the SFU.
LEEWAY_S = 30


class AuthError(Exception):
    """The token is missing, invalid, expired or lacks a required grant."""


@dataclass(frozen=True)
class VideoGrant:
    room: str = ""
    room_join: bool = False
    room_admin: bool = False
    room_list: bool = False
    room_create: bool = False
    can_publish: bool = True
    can_subscribe: bool = True
    can_publish_data: bool = True
    can_update_own_metadata: bool = False
    can_publish_sources: tuple[str, ...] = ALL_SOURCES
    hidden: bool = False
    recorder: bool = False

    def may_publish_source(self, source: str) -> bool:
        return self.can_publish and source in self.can_publish_sources


@dataclass(frozen=True)
class AccessToken:
    api_key: str
    identity: str
    name: str
    metadata: str
    video: VideoGrant
    attributes: Mapping[str, str] = field(default_factory=dict)
    # SHA-256 of the token, so the SFU can recognise a rejoin with the same token.
    fingerprint: str = ""


def verify_token(token: str, keys: Mapping[str, str]) -> AccessToken:
    """Check signature, expiry and issuer of `token` and return its claims."""
    if not token:
        raise AuthError("missing access token")

    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise AuthError(f"malformed access token: {error}") from None

    api_key = unverified.get("iss")
    secret = keys.get(api_key) if isinstance(api_key, str) else None
    if secret is None:
        raise AuthError("access token signed with an unknown API key")

    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], leeway=LEEWAY_S,
                            options={"require": ["exp"]})
    except jwt.ExpiredSignatureError:
        raise AuthError("access token expired") from None
    except jwt.PyJWTError as error:
        raise AuthError(f"invalid access token: {error}") from None

    return AccessToken(
        api_key=api_key,
        identity=str(claims.get("sub") or ""),
        name=str(claims.get("name") or ""),
        metadata=str(claims.get("metadata") or ""),
        video=_parse_video_grant(claims.get("video") or {}),
        attributes=_string_map(claims.get("attributes")),
        fingerprint=hashlib.sha256(token.encode("utf-8")).hexdigest(),
    )


def _parse_video_grant(raw: Any) -> VideoGrant:
    if not isinstance(raw, Mapping):
        raise AuthError("access token 'video' grant must be an object")

    sources = raw.get("canPublishSources")
    if sources is None or sources == []:
        # LiveKit treats an absent or empty list as "every source".
        parsed_sources = ALL_SOURCES
    elif isinstance(sources, list) and all(isinstance(s, str) for s in sources):
        parsed_sources = tuple(s.lower() for s in sources)
    else:
        raise AuthError("'canPublishSources' must be a list of strings")

    return VideoGrant(
        room=str(raw.get("room") or ""),
        room_join=bool(raw.get("roomJoin", False)),
        room_admin=bool(raw.get("roomAdmin", False)),
        room_list=bool(raw.get("roomList", False)),
        room_create=bool(raw.get("roomCreate", False)),
        can_publish=bool(raw.get("canPublish", True)),
        can_subscribe=bool(raw.get("canSubscribe", True)),
        can_publish_data=bool(raw.get("canPublishData", True)),
        can_update_own_metadata=bool(raw.get("canUpdateOwnMetadata", False)),
        can_publish_sources=parsed_sources,
        hidden=bool(raw.get("hidden", False)),
        recorder=bool(raw.get("recorder", False)),
    )


def _string_map(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def verify_join_token(token: str, keys: Mapping[str, str]) -> AccessToken:
    """Verify a token for joining a room over signaling."""
    access = verify_token(token, keys)
    if not access.video.room_join or not access.video.room:
        raise AuthError("access token does not grant joining a room")
    if not access.identity:
        raise AuthError("access token has no identity ('sub')")
    return access
