# SPDX-License-Identifier: AGPL-3.0-or-later
"""LiveKit-compatible webhooks: room and participant events POSTed to one URL.

The body is the JSON form of livekit.WebhookEvent. The `Authorization`
header carries an HS256 JWT signed with the API secret whose `sha256` claim
is the base64 SHA-256 of the body, as LiveKit signs its webhooks, so the
receiver can check both origin and integrity.
"""

import asyncio
import base64
import hashlib
import logging
import time
import uuid
from typing import TYPE_CHECKING

import aiohttp
import jwt
from google.protobuf import json_format
from livekit.protocol import egress as egress_pb
from livekit.protocol import webhook as webhook_pb

from sfu.config import SfuConfig

if TYPE_CHECKING:
    from sfu.media.published_track import PublishedTrack
    from sfu.room.participant import Participant
    from sfu.room.room import Room

logger = logging.getLogger(__name__)

MAX_QUEUED_EVENTS = 1000
ATTEMPTS = 3
TIMEOUT_S = 5


class WebhookNotifier:
    def __init__(self, config: SfuConfig) -> None:
        self._url = config.webhook.url
        key = config.webhook.api_key or next(iter(config.keys))
        self._api_key = key
        self._secret = config.keys.get(key, "")
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=MAX_QUEUED_EVENTS)
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0

    @property
    def enabled(self) -> bool:
        return bool(self._url)

    def start(self) -> None:
        if self.enabled and self._task is None:
            self._task = asyncio.ensure_future(self._deliver_forever())
            logger.info("Webhooks go to %s", self._url)

    async def stop(self) -> None:
        if self._task is None:
            return
        # Give queued events (room_finished at shutdown) a moment to go out.
        try:
            await asyncio.wait_for(self._queue.join(), timeout=TIMEOUT_S)
        except asyncio.TimeoutError:
            logger.warning("Stopping with %d undelivered webhook events", self._queue.qsize())
        self._task.cancel()

    # Events --------------------------------------------------------------------

    def room_event(self, event: str, room: "Room") -> None:
        self._enqueue(webhook_pb.WebhookEvent(event=event, room=room.to_proto()))

    def participant_event(self, event: str, room: "Room", participant: "Participant") -> None:
        self._enqueue(webhook_pb.WebhookEvent(
            event=event, room=room.to_proto(), participant=participant.to_proto()))

    def track_event(self, event: str, room: "Room", participant: "Participant",
                    track: "PublishedTrack") -> None:
        self._enqueue(webhook_pb.WebhookEvent(
            event=event, room=room.to_proto(), participant=participant.to_proto(),
            track=track.to_proto()))

    def egress_event(self, event: str, info: egress_pb.EgressInfo) -> None:
        """Report a recording's start or end (`egress_started`, `egress_ended`)."""
        self._enqueue(webhook_pb.WebhookEvent(event=event, egress_info=info))

    def _enqueue(self, event: webhook_pb.WebhookEvent) -> None:
        if not self.enabled:
            return
        event.id = "EV_" + uuid.uuid4().hex[:12]
        event.created_at = int(time.time())
        body = json_format.MessageToJson(event, indent=None).encode()
        try:
            self._queue.put_nowait(body)
        except asyncio.QueueFull:
            self.dropped += 1
            logger.warning("Webhook queue full; dropped %s (%d dropped so far)", event.event,
                           self.dropped)

    # Delivery ------------------------------------------------------------------

    def sign(self, body: bytes) -> str:
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        now = int(time.time())
        return jwt.encode({"iss": self._api_key, "nbf": now - 10, "exp": now + 300,
                           "sha256": digest}, self._secret, algorithm="HS256")

    async def _deliver_forever(self) -> None:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                body = await self._queue.get()
                try:
                    await self._deliver(session, body)
                finally:
                    self._queue.task_done()

    async def _deliver(self, session: aiohttp.ClientSession, body: bytes) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            headers = {"Authorization": self.sign(body),
                       "Content-Type": "application/webhook+json"}
            try:
                async with session.post(self._url, data=body, headers=headers) as response:
                    if response.status < 300:
                        return
                    logger.warning("Webhook answered HTTP %d (attempt %d/%d)",
                                   response.status, attempt, ATTEMPTS)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.warning("Webhook delivery failed (attempt %d/%d): %s",
                               attempt, ATTEMPTS, error)
            await asyncio.sleep(0.5 * attempt)
        logger.error("Gave up delivering a webhook event after %d attempts", ATTEMPTS)
