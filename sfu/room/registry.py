# SPDX-License-Identifier: AGPL-3.0-or-later
"""All rooms of this SFU node, created on first join and closed when empty."""

import asyncio
import logging

from livekit.protocol import models as pb

from sfu.admin.webhooks import WebhookNotifier
from sfu.config import SfuConfig
from sfu.room.room import Room

logger = logging.getLogger(__name__)


class RoomRegistry:
    def __init__(self, config: SfuConfig, webhooks: WebhookNotifier) -> None:
        self.config = config
        self.webhooks = webhooks
        self.rooms: dict[str, Room] = {}
        self._empty_timers: dict[str, asyncio.TimerHandle] = {}

    def get_or_create(self, name: str) -> Room:
        room = self.rooms.get(name)
        if room is None or room.closed:
            room = Room(name, self.config, self, self.webhooks)
            self.rooms[name] = room
            logger.info("room=%s: created (%s)", name, room.sid)
            self.webhooks.room_event("room_started", room)
        timer = self._empty_timers.pop(name, None)
        if timer is not None:
            timer.cancel()
        return room

    def room_emptied(self, room: Room) -> None:
        timeout = self.config.room.empty_timeout_s
        loop = asyncio.get_running_loop()
        self._empty_timers[room.name] = loop.call_later(
            timeout, lambda: asyncio.ensure_future(self._close_if_empty(room)))

    async def _close_if_empty(self, room: Room) -> None:
        self._empty_timers.pop(room.name, None)
        if room.participants or self.rooms.get(room.name) is not room:
            return
        del self.rooms[room.name]
        await room.close()

    async def delete(self, name: str) -> bool:
        room = self.rooms.pop(name, None)
        if room is None:
            return False
        await room.close(pb.DisconnectReason.ROOM_DELETED)
        return True

    async def shutdown(self) -> None:
        """Tell every participant the server is going away, then close all rooms."""
        for timer in self._empty_timers.values():
            timer.cancel()
        for room in list(self.rooms.values()):
            await room.close(pb.DisconnectReason.SERVER_SHUTDOWN)
        self.rooms.clear()
