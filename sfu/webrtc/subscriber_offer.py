# SPDX-License-Identifier: AGPL-3.0-or-later
"""Offers the SFU makes on a participant's subscriber connection.

Each forwarded track gets one m-section ("slot") with SSRCs the SFU picked,
so the browser can demultiplex by SSRC. The msid is `PA_…|TR_… TR_…`:
livekit-client reads the participant and track ids from it. When a track
goes away its slot turns inactive and is reused for the next track of the
same kind, so long meetings do not grow the SDP forever.
"""

from dataclasses import dataclass, field

from sfu.room.ids import random_ssrc
from sfu.webrtc import rtp_extensions as ext
from sfu.webrtc.sdp import Codec, MediaSection, SessionDescription

# Payload types the SFU uses towards subscribers. Publishers' payload types
# differ between browsers, so the forwarder rewrites them per packet.
VIDEO_PAYLOAD_TYPES = {"vp8": (96, 97), "h264": (102, 103)}
OPUS_PAYLOAD_TYPE = 111

VIDEO_FEEDBACK = ["nack", "nack pli", "ccm fir", "goog-remb"]


@dataclass
class CodecChoice:
    """The codec of a forwarded track as the subscriber will see it."""

    name: str  # as in rtpmap, e.g. "VP8", "opus"
    clock_rate: int
    channels: int | None
    fmtp: str
    payload_type: int
    rtx_payload_type: int | None

    @classmethod
    def for_publisher_codec(cls, kind: str, codec: Codec) -> "CodecChoice":
        if kind == "audio":
            return cls(codec.name, codec.clock_rate, codec.channels, codec.fmtp,
                       OPUS_PAYLOAD_TYPE, None)
        payload_type, rtx_payload_type = VIDEO_PAYLOAD_TYPES[codec.mime_type]
        return cls(codec.name, codec.clock_rate, None, codec.fmtp, payload_type, rtx_payload_type)


@dataclass
class Slot:
    """One m-section of the subscriber connection."""

    mid: str
    kind: str
    codec: CodecChoice | None = None
    stream_id: str = ""
    track_id: str = ""
    ssrc: int = 0
    rtx_ssrc: int | None = None
    active: bool = False
    # True once the browser has answered an offer with this slot inactive. A
    # slot is reused only then: a browser fires no "track" event for a slot
    # that stays sending across an offer, even if its msid changes.
    reusable: bool = False
    offered_inactive: bool = False

    def assign(self, stream_id: str, track_id: str, codec: CodecChoice) -> None:
        self.stream_id = stream_id
        self.track_id = track_id
        self.codec = codec
        # Fresh SSRCs per track, so the browser never mixes up a reused slot.
        self.ssrc = random_ssrc()
        self.rtx_ssrc = random_ssrc() if codec.rtx_payload_type is not None else None
        self.active = True
        self.reusable = False

    def release(self) -> None:
        self.active = False


@dataclass
class SubscriberOfferState:
    slots: list[Slot] = field(default_factory=list)
    version: int = 0

    def take_slot(self, kind: str) -> Slot:
        for slot in self.slots:
            if slot.kind == kind and not slot.active and slot.reusable:
                return slot
        slot = Slot(mid=str(len(self.slots)), kind=kind)
        self.slots.append(slot)
        return slot


    def mark_answered(self) -> None:
        """Record that the browser accepted the latest offer."""
        for slot in self.slots:
            if slot.offered_inactive and not slot.active:
                slot.reusable = True


def build_offer(state: SubscriberOfferState, ice_ufrag: str, ice_pwd: str,
                fingerprints: list[tuple[str, str]], candidates: list[str],
                cname: str) -> SessionDescription:
    for slot in state.slots:
        slot.offered_inactive = not slot.active
    sections = [_slot_section(slot, cname) for slot in state.slots]
    for section in sections:
        section.ice_ufrag = ice_ufrag
        section.ice_pwd = ice_pwd
        section.fingerprints = fingerprints
        section.setup = "actpass"
    if sections:
        sections[0].candidates = list(candidates)
        sections[0].end_of_candidates = True
    return SessionDescription(media=sections, bundle=[s.mid for s in sections if s.mid])


def _slot_section(slot: Slot, cname: str) -> MediaSection:
    codec = slot.codec
    assert codec is not None
    codecs = {codec.payload_type: Codec(
        payload_type=codec.payload_type, name=codec.name, clock_rate=codec.clock_rate,
        channels=codec.channels, fmtp=codec.fmtp,
        feedback=list(VIDEO_FEEDBACK) if slot.kind == "video" else [],
    )}
    if codec.rtx_payload_type is not None:
        codecs[codec.rtx_payload_type] = Codec(
            payload_type=codec.rtx_payload_type, name="rtx", clock_rate=codec.clock_rate,
            fmtp=f"apt={codec.payload_type}",
        )

    section = MediaSection(
        kind=slot.kind, port=9, protocol="UDP/TLS/RTP/SAVPF",
        formats=[str(pt) for pt in codecs], mid=slot.mid,
        direction="sendonly" if slot.active else "inactive",
        codecs=codecs, extensions=dict(ext.SUBSCRIBER_EXTENSIONS[slot.kind]), rtcp_mux=True,
    )
    if not slot.active:
        return section

    msid = (slot.stream_id, slot.track_id)
    section.msid = msid
    section.ssrcs[slot.ssrc] = {"cname": cname, "msid": f"{msid[0]} {msid[1]}"}
    if slot.rtx_ssrc is not None:
        section.ssrcs[slot.rtx_ssrc] = {"cname": cname, "msid": f"{msid[0]} {msid[1]}"}
        section.ssrc_groups.append(("FID", [slot.ssrc, slot.rtx_ssrc]))
    return section
