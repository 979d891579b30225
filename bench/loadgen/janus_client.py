# SPDX-License-Identifier: AGPL-3.0-or-later
"""A synthetic participant of a Janus VideoRoom, over Janus's plain-HTTP API on loopback.

It reuses SyntheticParticipant's transports and pre-encoded media, so Janus
receives the same packets as our SFU in the same scenario. Only the
signaling differs. Signaling follows the Janus HTTP API of Janus 1.1: POST `create`
for a session, `attach` to janus.plugin.videoroom for a handle, plugin
`message` requests answered by `ack` and later by an event, and events
fetched with a long-poll GET on the session. A publisher joins with ptype
publisher and sends `publish` with a JSEP offer; a subscriber joins with
ptype subscriber and a list of feeds, gets Janus's offer and replies with
`start` and an answer.
"""

import asyncio
import logging
import secrets
from typing import Any

import aiohttp

from bench.loadgen import client_sdp
from bench.loadgen.media_source import EncodedLayer
from bench.loadgen.synthetic_participant import (
    PublishedLayerState,
    SyntheticParticipant,
)
from sfu.room.ids import random_ssrc
from sfu.webrtc import sdp

logger = logging.getLogger(__name__)

PLUGIN = "janus.plugin.videoroom"
KEEPALIVE_INTERVAL_S = 25


class JanusError(RuntimeError):
    """Janus returned an error for a request."""


class JanusSession:
    """One Janus session with one plugin handle, and its long-poll event loop."""

    def __init__(self, http: aiohttp.ClientSession, url: str, label: str) -> None:
        self._http = http
        self._url = url
        self.label = label
        self.session_id = 0
        self.handle_id = 0
        self._waiting: dict[str, asyncio.Future] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []

    async def open(self) -> None:
        """Create the session, attach the VideoRoom plugin and start polling for events."""
        created = await self._post(self._url, {"janus": "create"})
        self.session_id = created["data"]["id"]
        self._tasks.append(asyncio.ensure_future(self._poll()))
        self._tasks.append(asyncio.ensure_future(self._keepalive()))
        attached = await self._post(f"{self._url}/{self.session_id}",
                                    {"janus": "attach", "plugin": PLUGIN})
        self.handle_id = attached["data"]["id"]

    async def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "transaction": secrets.token_hex(8)}
        async with self._http.post(url, json=body) as response:
            reply = await response.json(content_type=None)
        if reply.get("janus") == "error":
            raise JanusError(f"{self.label}: {body['janus']} failed: {reply.get('error')}")
        return reply

    async def request(self, body: dict[str, Any], jsep: dict[str, str] | None = None,
                      timeout_s: float = 20) -> tuple[dict[str, Any], dict[str, str] | None]:
        """Send a plugin message and return (plugin data, jsep) of its reply event.

        Synchronous VideoRoom requests (create, list) are answered in the
        HTTP reply; asynchronous ones (join, publish, start) with `ack`
        there and with an event carrying the same transaction later.
        """
        transaction = secrets.token_hex(8)
        message: dict[str, Any] = {"janus": "message", "body": body, "transaction": transaction}
        if jsep is not None:
            message["jsep"] = jsep
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[transaction] = waiter
        try:
            async with self._http.post(self._handle_url, json=message) as response:
                reply = await response.json(content_type=None)
            if reply.get("janus") == "success":
                return self._plugin_data(reply), reply.get("jsep")
            if reply.get("janus") != "ack":
                raise JanusError(f"{self.label}: {body.get('request')} failed: {reply}")
            event = await asyncio.wait_for(waiter, timeout_s)
            return self._plugin_data(event), event.get("jsep")
        finally:
            self._waiting.pop(transaction, None)

    def _plugin_data(self, reply: dict[str, Any]) -> dict[str, Any]:
        data = reply.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise JanusError(f"{self.label}: VideoRoom error {data.get('error_code')}: {data['error']}")
        return data

    async def trickle_completed(self) -> None:
        """Tell Janus that all our candidates were in the SDP."""
        await self._post(self._handle_url, {"janus": "trickle", "candidate": {"completed": True}})

    @property
    def _handle_url(self) -> str:
        return f"{self._url}/{self.session_id}/{self.handle_id}"

    async def _poll(self) -> None:
        url = f"{self._url}/{self.session_id}?maxev=10"
        while True:
            try:
                async with self._http.get(url) as response:
                    reply = await response.json(content_type=None)
            except (TimeoutError, aiohttp.ClientError) as error:
                logger.warning("%s: event poll failed: %s; retrying", self.label, error)
                await asyncio.sleep(0.5)
                continue
            for event in reply if isinstance(reply, list) else [reply]:
                self._dispatch(event)

    def _dispatch(self, event: dict[str, Any]) -> None:
        kind = event.get("janus")
        if kind == "keepalive":
            return
        waiter = self._waiting.get(event.get("transaction", ""))
        if kind == "event" and waiter is not None and not waiter.done():
            waiter.set_result(event)
            return
        if kind in ("hangup", "detached"):
            logger.warning("%s: Janus sent %s (%s)", self.label, kind, event.get("reason", ""))
        self.events.put_nowait(event)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_INTERVAL_S)
            try:
                await self._post(f"{self._url}/{self.session_id}", {"janus": "keepalive"})
            except (aiohttp.ClientError, JanusError) as error:
                logger.warning("%s: keepalive failed: %s", self.label, error)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.session_id:
            try:
                await self._post(f"{self._url}/{self.session_id}", {"janus": "destroy"})
            except (aiohttp.ClientError, JanusError) as error:
                logger.debug("%s: destroy failed: %s", self.label, error)


async def create_room(http: aiohttp.ClientSession, url: str, room: int, publishers: int) -> None:
    """Create a VideoRoom for the scenario: VP8 and Opus, audio-level extension on, no bitrate cap."""
    session = JanusSession(http, url, "room-creator")
    await session.open()
    try:
        await session.request({
            "request": "create", "room": room, "publishers": publishers,
            "videocodec": "vp8", "audiocodec": "opus", "audiolevel_ext": True,
            "bitrate": 0, "fir_freq": 0, "notify_joining": False, "permanent": False,
        })
    finally:
        await session.close()


class JanusParticipant(SyntheticParticipant):
    """A SyntheticParticipant whose signaling is the Janus VideoRoom API."""

    def __init__(self, http: aiohttp.ClientSession, url: str, room: int, identity: str,
                 address: str = "127.0.0.1") -> None:
        super().__init__("ws://unused", "", identity, address=address)
        self.simulcast = False
        self.room = room
        self.janus = JanusSession(http, url, identity)
        self.feed_id = 0

    async def join(self) -> None:  # type: ignore[override]
        await self.janus.open()
        await asyncio.gather(self.publisher.gather(), self.subscriber.gather())

    async def publish(self, audio: bool = True, video: list[EncodedLayer] | None = None,
                      fps: int = 30, **_: Any) -> None:
        """Join as publisher and send audio plus `video`: one encoding, or rid simulcast of several.

        The offer lists the rids lowest layer first, so its JSEP declares
        the order "lmh" (Janus's default is highest first).
        """
        joined, _ = await self.janus.request({"request": "join", "ptype": "publisher",
                                              "room": self.room, "display": self.identity})
        self.feed_id = joined["id"]
        video = video or []
        self.simulcast = len(video) > 1
        self.layers = [PublishedLayerState(layer, random_ssrc(), random_ssrc()) for layer in video]
        offer = self._publisher_offer("audio" if audio else None, "video" if video else None)
        jsep = {"type": "offer", "sdp": sdp.write(offer, 1, 1)}
        if self.simulcast:
            jsep["rid_order"] = "lmh"
        _, answer = await self.janus.request(
            {"request": "publish", "audio": audio, "video": bool(video)}, jsep)
        if answer is None:
            raise JanusError(f"{self.identity}: publish returned no JSEP answer")
        await self.janus.trickle_completed()

        logger.debug("%s: answer %s", self.identity, answer["sdp"])
        description = sdp.parse(answer["sdp"])
        # The answerer picks the DTLS role: setup:active makes us the DTLS server.
        role = "client" if description.media[0].setup == "passive" else "server"
        self._follow_trickle(self.publisher)
        await self._start(self.publisher, description, dtls_role=role)
        await self._start_sending(audio, bool(video), fps)

    async def subscribe(self, feeds: list[int], substream: int | None = None) -> None:
        """Join as subscriber to every stream of `feeds` on one PeerConnection.

        `substream` fixes the simulcast layer of every video stream (0 is
        the lowest); without it Janus forwards the highest.
        """
        streams = [{"feed": feed} for feed in feeds]
        if substream is not None:
            streams = [{**stream, "substream": substream} for stream in streams]
        _, offer = await self.janus.request({
            "request": "join", "ptype": "subscriber", "room": self.room, "streams": streams})
        if offer is None:
            raise JanusError(f"{self.identity}: subscriber join returned no JSEP offer")
        description = sdp.parse(offer["sdp"])
        answer = client_sdp.subscriber_answer(description, self._endpoint(self.subscriber))
        # Start ICE before Janus gets the answer, as a browser does after
        # setLocalDescription; otherwise Janus's first checks go unanswered and
        # libnice retries only after about a second.
        self._follow_trickle(self.subscriber)
        await self._start(self.subscriber, description, dtls_role="client")
        await self.janus.request({"request": "start"},
                                 {"type": "answer", "sdp": sdp.write(answer, 1, 1)})
        await self.janus.trickle_completed()

    def _follow_trickle(self, transport) -> None:
        """Add candidates Janus trickles after its SDP (only sent in full-trickle mode)."""
        async def follow() -> None:
            while True:
                event = await self.janus.events.get()
                candidate = event.get("candidate") if event.get("janus") == "trickle" else None
                if candidate and candidate.get("candidate"):
                    await transport.add_remote_candidate(candidate["candidate"])

        self._tasks.append(asyncio.ensure_future(follow()))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.janus.close()
        await self.publisher.close()
        await self.subscriber.close()

