# SPDX-License-Identifier: AGPL-3.0-or-later
"""SDP a synthetic LiveKit client writes: publisher offers and subscriber answers.

The offer looks like Chromium's for livekit-client: Opus audio and VP8
video with simulcast rids and the mid, rid, repaired-rid, audio-level and
transport-cc header extensions, all bundled, DTLS role actpass.
"""

from dataclasses import dataclass

from sfu.webrtc import rtp_extensions as ext
from sfu.webrtc.sdp import Codec, MediaSection, Rid, SessionDescription

OPUS_PT = 111
VP8_PT = 96
RTX_PT = 97

# Header extension ids of the synthetic client, one id space for the bundle.
AUDIO_LEVEL_ID = 1
TRANSPORT_CC_ID = 3
MID_ID = 4
RID_ID = 10
REPAIRED_RID_ID = 11


@dataclass
class Endpoint:
    ice_ufrag: str
    ice_pwd: str
    fingerprints: list[tuple[str, str]]
    candidates: list[str]


def _with_endpoint(section: MediaSection, endpoint: Endpoint, setup: str) -> MediaSection:
    section.ice_ufrag = endpoint.ice_ufrag
    section.ice_pwd = endpoint.ice_pwd
    section.fingerprints = endpoint.fingerprints
    section.setup = setup
    return section


def publisher_offer(endpoint: Endpoint, audio_cid: str | None, audio_ssrc: int,
                    video_cid: str | None, rids: list[str],
                    video_ssrc: int | None = None) -> SessionDescription:
    """Build the offer; `video_ssrc` announces a single encoding by SSRC when `rids` is empty."""
    sections = []
    if audio_cid is not None:
        audio = MediaSection(
            kind="audio", port=9, protocol="UDP/TLS/RTP/SAVPF", formats=[str(OPUS_PT)],
            mid=str(len(sections)), direction="sendonly", rtcp_mux=True,
            codecs={OPUS_PT: Codec(OPUS_PT, "opus", 48000, 2, "minptime=10;useinbandfec=1",
                                   ["transport-cc"])},
            extensions={AUDIO_LEVEL_ID: ext.AUDIO_LEVEL, TRANSPORT_CC_ID: ext.TRANSPORT_CC,
                        MID_ID: ext.MID},
            msid=("stream", audio_cid),
        )
        audio.ssrcs[audio_ssrc] = {"cname": "synthetic", "msid": f"stream {audio_cid}"}
        sections.append(audio)

    if video_cid is not None:
        video = MediaSection(
            kind="video", port=9, protocol="UDP/TLS/RTP/SAVPF",
            formats=[str(VP8_PT), str(RTX_PT)],
            mid=str(len(sections)), direction="sendonly", rtcp_mux=True,
            codecs={
                VP8_PT: Codec(VP8_PT, "VP8", 90000, feedback=["nack", "nack pli", "ccm fir",
                                                               "transport-cc"]),
                RTX_PT: Codec(RTX_PT, "rtx", 90000, fmtp=f"apt={VP8_PT}"),
            },
            extensions={TRANSPORT_CC_ID: ext.TRANSPORT_CC, MID_ID: ext.MID, RID_ID: ext.RID,
                        REPAIRED_RID_ID: ext.REPAIRED_RID},
            msid=("stream", video_cid),
            rids=[Rid(rid, "send") for rid in rids],
            simulcast=("send " + ";".join(rids)) if len(rids) > 1 else None,
        )
        if video_ssrc is not None and not rids:
            video.ssrcs[video_ssrc] = {"cname": "synthetic", "msid": f"stream {video_cid}"}
        sections.append(video)

    for section in sections:
        _with_endpoint(section, endpoint, "actpass")
    sections[0].candidates = endpoint.candidates
    sections[0].end_of_candidates = True
    return SessionDescription(media=sections, bundle=[s.mid for s in sections])


def subscriber_answer(offer: SessionDescription, endpoint: Endpoint) -> SessionDescription:
    """Accept every active section of the SFU's offer as recvonly."""
    sections = []
    for offered in offer.media:
        section = MediaSection(
            kind=offered.kind, port=offered.port, protocol=offered.protocol,
            formats=offered.formats, mid=offered.mid, rtcp_mux=True,
            direction="recvonly" if offered.direction == "sendonly" else "inactive",
            codecs=offered.codecs, extensions=offered.extensions,
        )
        sections.append(_with_endpoint(section, endpoint, "active"))
    if sections:
        sections[0].candidates = endpoint.candidates
        sections[0].end_of_candidates = True
    return SessionDescription(media=sections, bundle=[s.mid for s in sections if s.mid])
