# SPDX-License-Identifier: AGPL-3.0-or-later
"""Random and mutated packets: every parser either returns or raises ValueError, nothing else."""

from hypothesis import given, settings
from hypothesis import strategies as st

from sfu.rtp import h264, header, rtcp, rtx, vp8

from .packets import aiortc_packet, raw_packet

SEEDS = [
    aiortc_packet(marker=1, csrcs=(1, 2), padding=3),
    raw_packet(first=0x90, tail=b"\xbe\xde\x00\x02\x10\x41\x21\x42\x43\x00\x00\x00payload"),
    raw_packet(first=0x90, tail=b"\x10\x00\x00\x02\x05\x02\xab\xcd\x00\x00\x00\x00payload"),
    rtcp.build_compound([
        rtcp.build_sender_report(1, 2, 3, 4, 5),
        rtcp.build_nack(1, 2, [1, 5, 40]),
        rtcp.build_remb(1, 5000, [2]),
        rtcp.build_fir(1, [(2, 3)]),
        rtcp.build_bye([1], "bye"),
    ]),
    bytes.fromhex("8fcd000601020304050607080064000500000f00d1a0a002018effd8"),
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut]) if draw(st.booleans()) else bytes(data)


packets = st.one_of(st.binary(max_size=80), mutated())


def only_value_errors(function, *arguments) -> None:
    try:
        function(*arguments)
    except ValueError:
        pass


@settings(max_examples=400, deadline=None, database=None)
@given(data=packets)
def test_rtp_readers_raise_only_value_error(data: bytes) -> None:
    for function in (header.parse_fixed, header.payload_offset, header.payload_bounds, header.iter_extensions):
        only_value_errors(function, data)
    for extension_id in (1, 2, 5, 15, 100):
        only_value_errors(header.find_extension, data, extension_id)
        only_value_errors(header.find_transport_sequence, data, extension_id)
        only_value_errors(header.find_audio_level, data, extension_id)
    only_value_errors(header.rewrite_packet, data, 96, 1, 2, 3, [(1, b"x")])
    only_value_errors(rtx.wrap_rtx, data, 1, 97, 2)
    for offset in (12, 16, 20, len(data)):
        only_value_errors(rtx.unwrap_rtx, data, offset)
        only_value_errors(rtx.restore_original, data, offset, 1, 96)
    for decode in (header.decode_rid, header.decode_mid, header.decode_audio_level,
                   header.decode_transport_sequence, header.decode_abs_send_time):
        only_value_errors(decode, data[:4])


@settings(max_examples=400, deadline=None, database=None)
@given(data=packets)
def test_rtcp_parsers_raise_only_value_error(data: bytes) -> None:
    parsers = (rtcp.parse_sender_report, rtcp.parse_receiver_report, rtcp.parse_nack, rtcp.parse_pli,
               rtcp.parse_fir, rtcp.parse_remb, rtcp.parse_bye, rtcp.parse_transport_feedback, rtcp.is_remb)
    try:
        views = [view for _, _, view in rtcp.iter_packets(data)]
    except ValueError:
        views = []
    for candidate in [data] + views:
        for parse in parsers:
            only_value_errors(parse, candidate)


@settings(max_examples=400, deadline=None, database=None)
@given(data=st.binary(max_size=24))
def test_codec_parsers_raise_only_value_error(data: bytes) -> None:
    for function in (vp8.parse_descriptor, vp8.descriptor_size, vp8.is_keyframe, vp8.keyframe_size,
                     h264.is_keyframe):
        only_value_errors(function, data)
    for offset in range(0, len(data) + 1, 3):
        only_value_errors(vp8.rewrite_picture_id, bytearray(data), offset, 0x1234, 5)
