# SPDX-License-Identifier: AGPL-3.0-or-later
"""Key frame detection in H.264 RTP payloads (RFC 6184, packetization mode 0 and 1).

Packetization mode 1, which WebRTC uses, carries single NAL units
(§5.6), STAP-A aggregates (§5.7.1) and FU-A fragments (§5.8). The
interleaved-mode types STAP-B, MTAP16, MTAP24 and FU-B are not used by
WebRTC and never count as key frames here.
"""

from typing import Union

Buffer = Union[bytes, bytearray, memoryview]

NAL_IDR = 5
NAL_SPS = 7
NAL_STAP_A = 24
NAL_FU_A = 28

_KEYFRAME_NAL_TYPES = (NAL_IDR, NAL_SPS)


def is_keyframe(payload: Buffer) -> bool:
    """Tell whether this payload starts a key frame: an IDR slice or an SPS begins in it.

    For FU-A only the fragment with the start bit counts. Raises
    ``ValueError`` for an empty payload, a set forbidden_zero_bit, or a
    STAP-A or FU-A whose lengths run past the payload.
    """
    length = len(payload)
    if length == 0:
        raise ValueError("H.264 payload is empty")

    nal_header = payload[0]
    if nal_header & 0x80:
        raise ValueError("H.264 NAL unit header has forbidden_zero_bit set")
    nal_type = nal_header & 0x1F

    if nal_type == NAL_FU_A:
        if length < 2:
            raise ValueError("H.264 FU-A payload has no FU header")
        fu_header = payload[1]
        return bool(fu_header & 0x80) and (fu_header & 0x1F) in _KEYFRAME_NAL_TYPES

    if nal_type == NAL_STAP_A:
        return _stap_a_has_keyframe(payload, length)

    return nal_type in _KEYFRAME_NAL_TYPES


def _stap_a_has_keyframe(payload: Buffer, length: int) -> bool:
    position = 1
    found = False
    if position >= length:
        raise ValueError("H.264 STAP-A payload has no aggregation units")
    while position < length:
        if position + 2 > length:
            raise ValueError(f"H.264 STAP-A unit size at byte {position} is truncated")
        unit_size = (payload[position] << 8) | payload[position + 1]
        position += 2
        if unit_size == 0 or position + unit_size > length:
            raise ValueError(f"H.264 STAP-A unit of {unit_size} bytes at byte {position} does not fit the payload")
        if payload[position] & 0x1F in _KEYFRAME_NAL_TYPES:
            found = True
        position += unit_size
    return found
