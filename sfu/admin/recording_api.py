# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admin API for recordings: `hubs.RecordingService` over Twirp with JSON bodies.

`POST /twirp/hubs.RecordingService/<Method>` with `Authorization: Bearer <JWT>`
carrying `roomAdmin` for the room, the same tokens the RoomService accepts.
Responses describe a recording as LiveKit's `EgressInfo` in protobuf JSON.

- `StartRoomRecording` `{"room": "...", "initiatorIdentities": ["..."]}`:
  starts recording the room; the recording stops by itself once all of
  the named participants have left (after the departure grace period).
- `StopRoomRecording` `{"room": "..."}`: stops, finalises the file and
  returns the final EgressInfo (with `fileResults`, or the reason the file
  was discarded in `error`).
- `ListRoomRecordings` `{"room": "..."}`: the room's running recording and
  the recent finished ones, newest first, as `{"items": [...]}`.
"""

import json
import logging
from typing import Any

from aiohttp import web
from google.protobuf import json_format

from sfu.admin.twirp import TwirpError
from sfu.auth import AccessToken, AuthError, verify_token
from sfu.recording.recording_manager import RecordingManager, RecordingRejected
from sfu.room.registry import RoomRegistry

logger = logging.getLogger(__name__)

MAX_INITIATOR_IDENTITIES = 64
MAX_IDENTITY_LENGTH = 512


async def handle_recording_twirp(request: web.Request) -> web.Response:
    method = request.match_info["method"]
    try:
        handler = _METHODS.get(method)
        if handler is None:
            raise TwirpError("bad_route", f"unknown method {method}")
        access = _authenticate(request)
        body = await _read_body(request)
        room_name = _room_name(body)
        _authorize(access, room_name)
        response = await handler(request.app["registry"], request.app["recordings"], room_name, body)
    except TwirpError as error:
        logger.info("Recording API %s rejected: %s", method, error)
        return error.response()
    except RecordingRejected as rejected:
        logger.info("Recording API %s rejected: %s", method, rejected)
        return TwirpError(rejected.code, str(rejected)).response()
    return web.json_response(response)


def _authenticate(request: web.Request) -> AccessToken:
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.startswith("Bearer ") else ""
    try:
        return verify_token(token, request.app["config"].keys)
    except AuthError as error:
        raise TwirpError("unauthenticated", str(error)) from None


async def _read_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError as error:
        raise TwirpError("malformed", f"invalid request body: {error}") from None
    if not isinstance(body, dict):
        raise TwirpError("malformed", "the request body must be a JSON object")
    return body


def _room_name(body: dict[str, Any]) -> str:
    room = body.get("room")
    if not isinstance(room, str) or not room:
        raise TwirpError("invalid_argument", "room must be a non-empty string")
    return room


def _authorize(access: AccessToken, room_name: str) -> None:
    if not access.video.room_admin:
        raise TwirpError("permission_denied", "the token lacks the roomAdmin grant")
    if access.video.room and access.video.room != room_name:
        raise TwirpError("permission_denied", "the token is for another room")


def _initiators(body: dict[str, Any]) -> tuple[str, ...]:
    identities = body.get("initiatorIdentities", [])
    if not isinstance(identities, list) or len(identities) > MAX_INITIATOR_IDENTITIES or not all(
            isinstance(identity, str) and 0 < len(identity) <= MAX_IDENTITY_LENGTH
            for identity in identities):
        raise TwirpError("invalid_argument", f"initiatorIdentities must be a list of at most "
                         f"{MAX_INITIATOR_IDENTITIES} non-empty strings")
    return tuple(identities)


def _egress_json(info) -> dict[str, Any]:
    return json_format.MessageToDict(info)


async def _start(registry: RoomRegistry, recordings: RecordingManager, room_name: str,
                 body: dict[str, Any]) -> dict[str, Any]:
    initiators = _initiators(body)
    room = registry.rooms.get(room_name)
    if room is None or room.closed:
        raise TwirpError("not_found", "room not found: nobody is in the call")
    return _egress_json(await recordings.start(room, initiators))


async def _stop(registry: RoomRegistry, recordings: RecordingManager, room_name: str,
                body: dict[str, Any]) -> dict[str, Any]:
    room = registry.rooms.get(room_name)
    if room is None:
        raise TwirpError("not_found", "room not found")
    return _egress_json(await recordings.stop(room))


async def _list(registry: RoomRegistry, recordings: RecordingManager, room_name: str,
                body: dict[str, Any]) -> dict[str, Any]:
    return {"items": [_egress_json(info) for info in recordings.list(room_name)]}


_METHODS = {
    "StartRoomRecording": _start,
    "StopRoomRecording": _stop,
    "ListRoomRecordings": _list,
}
