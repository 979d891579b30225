# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admin API: the subset of LiveKit's RoomService over Twirp with JSON bodies.

`POST /twirp/livekit.RoomService/<Method>` with `Authorization: Bearer <JWT>`.
ListRooms needs the `roomList` grant; every other method needs `roomAdmin`
for the room named in the request. Errors use Twirp's JSON error form
`{"code": ..., "msg": ...}` with the matching HTTP status.
"""

import logging
from typing import Awaitable, Callable

from aiohttp import web
from google.protobuf import json_format
from google.protobuf.message import Message
from livekit.protocol import models as pb
from livekit.protocol import room as room_pb
from livekit.protocol import rtc as rtc_pb

from sfu.auth import AccessToken, AuthError, verify_token
from sfu.room.registry import RoomRegistry
from sfu.room.room import Room

logger = logging.getLogger(__name__)


class TwirpError(Exception):
    STATUS = {"unauthenticated": 401, "permission_denied": 403, "not_found": 404,
              "invalid_argument": 400, "malformed": 400, "bad_route": 404,
              "already_exists": 409, "failed_precondition": 412}

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def response(self) -> web.Response:
        return web.json_response({"code": self.code, "msg": str(self)},
                                 status=self.STATUS.get(self.code, 500))


Handler = Callable[[RoomRegistry, Message, AccessToken], Awaitable[Message]]


async def handle_twirp(request: web.Request) -> web.Response:
    method = request.match_info["method"]
    entry = _METHODS.get(method)
    try:
        if entry is None:
            raise TwirpError("bad_route", f"unknown method {method}")
        request_type, handler = entry

        access = _authenticate(request)
        try:
            message = json_format.Parse(await request.text() or "{}", request_type(),
                                        ignore_unknown_fields=True)
        except (json_format.ParseError, ValueError) as error:
            raise TwirpError("malformed", f"invalid request body: {error}") from None

        _authorize(method, message, access)
        response = await handler(request.app["registry"], message, access)
    except TwirpError as error:
        logger.info("Admin API %s refused: %s", method, error)
        return error.response()

    return web.json_response(text=json_format.MessageToJson(response, indent=None))


def _authenticate(request: web.Request) -> AccessToken:
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.startswith("Bearer ") else ""
    try:
        return verify_token(token, request.app["config"].keys)
    except AuthError as error:
        raise TwirpError("unauthenticated", str(error)) from None


def _authorize(method: str, message: Message, access: AccessToken) -> None:
    if method == "ListRooms":
        if not access.video.room_list:
            raise TwirpError("permission_denied", "the token lacks the roomList grant")
        return
    room_name = getattr(message, "room", "") or getattr(message, "name", "")
    if not access.video.room_admin:
        raise TwirpError("permission_denied", "the token lacks the roomAdmin grant")
    if access.video.room and access.video.room != room_name:
        raise TwirpError("permission_denied", "the token is for another room")


def _room(registry: RoomRegistry, name: str) -> Room:
    room = registry.rooms.get(name)
    if room is None:
        raise TwirpError("not_found", "room not found")
    return room


def _participant(registry: RoomRegistry, room_name: str, identity: str):
    participant = _room(registry, room_name).find_by_identity(identity)
    if participant is None:
        raise TwirpError("not_found", "participant not found")
    return participant


async def _list_rooms(registry, message, access) -> Message:
    names = set(message.names)
    rooms = [r.to_proto() for r in registry.rooms.values() if not names or r.name in names]
    return room_pb.ListRoomsResponse(rooms=rooms)


async def _create_room(registry, message, access) -> Message:
    room = registry.get_or_create(message.name)
    if message.metadata:
        await room.update_metadata(message.metadata)
    return room.to_proto()


async def _delete_room(registry, message, access) -> Message:
    if not await registry.delete(message.room):
        raise TwirpError("not_found", "room not found")
    return room_pb.DeleteRoomResponse()


async def _list_participants(registry, message, access) -> Message:
    room = _room(registry, message.room)
    return room_pb.ListParticipantsResponse(
        participants=[p.to_proto() for p in room.participants.values()])


async def _get_participant(registry, message, access) -> Message:
    return _participant(registry, message.room, message.identity).to_proto()


async def _remove_participant(registry, message, access) -> Message:
    participant = _participant(registry, message.room, message.identity)
    logger.info("%s: removed through the admin API", participant.label)
    await participant.room.remove(participant, pb.DisconnectReason.PARTICIPANT_REMOVED)
    return room_pb.RemoveParticipantResponse()


async def _mute_published_track(registry, message, access) -> Message:
    participant = _participant(registry, message.room, message.identity)
    track = participant.tracks.get(message.track_sid)
    if track is None:
        raise TwirpError("not_found", "track not found")

    # The SFU stops forwarding at once; the client is also told so its UI
    # shows the mute, but forwarding does not depend on it obeying.
    track.server_muted = message.muted
    logger.info("%s: track %s %s by a moderator", participant.label, track.sid,
                "muted" if message.muted else "unmuted")
    await participant.send(rtc_pb.SignalResponse(mute=rtc_pb.MuteTrackRequest(
        sid=track.sid, muted=message.muted)))
    participant.version += 1
    await participant.room.broadcast_update([participant])
    return room_pb.MuteRoomTrackResponse(track=track.to_proto())


async def _update_participant(registry, message, access) -> Message:
    participant = _participant(registry, message.room, message.identity)
    if message.name:
        participant.name = message.name
    if message.metadata:
        participant.metadata = message.metadata
    participant.attributes.update(message.attributes)
    if message.HasField("permission"):
        await participant.update_permission(message.permission)
    else:
        participant.version += 1
        await participant.room.broadcast_update([participant], include_self=True)
    return participant.to_proto()


async def _update_room_metadata(registry, message, access) -> Message:
    room = _room(registry, message.room)
    await room.update_metadata(message.metadata)
    return room.to_proto()


async def _send_data(registry, message, access) -> Message:
    room = _room(registry, message.room)
    packet = pb.DataPacket(
        kind=message.kind,
        destination_identities=list(message.destination_identities),
        user=pb.UserPacket(payload=message.data, topic=message.topic,
                           destination_identities=list(message.destination_identities)),
    )
    label = "_lossy" if message.kind == pb.DataPacket.LOSSY else "_reliable"
    room.relay_data(None, packet, label, set(message.destination_identities))
    return room_pb.SendDataResponse()


_METHODS: dict[str, tuple[type[Message], Handler]] = {
    "ListRooms": (room_pb.ListRoomsRequest, _list_rooms),
    "CreateRoom": (room_pb.CreateRoomRequest, _create_room),
    "DeleteRoom": (room_pb.DeleteRoomRequest, _delete_room),
    "ListParticipants": (room_pb.ListParticipantsRequest, _list_participants),
    "GetParticipant": (room_pb.RoomParticipantIdentity, _get_participant),
    "RemoveParticipant": (room_pb.RoomParticipantIdentity, _remove_participant),
    "MutePublishedTrack": (room_pb.MuteRoomTrackRequest, _mute_published_track),
    "UpdateParticipant": (room_pb.UpdateParticipantRequest, _update_participant),
    "UpdateRoomMetadata": (room_pb.UpdateRoomMetadataRequest, _update_room_metadata),
    "SendData": (room_pb.SendDataRequest, _send_data),
}
