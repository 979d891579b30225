# SPDX-License-Identifier: AGPL-3.0-or-later
"""The two systems under test behind one interface: start, stop, publish, subscribe.

Both adapters produce participants that send the same pre-encoded media
through the same transport code (SyntheticParticipant); only signaling
differs. Every subscriber gets a ReceptionCounter before it connects, so
its first media packet marks the end of its join.
"""

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import aiohttp

from bench.janus_server import JanusServer
from bench.loadgen.janus_client import JanusParticipant, create_room
from bench.loadgen.media_source import EncodedLayer
from bench.loadgen.reception_counter import ReceptionCounter
from bench.loadgen.synthetic_participant import SyntheticParticipant
from tests.harness.sfu import SfuServer

ROOM_NAME = "bench"
JANUS_ROOM = 1234
# RFC 6464 audio level (-dBov) for a time.monotonic() instant.
AudioLevel = Callable[[float], int]


class SystemUnderTest(Protocol):
    name: str
    pid: int

    def start(self) -> None: ...
    def stop(self) -> None: ...
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def publisher(self, identity: str, video: list[EncodedLayer],
                        audio_level: AudioLevel | None = None,
                        dtx: bool = False) -> SyntheticParticipant: ...
    async def subscriber(self, identity: str, counter_sample_every: int, video_layer: int
                         ) -> tuple[SyntheticParticipant, ReceptionCounter]: ...


def _prepare_publisher(participant: SyntheticParticipant, video: list[EncodedLayer],
                       audio_level: AudioLevel | None, dtx: bool) -> None:
    """Settings both systems' publishers share: simulcast, send-time trailer, speech and DTX."""
    participant.simulcast = len(video) > 1
    participant.send_time_trailer = True
    participant.audio_dtx = dtx
    if audio_level is not None:
        participant.audio_level = audio_level


class OurSfu:
    """`python -m sfu` with its LiveKit signaling; every participant subscribes to all tracks.

    `last_n` > 0 turns on the SFU's last-N: camera video only from that
    many most recent speakers.
    """

    name = "ours"

    def __init__(self, data_dir: Path, sut_address: str, generator_address: str,
                 last_n: int = 0) -> None:
        self._data_dir = Path(tempfile.mkdtemp(prefix="sfu-", dir=data_dir))
        self._sut_address = sut_address
        self._generator_address = generator_address
        self._last_n = last_n
        self.server: SfuServer | None = None
        self.pid = 0

    def start(self) -> None:
        self.server = SfuServer(self._data_dir, rtc={"announce_addresses": [self._sut_address]},
                                room={"last_n": self._last_n}, log_level="INFO")
        self.server.start()
        self.pid = self.server.process.pid

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def _participant(self, identity: str) -> SyntheticParticipant:
        assert self.server is not None
        return SyntheticParticipant(self.server.ws_url, self.server.token(identity, ROOM_NAME),
                                    identity, address=self._generator_address)

    async def publisher(self, identity: str, video: list[EncodedLayer],
                        audio_level: AudioLevel | None = None,
                        dtx: bool = False) -> SyntheticParticipant:
        participant = self._participant(identity)
        _prepare_publisher(participant, video, audio_level, dtx)
        await participant.join()
        await participant.publish(audio=True, video=video)
        return participant

    async def subscriber(self, identity: str, counter_sample_every: int, video_layer: int
                         ) -> tuple[SyntheticParticipant, ReceptionCounter]:
        """Join and request simulcast layer `video_layer` of every video track (LiveKit's VideoQuality)."""
        participant = self._participant(identity)
        participant.video_quality = video_layer
        counter = ReceptionCounter(participant.subscriber, counter_sample_every)
        await participant.join()
        return participant, counter


class Janus:
    """Debian's Janus with the VideoRoom plugin; subscribers take every stream of every publisher.

    Janus has no last-N, so its subscribers receive every publisher's
    video, at the fixed simulcast substream the step requests.
    """

    name = "janus"

    def __init__(self, data_dir: Path, generator_address: str, ice_interface: str,
                 max_publishers: int, event_loops: int = 0) -> None:
        self._data_dir = Path(tempfile.mkdtemp(prefix="janus-", dir=data_dir))
        self._generator_address = generator_address
        self._ice_interface = ice_interface
        self._event_loops = event_loops
        self._max_publishers = max_publishers
        self.server: JanusServer | None = None
        self.pid = 0
        self._http: aiohttp.ClientSession | None = None
        self._feeds: list[int] = []

    def start(self) -> None:
        self.server = JanusServer(self._data_dir, self._ice_interface, self._event_loops)
        self.server.start()
        self.pid = self.server.pid

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    async def open(self) -> None:
        assert self.server is not None
        # Every participant keeps a long poll open, so the pool must not cap connections.
        self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self._feeds = []
        await create_room(self._http, self.server.url, JANUS_ROOM, self._max_publishers)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    def _participant(self, identity: str) -> JanusParticipant:
        assert self.server is not None and self._http is not None
        return JanusParticipant(self._http, self.server.url, JANUS_ROOM, identity,
                                address=self._generator_address)

    async def publisher(self, identity: str, video: list[EncodedLayer],
                        audio_level: AudioLevel | None = None,
                        dtx: bool = False) -> SyntheticParticipant:
        participant = self._participant(identity)
        _prepare_publisher(participant, video, audio_level, dtx)
        await participant.join()
        await participant.publish(audio=True, video=video)
        self._feeds.append(participant.feed_id)
        return participant

    async def subscriber(self, identity: str, counter_sample_every: int, video_layer: int
                         ) -> tuple[SyntheticParticipant, ReceptionCounter]:
        participant = self._participant(identity)
        counter = ReceptionCounter(participant.subscriber, counter_sample_every)
        await participant.join()
        await participant.subscribe(list(self._feeds), substream=video_layer)
        return participant, counter
