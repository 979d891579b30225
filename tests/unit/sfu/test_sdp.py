# SPDX-License-Identifier: AGPL-3.0-or-later
"""SDP parsing, the publisher answer and the subscriber offer."""

import pytest

from sfu.webrtc import rtp_extensions as ext
from sfu.webrtc import sdp
from sfu.webrtc.publisher_answer import build_answer
from sfu.webrtc.subscriber_offer import CodecChoice, SubscriberOfferState, build_offer
from tests.unit.sfu.chrome_offers import AUDIO, DATA, SESSION, VIDEO_SIMULCAST, chrome_offer

FINGERPRINT = [("sha-256", "AA:BB")]


def answer_for(offer_text: str):
    return build_answer(sdp.parse(offer_text), "ufrag", "password1234567890abcd", FINGERPRINT,
                        ["1 1 udp 2130706431 127.0.0.1 40000 typ host"])


def test_parse_reads_simulcast_video_section():
    description = sdp.parse(chrome_offer())

    video = description.media[2]
    assert description.bundle == ["0", "1", "2"]
    assert video.kind == "video"
    assert [rid.rid for rid in video.rids] == ["q", "h", "f"]
    assert video.msid == ("stream-1", "video-cid-1")
    assert video.codecs[96].name == "VP8"
    assert video.rtx_payload_type_for(96) == 97
    assert video.ice_ufrag == "Wx8m"


def test_answer_accepts_simulcast_and_data_channel():
    answer = answer_for(chrome_offer())
    text = sdp.write(answer.description, 1, 1)
    reparsed = sdp.parse(text)

    data, audio, video = reparsed.media
    assert data.sctp_port == 5000
    assert audio.direction == "recvonly"
    assert list(audio.codecs) == [111]
    assert video.simulcast == "recv q;h;f"
    assert [(r.rid, r.direction) for r in video.rids] == [("q", "recv"), ("h", "recv"), ("f", "recv")]
    assert set(video.codecs) == {96, 97}
    assert video.setup == "active"
    assert reparsed.bundle == ["0", "1", "2"]


def test_answer_keeps_only_supported_extensions_with_offered_ids():
    answer = answer_for(chrome_offer())

    video = answer.description.media[2]
    assert video.extensions == {3: ext.TRANSPORT_CC, 4: ext.MID, 10: ext.RID, 11: ext.REPAIRED_RID}
    audio = answer.description.media[1]
    assert audio.extensions == {1: ext.AUDIO_LEVEL, 3: ext.TRANSPORT_CC, 4: ext.MID}


def test_answer_maps_track_ids_and_ssrcs():
    answer = answer_for(chrome_offer())

    audio, video = answer.accepted
    assert (audio.track_id, audio.ssrc_pairs) == ("audio-cid-1", [(1001, None)])
    assert (video.track_id, video.rids, video.ssrc_pairs) == ("video-cid-1", ["q", "h", "f"], [])


UNSUPPORTED_VIDEO = (
    "m=video 9 UDP/TLS/RTP/SAVPF 45\r\n"
    "a=mid:2\r\n"
    "a=sendonly\r\n"
    "a=rtpmap:45 AV1/90000\r\n"
)


@pytest.mark.parametrize("name, offer, rejected_kinds", [
    ("unknown video codec only", SESSION + DATA + AUDIO + UNSUPPORTED_VIDEO, ["video"]),
    ("audio without rtpmap", SESSION + DATA + AUDIO.replace("a=rtpmap:111 opus/48000/2\r\n", "")
     .replace("a=rtpmap:9 G722/8000\r\n", "").replace("a=rtpmap:0 PCMU/8000\r\n", "")
     .replace("a=rtpmap:8 PCMA/8000\r\n", ""), ["audio"]),
    ("unknown media kind", SESSION + DATA + "m=text 9 RTP/AVP 98\r\na=mid:3\r\n", ["text"]),
    ("data channel without sctp-port", SESSION + DATA.replace("a=sctp-port:5000\r\n", ""),
     ["application"]),
    ("H264 mode 0 only", SESSION + DATA + VIDEO_SIMULCAST.replace(
        "a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP9/90000").replace(
        "packetization-mode=1", "packetization-mode=0"), ["video"]),
])
def test_unusable_sections_are_rejected_not_fatal(name, offer, rejected_kinds):
    answer = answer_for(offer)

    rejected = [m.kind for m in answer.description.media if m.rejected]
    assert rejected == rejected_kinds, name
    text = sdp.write(answer.description, 1, 1)
    for section in sdp.parse(text).media:
        assert section.rejected == (section.kind in rejected_kinds)


@pytest.mark.parametrize("name, text, message", [
    ("empty", "", "empty"),
    ("no version", "o=- 1 1 IN IP4 0.0.0.0\r\n", "v=0"),
    ("not key=value", "v=0\r\nthis is not sdp\r\n", "line 2"),
    ("bad port", "v=0\r\nm=audio 99999 UDP/TLS/RTP/SAVPF 111\r\n", "port"),
    ("short m-line", "v=0\r\nm=audio\r\n", "m= line"),
    ("bad payload type", "v=0\r\nm=audio 9 X 111\r\na=rtpmap:300 opus/48000\r\n", "payload type"),
    ("non-numeric rtpmap", "v=0\r\nm=audio 9 X 111\r\na=rtpmap:abc opus/48000\r\n", "line 3"),
    ("rtpmap without rate", "v=0\r\nm=audio 9 X 111\r\na=rtpmap:111 opus\r\n", "line 3"),
    ("bad ssrc", "v=0\r\nm=audio 9 X 111\r\na=ssrc:99999999999 cname:x\r\n", "SSRC"),
    ("bad rid", "v=0\r\nm=video 9 X 96\r\na=rid:q sideways\r\n", "rid"),
    ("fingerprint without value", "v=0\r\na=fingerprint:sha-256\r\n", "line 2"),
    ("too many sections", "v=0\r\n" + "m=audio 9 X 111\r\n" * 600, "media sections"),
    ("huge", "v=0\r\n" + "a=x:" + "y" * 300_000 + "\r\n", "exceeds"),
])
def test_malformed_sdp_raises_sdp_error(name, text, message):
    with pytest.raises(sdp.SdpError) as raised:
        sdp.parse(text)

    assert message in str(raised.value), name


def test_subscriber_offer_names_participant_and_track_in_msid():
    state = SubscriberOfferState()
    slot = state.take_slot("video")
    codec = sdp.Codec(96, "VP8", 90000)
    slot.assign("PA_abc|TR_def", "TR_def", CodecChoice.for_publisher_codec("video", codec))

    offer = build_offer(state, "ufrag", "pwd", FINGERPRINT, [], cname="PA_me")
    section = sdp.parse(sdp.write(offer, 1, 1)).media[0]

    assert section.msid == ("PA_abc|TR_def", "TR_def")
    assert section.direction == "sendonly"
    assert section.setup == "actpass"
    assert ("FID", [slot.ssrc, slot.rtx_ssrc]) in section.ssrc_groups
    assert section.codecs[97].fmtp == "apt=96"


def test_released_slot_is_reused_only_after_an_answer():
    state = SubscriberOfferState()
    codec = CodecChoice.for_publisher_codec("audio", sdp.Codec(111, "opus", 48000, 2))
    first = state.take_slot("audio")
    first.assign("PA_a|TR_1", "TR_1", codec)
    first.release()

    second = state.take_slot("audio")
    second.assign("PA_a|TR_2", "TR_2", codec)
    assert second is not first

    build_offer(state, "u", "p", FINGERPRINT, [], cname="PA_me")
    state.mark_answered()
    assert state.take_slot("audio") is first
