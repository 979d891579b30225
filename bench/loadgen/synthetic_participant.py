# SPDX-License-Identifier: AGPL-3.0-or-later
"""A LiveKit participant in Python: signaling, ICE/DTLS-SRTP and pre-encoded media.

Used by tests (exact control over RTP, RTCP and timing) and by the load
generator. It reuses the SFU's own transport and SDP code for the client
side: it offers on its publisher connection like livekit-client, answers
the SFU's subscriber offers, sends pre-encoded VP8 simulcast and
Opus-sized audio packets, and counts what it receives without decoding.
"""

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from bench.loadgen import client_sdp
from bench.loadgen.media_source import EncodedLayer, with_picture_id
from bench.loadgen.send_time_trailer import append_send_time
from bench.loadgen.signal_client import SignalClient
from sfu.room.ids import random_ssrc
from sfu.rtp import rtcp
from sfu.rtp.header import (
    FIXED_HEADER,
    encode_audio_level,
    encode_extension_block,
    encode_transport_sequence,
    parse_fixed,
    payload_offset,
)
from sfu.webrtc import ice_addresses, sdp
from sfu.webrtc.peer_transport import PeerTransport, RemoteParameters

logger = logging.getLogger(__name__)

AUDIO_FRAME_MS = 20
# The size of a 24 kbit/s Opus frame, sent unless `audio_payloads` contains real Opus.
AUDIO_PAYLOAD = bytes(range(60))
# libopus DTX sends about one frame every 400 ms during silence.
DTX_INTERVAL_FRAMES = 20
# RFC 6464 levels (-dBov) above this count as silence for DTX.
SILENCE_LEVEL = 90


@dataclass
class ReceivedStream:
    """What one subscriber received on one SSRC."""

    ssrc: int
    track_sid: str = ""
    kind: str = ""
    packets: int = 0
    octets: int = 0
    first_at: float = 0.0
    last_at: float = 0.0
    # (arrival time, sequence, timestamp, marker, payload) of every packet, when recording is on.
    log: list[tuple[float, int, int, bool, bytes]] = field(default_factory=list)


@dataclass
class PublishedLayerState:
    layer: EncodedLayer
    ssrc: int
    rtx_ssrc: int
    sequence: int = field(default_factory=lambda: random_ssrc() & 0xFFFF)
    timestamp: int = field(default_factory=lambda: random_ssrc())
    frame_index: int = 0
    picture_id: int = 0
    sending: bool = True
    plis: list[float] = field(default_factory=list)


class SyntheticParticipant:
    def __init__(self, sfu_url: str, token: str, identity: str, record: bool = False,
                 address: str = "127.0.0.1") -> None:
        ice_addresses.use_addresses([address])
        self.identity = identity
        self.signal = SignalClient(sfu_url, token)
        self.publisher = PeerTransport(f"{identity} publisher", ice_controlling=True, with_sctp=False)
        self.subscriber = PeerTransport(f"{identity} subscriber", ice_controlling=False, with_sctp=False)
        self.record = record
        self.responses: list[rtc_pb.SignalResponse] = []
        self.received: dict[int, ReceivedStream] = {}
        self._ssrc_tracks: dict[int, tuple[str, str]] = {}  # ssrc -> (track sid, kind)
        self.track_sids: dict[str, str] = {}  # cid -> TR_ sid of own tracks
        self.refused_cids: list[str] = []
        self.audio_cid: str | None = None
        self.video_cid: str | None = None
        self.video_source: int = pb.TrackSource.CAMERA
        self._offer_id = 0
        self.layers: list[PublishedLayerState] = []
        self.audio_ssrc = random_ssrc()
        self.audio_sequence = random_ssrc() & 0xFFFF
        self.audio_timestamp = random_ssrc()
        self.audio_level: Callable[[float], int] = lambda now: 30
        self.audio_sending = True
        # Sent in turn, one per 20 ms packet; bench/loadgen/opus_tone.py encodes real Opus.
        self.audio_payloads: list[bytes] = [AUDIO_PAYLOAD]
        self._audio_index = 0
        self.transport_sequence = 0
        self.sender_ssrc = random_ssrc()
        self.rtcp_received: list[tuple[float, int, int]] = []  # (time, type, fmt) on publisher side
        self._tasks: list[asyncio.Task] = []
        self.publisher.on_rtcp = self._on_publisher_rtcp
        self.subscriber.on_rtp = self._on_subscriber_rtp
        self.participant_sid = ""
        self.video_mid = b"1"
        # When set, every payload ends with the send time, for latency measurements.
        self.send_time_trailer = False
        # False sends one encoding without a=rid lines or the rid extension.
        self.simulcast = True
        # Opus DTX: while the level reads as silence, send one packet per DTX_INTERVAL_FRAMES.
        self.audio_dtx = False
        # When set, ask the SFU for this simulcast layer (a VideoQuality) of every
        # video track offered, as livekit-client's adaptive stream does for tiles.
        self.video_quality: int | None = None
        self._quality_requested: set[str] = set()

    # Joining -----------------------------------------------------------------

    async def join(self) -> rtc_pb.JoinResponse:
        join = await self.signal.connect()
        self.participant_sid = join.participant.sid
        await asyncio.gather(self.publisher.gather(), self.subscriber.gather())
        self._tasks.append(asyncio.ensure_future(self._dispatch()))
        self._tasks.append(asyncio.ensure_future(self._ping()))
        return join

    async def _dispatch(self) -> None:
        while True:
            response = await self.signal.next_response(timeout_s=3600)
            self.responses.append(response)
            kind = response.WhichOneof("message")
            try:
                if kind == "offer":
                    await self._answer_subscriber(response.offer)
                elif kind == "answer":
                    await self._start_publisher(response.answer)
            except Exception:
                logger.exception("%s: handling %s failed", self.identity, kind)

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(5)
            await self.signal.ping()

    async def wait_for(self, kind: str, predicate: Callable = lambda inner: True,
                       timeout_s: float = 10, after: int = 0):
        """Wait for a signal response of `kind` (index >= `after`) matching `predicate`."""
        deadline = time.monotonic() + timeout_s
        while True:
            for response in self.responses[after:]:
                if response.WhichOneof("message") == kind and predicate(getattr(response, kind)):
                    return getattr(response, kind)
            if time.monotonic() > deadline:
                raise asyncio.TimeoutError(f"{self.identity}: no {kind} within {timeout_s} s")
            await asyncio.sleep(0.05)

    # Publishing ----------------------------------------------------------------

    async def publish(self, audio: bool = True, video: list[EncodedLayer] | None = None,
                      source: int = pb.TrackSource.CAMERA, fps: int = 30,
                      encryption: int = pb.Encryption.NONE, send_if_refused: bool = False) -> None:
        """Announce and start sending tracks; `encryption` is only declared, nothing is encrypted.

        With `send_if_refused` a track the SFU refuses at AddTrack is sent
        anyway, as a misbehaving client would; its cid goes to `refused_cids`.
        """
        audio_cid = "audio-" + uuid.uuid4().hex[:8] if audio else None
        video_cid = "video-" + uuid.uuid4().hex[:8] if video else None
        if audio_cid:
            await self.signal.send(rtc_pb.SignalRequest(add_track=rtc_pb.AddTrackRequest(
                cid=audio_cid, name="microphone", type=pb.TrackType.AUDIO,
                source=pb.TrackSource.MICROPHONE, encryption=encryption)))
        if video_cid:
            top = video[-1].spec
            layers = [pb.VideoLayer(quality=index, width=l.spec.width, height=l.spec.height,
                                    bitrate=l.spec.bitrate) for index, l in enumerate(video)]
            await self.signal.send(rtc_pb.SignalRequest(add_track=rtc_pb.AddTrackRequest(
                cid=video_cid, name="camera", type=pb.TrackType.VIDEO, source=source,
                width=top.width, height=top.height, layers=layers, encryption=encryption)))
            self.layers = [PublishedLayerState(layer, random_ssrc(), random_ssrc()) for layer in video]

        for cid in filter(None, (audio_cid, video_cid)):
            if send_if_refused:
                await self._wait_published_or_refused(cid)
                continue
            published = await self.wait_for("track_published", lambda p, cid=cid: p.cid == cid)
            self.track_sids[cid] = published.track.sid

        self.audio_cid, self.video_cid, self.video_source = audio_cid, video_cid, source
        await self._send_offer()
        await self._start_sending(audio, bool(video), fps)

    def _publisher_offer(self, audio_cid: str | None, video_cid: str | None) -> sdp.SessionDescription:
        endpoint = self._endpoint(self.publisher)
        if self.simulcast:
            return client_sdp.publisher_offer(endpoint, audio_cid, self.audio_ssrc, video_cid,
                                              [state.layer.spec.rid for state in self.layers])
        video_ssrc = self.layers[0].ssrc if self.layers else None
        return client_sdp.publisher_offer(endpoint, audio_cid, self.audio_ssrc, video_cid, [],
                                          video_ssrc=video_ssrc)

    async def _start_sending(self, audio: bool, video: bool, fps: int) -> None:
        """Wait for the publisher connection, then start the audio and video send loops."""
        await self._wait_connected(self.publisher)
        # client_sdp numbers the m-sections in order: audio first when present.
        self.video_mid = b"1" if audio else b"0"
        if audio:
            self._tasks.append(asyncio.ensure_future(self._send_audio()))
        if video:
            self._tasks.append(asyncio.ensure_future(self._send_video(fps)))

    async def _wait_published_or_refused(self, cid: str, timeout_s: float = 10) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for response in self.responses:
                kind = response.WhichOneof("message")
                if kind == "track_published" and response.track_published.cid == cid:
                    self.track_sids[cid] = response.track_published.track.sid
                    return
                if kind == "request_response" and response.request_response.add_track.cid == cid:
                    self.refused_cids.append(cid)
                    return
            await asyncio.sleep(0.05)
        raise asyncio.TimeoutError(f"{self.identity}: no response to AddTrack {cid}")

    async def _send_offer(self) -> None:
        self._offer_id += 1
        offer = self._publisher_offer(self.audio_cid, self.video_cid)
        await self.signal.send(rtc_pb.SignalRequest(offer=rtc_pb.SessionDescription(
            type="offer", sdp=sdp.write(offer, 1, self._offer_id), id=self._offer_id)))

    async def republish(self, kind: str) -> bool:
        """Announce a new track on the running audio or video m-section and renegotiate.

        This is what livekit-client does to publish again after the SFU
        unpublished a track. Media keeps flowing on the same SSRCs
        throughout. Returns False when the SFU refuses the AddTrack.
        """
        cid = f"{kind}-" + uuid.uuid4().hex[:8]
        if kind == "audio":
            request = rtc_pb.AddTrackRequest(cid=cid, name="microphone", type=pb.TrackType.AUDIO,
                                             source=pb.TrackSource.MICROPHONE)
        else:
            top = self.layers[-1].layer.spec
            request = rtc_pb.AddTrackRequest(
                cid=cid, name="camera", type=pb.TrackType.VIDEO, source=self.video_source,
                width=top.width, height=top.height,
                layers=[pb.VideoLayer(quality=index, width=state.layer.spec.width,
                                      height=state.layer.spec.height,
                                      bitrate=state.layer.spec.bitrate)
                        for index, state in enumerate(self.layers)])
        await self.signal.send(rtc_pb.SignalRequest(add_track=request))
        await self._wait_published_or_refused(cid)
        if cid in self.refused_cids:
            return False
        if kind == "audio":
            self.audio_cid = cid
        else:
            self.video_cid = cid
        await self._send_offer()
        await self.wait_for("answer", lambda answer: answer.id == self._offer_id)
        return True

    async def _start_publisher(self, answer: rtc_pb.SessionDescription) -> None:
        description = sdp.parse(answer.sdp)
        await self._start(self.publisher, description, dtls_role="server")

    async def _start(self, transport: PeerTransport, description: sdp.SessionDescription,
                     dtls_role: str) -> None:
        first = description.media[0]
        for media in description.media:
            for candidate in media.candidates:
                await transport.add_remote_candidate(candidate)
        transport.start(RemoteParameters(first.ice_ufrag or "", first.ice_pwd or "",
                                         first.fingerprints), dtls_role=dtls_role)

    @staticmethod
    async def _wait_connected(transport: PeerTransport, timeout_s: float = 10) -> None:
        deadline = time.monotonic() + timeout_s
        while not transport.connected:
            if time.monotonic() > deadline or transport.state == "closed":
                raise asyncio.TimeoutError(f"{transport.label} did not connect")
            await asyncio.sleep(0.02)

    def _endpoint(self, transport: PeerTransport) -> client_sdp.Endpoint:
        params = transport.ice_parameters
        return client_sdp.Endpoint(params.usernameFragment, params.password,
                                   transport.fingerprints, transport.candidate_lines())

    def _packet(self, payload_type: int, marker: bool, sequence: int, timestamp: int, ssrc: int,
                extensions: list[tuple[int, bytes]], payload: bytes) -> bytes:
        self.transport_sequence = (self.transport_sequence + 1) & 0xFFFF
        extensions = extensions + [(client_sdp.TRANSPORT_CC_ID,
                                    encode_transport_sequence(self.transport_sequence))]
        block = encode_extension_block(extensions)
        if self.send_time_trailer:
            payload = append_send_time(payload)
        first = 0x90 if block else 0x80
        header = FIXED_HEADER.pack(first, payload_type | (0x80 if marker else 0), sequence,
                                   timestamp, ssrc)
        return header + block + payload

    async def _send_audio(self) -> None:
        interval = AUDIO_FRAME_MS / 1000
        next_at = time.monotonic()
        while True:
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if not self.audio_sending:
                continue
            level = self.audio_level(time.monotonic())
            frame = self._audio_index
            if self.audio_dtx and level > SILENCE_LEVEL and frame % DTX_INTERVAL_FRAMES:
                # Opus keeps its 20 ms timeline through DTX gaps. Only the packets are missing.
                self._audio_index += 1
                self.audio_timestamp = (self.audio_timestamp + 48 * AUDIO_FRAME_MS) & 0xFFFFFFFF
                continue
            extensions = [(client_sdp.MID_ID, b"0"),
                          (client_sdp.AUDIO_LEVEL_ID, encode_audio_level(level, level < 50))]
            payload = self.audio_payloads[self._audio_index % len(self.audio_payloads)]
            self._audio_index += 1
            packet = self._packet(client_sdp.OPUS_PT, False, self.audio_sequence,
                                  self.audio_timestamp, self.audio_ssrc, extensions, payload)
            self.audio_sequence = (self.audio_sequence + 1) & 0xFFFF
            self.audio_timestamp = (self.audio_timestamp + 48 * AUDIO_FRAME_MS) & 0xFFFFFFFF
            self.publisher.send_rtp(packet)

    async def _send_video(self, fps: int) -> None:
        interval = 1 / fps
        video_mid = self.video_mid
        next_at = time.monotonic()
        while True:
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            for state in self.layers:
                if state.sending:
                    self._send_frame(state, video_mid, fps)

    def _send_frame(self, state: PublishedLayerState, mid: bytes, fps: int) -> None:
        frames = state.layer.frames
        frame = frames[state.frame_index % len(frames)]
        state.frame_index = (state.frame_index + 1) % len(frames)
        rid = state.layer.spec.rid.encode()
        last = len(frame.payloads) - 1
        for index, payload in enumerate(frame.payloads):
            extensions = [(client_sdp.MID_ID, mid)]
            if self.simulcast:
                extensions.append((client_sdp.RID_ID, rid))
            packet = self._packet(client_sdp.VP8_PT, index == last, state.sequence, state.timestamp,
                                  state.ssrc, extensions, with_picture_id(payload, state.picture_id))
            state.sequence = (state.sequence + 1) & 0xFFFF
            self.publisher.send_rtp(packet)
        state.picture_id = (state.picture_id + 1) & 0x7FFF
        state.timestamp = (state.timestamp + 90000 // fps) & 0xFFFFFFFF

    def _on_publisher_rtcp(self, packet: bytes) -> None:
        now = time.monotonic()
        try:
            for packet_type, fmt, body in rtcp.iter_packets(packet):
                self.rtcp_received.append((now, packet_type, fmt))
                if packet_type == rtcp.PSFB and fmt == rtcp.PSFB_PLI:
                    self._on_pli(rtcp.parse_pli(body).media_ssrc, now)
        except ValueError:
            logger.warning("%s: malformed RTCP from the SFU", self.identity)

    def _on_pli(self, ssrc: int, now: float) -> None:
        for state in self.layers:
            if state.ssrc == ssrc:
                state.plis.append(now)
                # A real encoder would produce a keyframe next; jump to one.
                state.frame_index = state.layer.next_keyframe(state.frame_index)

    # Subscribing -------------------------------------------------------------

    async def _answer_subscriber(self, offer: rtc_pb.SessionDescription) -> None:
        description = sdp.parse(offer.sdp)
        for media in description.media:
            if media.direction != "sendonly" or media.msid is None:
                continue
            for ssrc in media.ssrcs:
                self._ssrc_tracks[ssrc] = (media.msid[1], media.kind)
        answer = client_sdp.subscriber_answer(description, self._endpoint(self.subscriber))
        # ICE starts before the answer leaves, as in a browser after setLocalDescription.
        await self._start(self.subscriber, description, dtls_role="client")
        await self.signal.send(rtc_pb.SignalRequest(answer=rtc_pb.SessionDescription(
            type="answer", sdp=sdp.write(answer, 1, offer.id), id=offer.id)))
        if self.video_quality is not None:
            await self._request_video_quality(description)

    async def _request_video_quality(self, description: sdp.SessionDescription) -> None:
        """Send UpdateTrackSettings once for each video track new in this offer."""
        new_sids = [media.msid[1] for media in description.media
                    if media.kind == "video" and media.direction == "sendonly" and media.msid
                    and media.msid[1] not in self._quality_requested]
        if not new_sids:
            return
        self._quality_requested.update(new_sids)
        await self.signal.send(rtc_pb.SignalRequest(track_setting=rtc_pb.UpdateTrackSettings(
            track_sids=new_sids, quality=self.video_quality)))

    def _on_subscriber_rtp(self, packet: bytes) -> None:
        ssrc = int.from_bytes(packet[8:12], "big")
        stream = self.received.get(ssrc)
        now = time.monotonic()
        if stream is None:
            track_sid, kind = self._ssrc_tracks.get(ssrc, ("", ""))
            stream = self.received[ssrc] = ReceivedStream(ssrc, track_sid, kind, first_at=now)
        stream.packets += 1
        stream.octets += len(packet)
        stream.last_at = now
        if self.record:
            marker, _, sequence, timestamp, _ = parse_fixed(packet)
            stream.log.append((now, sequence, timestamp, marker,
                               bytes(packet[payload_offset(packet):])))

    def streams_of(self, track_sid: str) -> list[ReceivedStream]:
        return [s for s in self.received.values() if s.track_sid == track_sid]

    def packets_of(self, track_sid: str) -> int:
        return sum(s.packets for s in self.streams_of(track_sid))

    def ssrc_of(self, track_sid: str) -> int | None:
        for ssrc, (sid, _) in self._ssrc_tracks.items():
            if sid == track_sid:
                return ssrc
        return None

    def send_pli(self, track_sid: str) -> None:
        ssrc = self.ssrc_of(track_sid)
        if ssrc is not None:
            self.subscriber.send_rtcp(rtcp.build_pli(self.sender_ssrc, ssrc))

    def send_remb(self, bitrate: int) -> None:
        ssrcs = [ssrc for ssrc, (_, kind) in self._ssrc_tracks.items() if kind == "video"]
        self.subscriber.send_rtcp(rtcp.build_remb(self.sender_ssrc, bitrate, ssrcs[:1] or [0]))

    # Leaving -------------------------------------------------------------------

    async def leave(self) -> None:
        await self.signal.send(rtc_pb.SignalRequest(leave=rtc_pb.LeaveRequest(
            reason=pb.DisconnectReason.CLIENT_INITIATED)))
        await self.close()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.signal.close()
        await self.publisher.close()
        await self.subscriber.close()

    def crash(self) -> None:
        """Vanish without a leave: drop TCP, stop media and answer no more ICE checks."""
        for task in self._tasks:
            task.cancel()
        self.signal.abort()
        for transport in (self.publisher, self.subscriber):
            transport.on_closed = lambda: None
            for protocol in transport._ice._connection._protocols:
                protocol.transport.close()


def speech_levels(seed: int, talking: Callable[[float], bool]) -> Callable[[float], int]:
    """RFC 6464 levels (-dBov) that look like speech while `talking(now)` and like room noise otherwise.

    Dominant speaker detection compares a speaker's level with its own noise
    floor, so a constant level never reads as speech; talk bursts with short
    pauses do.
    """
    import random

    generator = random.Random(seed)

    def level(now: float) -> int:
        if talking(now):
            return generator.randint(5, 35) if generator.random() < 0.8 else generator.randint(60, 80)
        return generator.randint(95, 127)

    return level
