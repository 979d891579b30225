# SPDX-License-Identifier: AGPL-3.0-or-later
"""Answer a participant's publisher offer: choose codecs, accept simulcast, reject the rest.

The answer is written by the SFU (not aiortc) so that it can accept what
aiortc cannot negotiate: `a=rid … recv` with `a=simulcast:recv` for every
layer the browser offers (RFC 8853), the rid and repaired-rid header
extensions, and transport-wide congestion control. A media section with
no supported codec is rejected (port 0) instead of failing the whole offer.
"""

import logging
from dataclasses import dataclass, field

from sfu.webrtc import rtp_extensions as ext
from sfu.webrtc.sdp import Codec, MediaSection, Rid, SessionDescription

logger = logging.getLogger(__name__)

# Codecs the SFU forwards, in order of preference. The SFU never decodes, but
# it must find keyframes (for layer switches), which needs codec knowledge.
VIDEO_CODECS = ("vp8", "h264")
AUDIO_CODECS = ("opus",)

VIDEO_FEEDBACK = ("nack", "nack pli", "ccm fir", "transport-cc")
AUDIO_FEEDBACK = ("transport-cc",)


@dataclass
class AcceptedMedia:
    """What the SFU agreed to receive on one m-section of the publisher connection."""

    mid: str
    kind: str
    codec: Codec
    rtx_payload_type: int | None
    track_id: str | None  # the msid track id, which livekit-client sets to the AddTrackRequest cid
    rids: list[str] = field(default_factory=list)
    # Primary SSRC -> RTX SSRC, from a=ssrc-group:FID when the offer lists SSRCs.
    ssrc_pairs: list[tuple[int, int | None]] = field(default_factory=list)
    extension_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class PublisherAnswer:
    description: SessionDescription
    accepted: list[AcceptedMedia]
    sctp_port: int | None
    max_message_size: int | None


def build_answer(offer: SessionDescription, ice_ufrag: str, ice_pwd: str,
                 fingerprints: list[tuple[str, str]], candidates: list[str]) -> PublisherAnswer:
    """Build the answer to `offer`; the caller already checked the offer parses."""
    sections: list[MediaSection] = []
    accepted: list[AcceptedMedia] = []
    sctp_port = None
    max_message_size = None

    for offered in offer.media:
        section, media = _answer_section(offered)
        section.ice_ufrag = ice_ufrag
        section.ice_pwd = ice_pwd
        section.fingerprints = fingerprints
        # We answer as the DTLS client, so the browser's DTLS server waits for us.
        section.setup = "active"
        sections.append(section)

        if media is not None:
            accepted.append(media)
        if offered.kind == "application" and not section.rejected:
            sctp_port = offered.sctp_port
            max_message_size = offered.max_message_size

    bundle = [s.mid for s in sections if not s.rejected and s.mid is not None]
    if sections and bundle:
        # Candidates in the first bundled section cover the whole BUNDLE group.
        first = next(s for s in sections if s.mid == bundle[0])
        first.candidates = list(candidates)
        first.end_of_candidates = True

    description = SessionDescription(media=sections, bundle=bundle)
    return PublisherAnswer(description, accepted, sctp_port, max_message_size)


def _answer_section(offered: MediaSection) -> tuple[MediaSection, AcceptedMedia | None]:
    if offered.kind == "application":
        return _answer_data_channel(offered), None
    if offered.kind in ("audio", "video") and offered.port != 0:
        return _answer_rtp(offered)
    return _rejected(offered), None


def _answer_data_channel(offered: MediaSection) -> MediaSection:
    if offered.sctp_port is None or "SCTP" not in offered.protocol.upper():
        return _rejected(offered)
    return MediaSection(
        kind="application", port=9, protocol=offered.protocol, formats=offered.formats,
        mid=offered.mid, sctp_port=5000, max_message_size=65536,
    )


def _answer_rtp(offered: MediaSection) -> tuple[MediaSection, AcceptedMedia | None]:
    codec = _choose_codec(offered)
    if codec is None:
        logger.info("Rejecting %s section mid=%s: no supported codec among %s",
                    offered.kind, offered.mid,
                    sorted({c.name for c in offered.codecs.values() if c.name}))
        return _rejected(offered), None

    wanted = ext.ACCEPTED_FROM_PUBLISHER[offered.kind]
    extensions = {i: uri for i, uri in offered.extensions.items() if uri in wanted}
    feedback_allowed = VIDEO_FEEDBACK if offered.kind == "video" else AUDIO_FEEDBACK
    if ext.TRANSPORT_CC not in extensions.values():
        feedback_allowed = tuple(f for f in feedback_allowed if f != "transport-cc")

    answered_codec = Codec(
        payload_type=codec.payload_type, name=codec.name, clock_rate=codec.clock_rate,
        channels=codec.channels, fmtp=codec.fmtp,
        feedback=[f for f in codec.feedback if f in feedback_allowed],
    )
    codecs = {codec.payload_type: answered_codec}

    rtx_payload_type = offered.rtx_payload_type_for(codec.payload_type) if offered.kind == "video" else None
    if rtx_payload_type is not None:
        rtx = offered.codecs[rtx_payload_type]
        codecs[rtx_payload_type] = Codec(rtx_payload_type, rtx.name, rtx.clock_rate, fmtp=rtx.fmtp)

    direction = {"sendonly": "recvonly", "sendrecv": "recvonly"}.get(offered.direction, "inactive")
    rids = [rid.rid for rid in offered.rids if rid.direction == "send"]
    section = MediaSection(
        kind=offered.kind, port=9, protocol=offered.protocol, formats=[str(pt) for pt in codecs],
        mid=offered.mid, direction=direction, codecs=codecs, extensions=extensions,
        rtcp_mux=True,
        rids=[Rid(rid, "recv") for rid in rids],
        simulcast=("recv " + ";".join(rids)) if len(rids) > 1 else None,
    )

    if direction == "inactive" or offered.mid is None:
        return section, None

    media = AcceptedMedia(
        mid=offered.mid, kind=offered.kind, codec=answered_codec,
        rtx_payload_type=rtx_payload_type,
        track_id=offered.msid[1] if offered.msid else None,
        rids=rids if len(rids) > 1 else [],
        ssrc_pairs=_ssrc_pairs(offered),
        extension_ids={uri: i for i, uri in extensions.items()},
    )
    return section, media


def _choose_codec(offered: MediaSection) -> Codec | None:
    preference = VIDEO_CODECS if offered.kind == "video" else AUDIO_CODECS
    usable = [c for c in offered.codecs.values() if c.name and str(c.payload_type) in offered.formats]
    for wanted in preference:
        for codec in usable:
            if codec.mime_type != wanted:
                continue
            if wanted == "h264" and codec.fmtp_params().get("packetization-mode") != "1":
                # Mode 0 sends one NAL unit per packet only; browsers all offer mode 1.
                continue
            return codec
    return None


def _ssrc_pairs(offered: MediaSection) -> list[tuple[int, int | None]]:
    rtx_of = {group[0]: group[1] for semantics, group in offered.ssrc_groups
              if semantics == "FID" and len(group) == 2}
    rtx_ssrcs = set(rtx_of.values())
    primaries = [ssrc for ssrc in offered.ssrcs if ssrc not in rtx_ssrcs]
    # With simulcast the browser lists SIM groups; those layers are learnt
    # from the rid extension instead, so only the unlayered case is kept.
    if any(semantics == "SIM" for semantics, _ in offered.ssrc_groups):
        return []
    return [(ssrc, rtx_of.get(ssrc)) for ssrc in primaries]


def _rejected(offered: MediaSection) -> MediaSection:
    return MediaSection(
        kind=offered.kind, port=0, protocol=offered.protocol or "UDP/TLS/RTP/SAVPF",
        formats=offered.formats or ["0"], mid=offered.mid, direction="inactive",
    )
