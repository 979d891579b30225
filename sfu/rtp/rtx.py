# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTP retransmission payload format (RFC 4588 §4).

An RTX packet carries the original sequence number (OSN) in the first two
payload bytes, followed by the original payload. It has its own SSRC,
payload type and sequence space. Timestamp, marker, CSRCs and header
extensions are those of the original packet.
"""

import struct
from typing import Union

from sfu.rtp.header import FIXED_HEADER, FIXED_HEADER_SIZE, padding_size, payload_bounds

Buffer = Union[bytes, bytearray, memoryview]

_U16 = struct.Struct("!H")


def unwrap_rtx(packet: Buffer, payload_offset: int) -> tuple[int, memoryview]:
    """Return ``(original_sequence, original_payload)`` of an RTX packet.

    ``payload_offset`` is the value of ``header.payload_offset(packet)``.
    The payload view excludes the OSN and any padding. Raises
    ``ValueError`` when fewer than 2 payload bytes remain. Padding-only
    packets, which senders use to probe bandwidth, are such packets, so
    check ``header.payload_bounds`` first where they are expected.
    """
    end = len(packet) - padding_size(packet, payload_offset)
    if end - payload_offset < 2:
        raise ValueError(
            f"RTX packet has {end - payload_offset} payload bytes at offset {payload_offset}, too few for the OSN"
        )
    original_sequence = (packet[payload_offset] << 8) | packet[payload_offset + 1]
    return original_sequence, memoryview(packet)[payload_offset + 2:end]


def wrap_rtx(packet: Buffer, rtx_ssrc: int, rtx_payload_type: int, rtx_sequence: int) -> bytearray:
    """Build the RTX packet that retransmits ``packet``.

    Keeps marker, timestamp, CSRCs and header extensions, inserts the OSN
    before the payload and drops the original padding, as RFC 4588 §4
    requires. Raises ``ValueError`` for a malformed packet or a field out
    of range.
    """
    payload_start, end = payload_bounds(packet)
    if not 0 <= rtx_payload_type <= 0x7F:
        raise ValueError(f"RTX payload type {rtx_payload_type} is outside 0-127")

    first = packet[0]
    second = (packet[1] & 0x80) | rtx_payload_type
    original_sequence = (packet[2] << 8) | packet[3]
    timestamp = (packet[4] << 24) | (packet[5] << 16) | (packet[6] << 8) | packet[7]
    try:
        fixed = FIXED_HEADER.pack(first & 0xDF, second, rtx_sequence, timestamp, rtx_ssrc)
    except struct.error as error:
        raise ValueError(f"RTX header field out of range: {error}") from None

    out = bytearray(fixed)
    out += packet[FIXED_HEADER_SIZE:payload_start]
    out += _U16.pack(original_sequence)
    out += packet[payload_start:end]
    return out


def restore_original(
    rtx_packet: Buffer, payload_offset: int, original_ssrc: int, original_payload_type: int
) -> bytearray:
    """Rebuild the original packet from an RTX packet (the inverse of ``wrap_rtx``).

    ``payload_offset`` is ``header.payload_offset(rtx_packet)``. The result
    has the OSN as sequence number, the given SSRC and payload type, and no
    padding. Raises ``ValueError`` like ``unwrap_rtx``.
    """
    original_sequence, payload = unwrap_rtx(rtx_packet, payload_offset)
    if not 0 <= original_payload_type <= 0x7F:
        raise ValueError(f"payload type {original_payload_type} is outside 0-127")

    first = rtx_packet[0]
    second = (rtx_packet[1] & 0x80) | original_payload_type
    timestamp = (rtx_packet[4] << 24) | (rtx_packet[5] << 16) | (rtx_packet[6] << 8) | rtx_packet[7]
    try:
        fixed = FIXED_HEADER.pack(first & 0xDF, second, original_sequence, timestamp, original_ssrc)
    except struct.error as error:
        raise ValueError(f"RTP header field out of range: {error}") from None

    out = bytearray(fixed)
    out += rtx_packet[FIXED_HEADER_SIZE:payload_offset]
    out += payload
    return out
