# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTX wrapping and unwrapping (RFC 4588), checked against aiortc's wrap_rtx/unwrap_rtx."""

import pytest
from aiortc.rtp import HeaderExtensions, RtpPacket, unwrap_rtx as aiortc_unwrap, wrap_rtx as aiortc_wrap

from sfu.rtp import header, rtx

from .packets import aiortc_packet, extensions_map, raw_packet

ORIGINAL = aiortc_packet(payload=b"payload bytes", marker=1, sequence=4321, timestamp=99, csrcs=(7,),
                         extensions=HeaderExtensions(transport_sequence_number=5, mid="1"))


def test_wrap_rtx_matches_aiortc() -> None:
    original = RtpPacket.parse(ORIGINAL, extensions_map())
    expected = aiortc_wrap(original, payload_type=97, sequence_number=17, ssrc=0xBEEF).serialize(extensions_map())

    assert bytes(rtx.wrap_rtx(ORIGINAL, 0xBEEF, 97, 17)) == expected


def test_wrap_rtx_drops_padding() -> None:
    padded = aiortc_packet(payload=b"abc", padding=5)

    wrapped = rtx.wrap_rtx(padded, 1, 97, 2)

    assert not wrapped[0] & 0x20
    assert len(wrapped) == 12 + 2 + 3
    assert rtx.unwrap_rtx(wrapped, 12)[1].tobytes() == b"abc"


def test_unwrap_round_trip_and_aiortc() -> None:
    wrapped = bytes(rtx.wrap_rtx(ORIGINAL, 0xBEEF, 97, 17))
    offset = header.payload_offset(wrapped)

    original_sequence, payload = rtx.unwrap_rtx(wrapped, offset)

    assert original_sequence == 4321
    assert payload.tobytes() == b"payload bytes"
    restored = rtx.restore_original(wrapped, offset, 0x11223344, 96)
    assert bytes(restored) == ORIGINAL
    theirs = aiortc_unwrap(RtpPacket.parse(wrapped, extensions_map()), payload_type=96, ssrc=0x11223344)
    assert theirs.serialize(extensions_map()) == ORIGINAL


def test_unwrap_rtx_with_padding() -> None:
    data = raw_packet(first=0xA0, tail=b"\x12\x34abc" + b"\x00\x00\x03")

    assert rtx.unwrap_rtx(data, 12)[0] == 0x1234
    assert rtx.unwrap_rtx(data, 12)[1].tobytes() == b"abc"


@pytest.mark.parametrize("data", [
    raw_packet(tail=b"\x01"),  # one payload byte
    raw_packet(first=0xA0, tail=b"\x00\x00\x02"),  # padding-only probe (payload too short once padding is removed)
    raw_packet(first=0xA0, tail=b"\x00\x05"),  # padding larger than payload
])
def test_unwrap_rtx_rejects_short_payload(data: bytes) -> None:
    with pytest.raises(ValueError):
        rtx.unwrap_rtx(data, 12)


def test_wrap_rtx_rejects_invalid() -> None:
    with pytest.raises(ValueError, match="0-127"):
        rtx.wrap_rtx(ORIGINAL, 1, 200, 1)
    with pytest.raises(ValueError, match="out of range"):
        rtx.wrap_rtx(ORIGINAL, 1, 97, 70000)
    with pytest.raises(ValueError):
        rtx.wrap_rtx(b"\x80\x60\x00", 1, 97, 1)
