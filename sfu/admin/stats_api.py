# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admin API for forwarding counters: `hubs.StatsService` over Twirp with JSON bodies.

`POST /twirp/hubs.StatsService/GetParticipantStats` with
`{"room": "...", "identity": "..."}` and a `roomAdmin` token for the room
returns what the SFU received from that participant and forwarded of it:
`{"identity", "packetsReceived", "audioPacketsForwarded",
"videoPacketsForwarded", "tracks": [{"sid", "source", "muted"}]}`.
Operators and tests use it to check that moderation stops forwarding
while a client keeps sending.
"""

import logging

from aiohttp import web

from sfu.admin.recording_api import _authenticate, _authorize, _read_body, _room_name
from sfu.admin.twirp import TwirpError
from sfu.room.registry import RoomRegistry
from sfu.signaling import protocol

logger = logging.getLogger(__name__)


async def handle_stats_twirp(request: web.Request) -> web.Response:
    method = request.match_info["method"]
    try:
        if method != "GetParticipantStats":
            raise TwirpError("bad_route", f"unknown method {method}")
        access = _authenticate(request)
        body = await _read_body(request)
        room_name = _room_name(body)
        _authorize(access, room_name)
        response = _participant_stats(request.app["registry"], room_name, body.get("identity"))
    except TwirpError as error:
        logger.info("Stats API %s rejected: %s", method, error)
        return error.response()
    return web.json_response(response)


def _participant_stats(registry: RoomRegistry, room_name: str, identity: object) -> dict:
    if not isinstance(identity, str) or not identity:
        raise TwirpError("invalid_argument", "identity must be a non-empty string")
    room = registry.rooms.get(room_name)
    participant = room.find_by_identity(identity) if room is not None else None
    if participant is None:
        raise TwirpError("not_found", "participant not found")
    return {
        "identity": participant.identity,
        **participant.forwarding.to_json(),
        "tracks": [{"sid": track.sid, "source": protocol.SOURCE_NAMES.get(track.source, "unknown"),
                    "muted": track.muted}
                   for track in participant.tracks.values()],
    }
