# SPDX-License-Identifier: AGPL-3.0-or-later
"""A LiveKit v0 signaling client over aiohttp, for tests and the load generator."""

import asyncio
import time
from typing import Any

import aiohttp
from livekit.protocol import rtc as rtc_pb


class SignalClient:
    """One signaling WebSocket: send SignalRequests, wait for SignalResponses by kind."""

    def __init__(self, url: str, token: str, auto_subscribe: bool = True) -> None:
        query = f"access_token={token}&auto_subscribe={1 if auto_subscribe else 0}&protocol=16"
        self.url = f"{url}/rtc?{query}"
        self._session: aiohttp.ClientSession | None = None
        self._websocket: aiohttp.ClientWebSocketResponse | None = None
        self._responses: asyncio.Queue[rtc_pb.SignalResponse] = asyncio.Queue()
        self.received: list[rtc_pb.SignalResponse] = []
        self._reader: asyncio.Task[None] | None = None
        self.join: rtc_pb.JoinResponse | None = None
        self.close_code: int | None = None

    async def connect(self, timeout_s: float = 10) -> rtc_pb.JoinResponse:
        self._session = aiohttp.ClientSession()
        self._websocket = await self._session.ws_connect(self.url, timeout=aiohttp.ClientWSTimeout(ws_close=timeout_s))
        self._reader = asyncio.ensure_future(self._read())
        first = await self.next_response(timeout_s)
        if first.WhichOneof("message") != "join":
            raise AssertionError(f"first message was {first.WhichOneof('message')}, not join")
        self.join = first.join
        return first.join

    async def _read(self) -> None:
        assert self._websocket is not None
        async for message in self._websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                response = rtc_pb.SignalResponse()
                response.ParseFromString(message.data)
                self.received.append(response)
                await self._responses.put(response)
        self.close_code = self._websocket.close_code

    async def next_response(self, timeout_s: float = 10) -> rtc_pb.SignalResponse:
        return await asyncio.wait_for(self._responses.get(), timeout_s)

    async def wait_for(self, kind: str, timeout_s: float = 10, predicate: Any = None) -> Any:
        """Return the next response of `kind` (its inner message) that satisfies `predicate`."""
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise asyncio.TimeoutError(f"no {kind} within {timeout_s} s")
            response = await self.next_response(remaining)
            if response.WhichOneof("message") == kind:
                inner = getattr(response, kind)
                if predicate is None or predicate(inner):
                    return inner

    async def send(self, request: rtc_pb.SignalRequest) -> None:
        assert self._websocket is not None
        await self._websocket.send_bytes(request.SerializeToString())

    async def send_raw(self, data: bytes | str) -> None:
        assert self._websocket is not None
        if isinstance(data, str):
            await self._websocket.send_str(data)
        else:
            await self._websocket.send_bytes(data)

    async def ping(self) -> None:
        await self.send(rtc_pb.SignalRequest(ping_req=rtc_pb.Ping(timestamp=int(time.time() * 1000))))

    @property
    def closed(self) -> bool:
        return self._websocket is None or self._websocket.closed

    async def wait_closed(self, timeout_s: float = 10) -> int | None:
        if self._reader is not None:
            await asyncio.wait_for(asyncio.shield(self._reader), timeout_s)
        return self.close_code

    async def close(self) -> None:
        if self._websocket is not None:
            await self._websocket.close()
        if self._reader is not None:
            self._reader.cancel()
        if self._session is not None:
            await self._session.close()

    def abort(self) -> None:
        """Drop the TCP connection without a close frame, as a crashed client would."""
        if self._websocket is not None:
            transport = self._websocket._response.connection.transport  # type: ignore[union-attr]
            if transport is not None:
                transport.abort()
