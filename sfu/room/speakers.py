# SPDX-License-Identifier: AGPL-3.0-or-later
"""Active and dominant speakers of a room, sent to clients as SpeakersChanged.

Audio levels come from the RFC 6464 header extension of every audio packet
(no decoding). The dominant speaker decides last-N video forwarding and the
recording layout; the list of current speakers drives the clients'
speaking indicators.
"""

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Callable

from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from sfu.rtp.audio_level import linear_level
from sfu.rtp.speaker_detector import DominantSpeakerDetector

if TYPE_CHECKING:
    from sfu.room.participant import Participant
    from sfu.room.room import Room

logger = logging.getLogger(__name__)

DECISION_INTERVAL_S = 0.3
# A participant counts as speaking while its level is above -50 dBov (level < 50).
SPEAKING_THRESHOLD_DBOV = 50
# A participant is silent once no loud packet arrived for this long.
SPEAKING_HOLD_MS = 500


class SpeakerTracker:
    def __init__(self, room: "Room") -> None:
        self._room = room
        self._detector = DominantSpeakerDetector(decision_interval_ms=int(DECISION_INTERVAL_S * 1000))
        self._last_loud: dict[str, tuple[int, int]] = {}  # sid -> (time ms, level dBov)
        self._announced: list[tuple[str, bool]] = []
        self.dominant: str | None = None
        self.on_dominant_change: list[Callable[[str | None], None]] = []
        self._task: asyncio.Task[None] | None = None

    def add(self, participant: "Participant") -> None:
        self._detector.add_speaker(participant.sid)
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    def remove(self, participant: "Participant") -> None:
        self._detector.remove_speaker(participant.sid)
        self._last_loud.pop(participant.sid, None)
        if self.dominant == participant.sid:
            self.dominant = None

    def on_level(self, participant_sid: str, level_dbov: int, now_ms: int) -> None:
        """Record one audio packet's level; called on the media hot path."""
        self._detector.on_level(participant_sid, level_dbov, now_ms)
        if level_dbov < SPEAKING_THRESHOLD_DBOV:
            self._last_loud[participant_sid] = (now_ms, level_dbov)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(DECISION_INTERVAL_S)
            try:
                await self._decide()
            except Exception:
                logger.exception("room=%s: speaker detection failed", self._room.name)

    async def _decide(self) -> None:
        now_ms = int(time.monotonic() * 1000)
        dominant = self._detector.decide(now_ms)
        if dominant != self.dominant:
            self.dominant = dominant
            logger.debug("room=%s: dominant speaker is now %s", self._room.name, dominant)
            for callback in self.on_dominant_change:
                callback(dominant)

        speaking = sorted(
            ((sid, level) for sid, (at, level) in self._last_loud.items()
             if now_ms - at < SPEAKING_HOLD_MS),
            key=lambda item: item[1],
        )
        current = [(sid, True) for sid, _ in speaking]
        if [sid for sid, _ in current] == [sid for sid, _ in self._announced]:
            return

        stopped = [pb.SpeakerInfo(sid=sid, level=0.0, active=False)
                   for sid, _ in self._announced if sid not in dict(current)]
        started = [pb.SpeakerInfo(sid=sid, level=linear_level(level), active=True)
                   for sid, level in speaking]
        self._announced = current
        await self._room.send_to_all(rtc_pb.SignalResponse(
            speakers_changed=rtc_pb.SpeakersChanged(speakers=started + stopped)))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

