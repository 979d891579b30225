# SPDX-License-Identifier: AGPL-3.0-or-later
"""The signaling WebSocket (LiveKit client protocol v0) at /rtc.

One connection carries one participant. The first server message is the
JoinResponse; after it, requests are decoded and handed to the participant
one at a time, in order. A request that fails is logged with room and
participant ids and does not end the connection; a frame that is not a
SignalRequest at all ends it with close code 1003.
"""

import asyncio
import base64
import hashlib
import hmac
import logging
import time

from aiohttp import WSMsgType, web
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from sfu.auth import AuthError, verify_join_token
from sfu.config import SfuConfig
from sfu.room.participant import Participant
from sfu.room.registry import RoomRegistry
from sfu.signaling import protocol

logger = logging.getLogger(__name__)

# Largest signaling frame accepted; an offer with a hundred m-sections is
# well below this.
MAX_SIGNAL_FRAME_BYTES = 1024 * 1024


async def handle_rtc(request: web.Request) -> web.StreamResponse:
    config: SfuConfig = request.app["config"]
    registry: RoomRegistry = request.app["registry"]

    try:
        access = verify_join_token(request.query.get("access_token", ""), config.keys)
    except AuthError as error:
        logger.info("Refused signaling connection: %s", error)
        return web.Response(status=401, text=str(error))

    websocket = web.WebSocketResponse(max_msg_size=MAX_SIGNAL_FRAME_BYTES, autoping=True)
    await websocket.prepare(request)
    sender = _Sender(websocket)

    if request.query.get("reconnect") == "1":
        # Resuming a session is not supported; RECONNECT makes the client
        # rejoin from scratch, which it does within a second.
        await sender(protocol.leave(pb.DisconnectReason.STATE_MISMATCH,
                                    action=rtc_pb.LeaveRequest.RECONNECT, can_reconnect=True))
        await websocket.close()
        return websocket

    room = registry.get_or_create(access.video.room)
    limit = config.room.max_participants
    if limit and len(room.participants) >= limit:
        logger.info("room=%s: full (%d); refused %s", room.name, limit, access.identity)
        await sender(protocol.leave(pb.DisconnectReason.JOIN_FAILURE))
        await websocket.close()
        return websocket

    auto_subscribe = request.query.get("auto_subscribe", "1") != "0"
    participant = await room.join(access, auto_subscribe)
    participant.attach_signal(sender)
    ice_servers = _ice_servers(config, access.identity)
    await sender(protocol.join_response(room, participant, ice_servers))
    room.announce(participant)

    watchdog = asyncio.ensure_future(_watch_pings(participant, websocket))
    try:
        await _read_requests(websocket, participant)
    finally:
        watchdog.cancel()
        if not participant.closed and participant.room.participants.get(participant.sid) is participant:
            room.on_signal_closed(participant)
    return websocket


async def _read_requests(websocket: web.WebSocketResponse, participant: Participant) -> None:
    async for message in websocket:
        if message.type == WSMsgType.BINARY:
            request = rtc_pb.SignalRequest()
            try:
                request.ParseFromString(message.data)
            except DecodeError:
                await _close_for_garbage(websocket, participant)
                return
        elif message.type == WSMsgType.TEXT:
            try:
                request = json_format.Parse(message.data, rtc_pb.SignalRequest())
            except (json_format.ParseError, ValueError):
                await _close_for_garbage(websocket, participant)
                return
        else:
            if message.type == WSMsgType.ERROR:
                logger.info("%s: signaling error: %s", participant.label, websocket.exception())
            continue

        if participant.closed:
            return
        try:
            await participant.handle_request(request)
        except Exception:
            logger.exception("%s: failed to handle %s", participant.label,
                             request.WhichOneof("message"))


async def _close_for_garbage(websocket: web.WebSocketResponse, participant: Participant) -> None:
    logger.warning("%s: closing signaling: frame is not a SignalRequest", participant.label)
    await websocket.close(code=1003, message=b"invalid signaling message")


async def _watch_pings(participant: Participant, websocket: web.WebSocketResponse) -> None:
    """Close a connection whose client stopped sending anything, pings included."""
    while True:
        await asyncio.sleep(1)
        silent_for = time.monotonic() - participant.last_signal_at
        if silent_for > protocol.PING_TIMEOUT_S:
            logger.info("%s: no signaling for %.0f s; closing", participant.label, silent_for)
            await websocket.close(code=1001, message=b"ping timeout")
            return


def _ice_servers(config: SfuConfig, identity: str) -> list[rtc_pb.ICEServer]:
    servers = []
    for server in config.rtc.ice_servers:
        username, credential = server.username, server.credential
        if server.shared_secret:
            username, credential = turn_credentials(server.shared_secret, identity,
                                                    server.credential_ttl_s)
        servers.append(rtc_pb.ICEServer(urls=list(server.urls), username=username,
                                        credential=credential))
    return servers


def turn_credentials(shared_secret: str, identity: str, ttl_s: int,
                     now: float | None = None) -> tuple[str, str]:
    """Short-lived TURN credentials for coturn's use-auth-secret mode.

    The username is "<expiry unix time>:<name>" and the password the base64
    HMAC-SHA1 of the username under the shared secret (draft-uberti-behave-turn-rest-00).
    The identity is hashed so that TURN logs do not carry Matrix ids.
    """
    expiry = int((now if now is not None else time.time()) + ttl_s)
    name = hashlib.sha256(identity.encode()).hexdigest()[:16]
    username = f"{expiry}:{name}"
    digest = hmac.new(shared_secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


class _Sender:
    """Serialises SignalResponses onto the WebSocket one at a time."""

    def __init__(self, websocket: web.WebSocketResponse) -> None:
        self._websocket = websocket
        self._lock = asyncio.Lock()

    async def __call__(self, response: rtc_pb.SignalResponse) -> None:
        if self._websocket.closed:
            raise ConnectionError("signaling connection closed")
        async with self._lock:
            await self._websocket.send_bytes(response.SerializeToString())


async def handle_validate(request: web.Request) -> web.Response:
    """GET /rtc/validate: livekit-client asks here why a connection failed."""
    config: SfuConfig = request.app["config"]
    try:
        verify_join_token(request.query.get("access_token", ""), config.keys)
    except AuthError as error:
        return web.Response(status=401, text=str(error))
    return web.Response(text="success")
