# SPDX-License-Identifier: AGPL-3.0-or-later
"""A synthetic participant in a meeting's call, run on its own event loop thread.

Synapse-level tests are synchronous; this keeps a SyntheticParticipant
sending real VP8 and Opus in the background while the test makes HTTP
calls. The SFU token comes from the Hubs token service, as a client's
would, so the module has a record of the participant's identity and room.
"""

import asyncio
import threading
from typing import Any

import jwt

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.opus_tone import encode_tone
from bench.loadgen.synthetic_participant import SyntheticParticipant
from tests.harness.hubs_api import request_sfu_get
from tests.harness.matrix_client import MatrixClient


class BackgroundCall:
    def __init__(self, base_url: str, member: MatrixClient, room_id: str, tone_hz: float = 440.0) -> None:
        response = request_sfu_get(base_url, {
            "room": room_id, "openid_token": member.openid_token(), "device_id": member.device_id,
        })
        assert response.status_code == 200, response.text
        body = response.json()
        self.url = body["url"]
        self.jwt = body["jwt"]
        claims: dict[str, Any] = jwt.decode(self.jwt, options={"verify_signature": False})
        self.identity = claims["sub"]
        self.livekit_room = claims["video"]["room"]
        self._tone_hz = tone_hz
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.participant: SyntheticParticipant | None = None

    def start(self, timeout_s: float = 60) -> "BackgroundCall":
        # Encoding takes seconds on a busy machine; do it before joining.
        layers = encode_layers(DEFAULT_LAYERS[:2], frame_count=60)
        tone = encode_tone(self._tone_hz)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._join(layers, tone), self._loop).result(timeout_s)
        return self

    async def _join(self, layers, tone) -> None:
        participant = SyntheticParticipant(self.url, self.jwt, self.identity)
        participant.audio_payloads = tone
        await participant.join()
        await participant.publish(audio=True, video=layers)
        self.participant = participant

    def leave(self, timeout_s: float = 30) -> None:
        """Leave the call with a LeaveRequest, then stop the loop."""
        if self.participant is not None:
            asyncio.run_coroutine_threadsafe(self.participant.leave(), self._loop).result(timeout_s)
            self.participant = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout_s)
