# SPDX-License-Identifier: AGPL-3.0-or-later
"""VP8 RTP payload descriptor and payload header (RFC 7741 §4.2 and §4.3).

Descriptor layout (RFC 7741 §4.2), each row one byte:

    |X|R|N|S|R| PID |   required
    |I|L|T|K| RSV   |   if X
    |M| PictureID   |   if I, with a second PictureID byte if M (15 bits)
    |   TL0PICIDX   |   if L
    |TID|Y| KEYIDX  |   if T or K

The first byte after the descriptor, at the start of partition 0, is the
VP8 payload header whose lowest bit P is 0 for a key frame (RFC 7741 §4.3).
"""

from typing import NamedTuple, Union

Buffer = Union[bytes, bytearray, memoryview]

# The key frame start code in the VP8 frame header (RFC 6386 §9.1).
_KEYFRAME_START_CODE = b"\x9d\x01\x2a"


class Vp8Descriptor(NamedTuple):
    """Fields of one VP8 payload descriptor, with None for absent optional fields."""

    descriptor_size: int
    start_of_partition: bool
    partition_id: int
    picture_id: int | None
    picture_id_bits: int  # 7 or 15, 0 when absent
    tl0picidx: int | None
    temporal_id: int | None
    keyidx: int | None
    layer_sync: bool
    non_reference: bool


def parse_descriptor(payload: Buffer) -> Vp8Descriptor:
    """Parse the payload descriptor at the start of a VP8 RTP payload.

    Raises ``ValueError`` for an empty payload or a descriptor whose
    announced fields run past the payload.
    """
    length = len(payload)
    if length == 0:
        raise ValueError("VP8 payload is empty")

    first = payload[0]
    picture_id = None
    picture_id_bits = 0
    tl0picidx = None
    temporal_id = None
    keyidx = None
    layer_sync = False
    size = 1
    if first & 0x80:
        if length < 2:
            raise ValueError("VP8 payload descriptor is truncated after the X bit")
        extension = payload[1]
        size = 2
        if extension & 0x80:
            if size >= length:
                raise ValueError("VP8 payload descriptor is truncated in the PictureID")
            if payload[size] & 0x80:
                if size + 2 > length:
                    raise ValueError("VP8 payload descriptor is truncated in the 15-bit PictureID")
                picture_id = ((payload[size] & 0x7F) << 8) | payload[size + 1]
                picture_id_bits = 15
                size += 2
            else:
                picture_id = payload[size]
                picture_id_bits = 7
                size += 1
        if extension & 0x40:
            if size >= length:
                raise ValueError("VP8 payload descriptor is truncated in TL0PICIDX")
            tl0picidx = payload[size]
            size += 1
        if extension & 0x30:
            if size >= length:
                raise ValueError("VP8 payload descriptor is truncated in TID/KEYIDX")
            layer_byte = payload[size]
            if extension & 0x20:
                temporal_id = layer_byte >> 6
                layer_sync = bool(layer_byte & 0x20)
            if extension & 0x10:
                keyidx = layer_byte & 0x1F
            size += 1

    return Vp8Descriptor(
        size, bool(first & 0x10), first & 0x07, picture_id, picture_id_bits,
        tl0picidx, temporal_id, keyidx, layer_sync, bool(first & 0x20),
    )


def descriptor_size(payload: Buffer) -> int:
    """Return the size of the payload descriptor. Raises ``ValueError`` if it is truncated."""
    length = len(payload)
    if length == 0:
        raise ValueError("VP8 payload is empty")
    if not payload[0] & 0x80:
        return 1
    if length < 2:
        raise ValueError("VP8 payload descriptor is truncated after the X bit")

    extension = payload[1]
    size = 2
    if extension & 0x80:
        if size >= length:
            raise ValueError("VP8 payload descriptor is truncated in the PictureID")
        size += 2 if payload[size] & 0x80 else 1
    if extension & 0x40:
        size += 1
    if extension & 0x30:
        size += 1
    if size > length:
        raise ValueError(f"VP8 payload descriptor of {size} bytes is longer than the {length}-byte payload")
    return size


def is_keyframe(payload: Buffer) -> bool:
    """Tell whether this payload starts a VP8 key frame.

    True only for the first packet of partition 0 (S=1, PID=0) whose VP8
    payload header has P=0. Raises ``ValueError`` for a truncated
    descriptor or, in such a first packet, a missing payload header.
    """
    if len(payload) == 0:
        raise ValueError("VP8 payload is empty")
    if payload[0] & 0x17 != 0x10:
        return False

    size = descriptor_size(payload)
    if size >= len(payload):
        raise ValueError("VP8 payload starts partition 0 but has no VP8 payload header")
    return not payload[size] & 0x01


def keyframe_size(payload: Buffer) -> tuple[int, int] | None:
    """Return ``(width, height)`` from a key frame's first packet, or None for other packets.

    Reads the 14-bit sizes after the start code (RFC 6386 §9.1) and
    ignores the scaling bits.
    """
    if not is_keyframe(payload):
        return None

    start = descriptor_size(payload)
    header = bytes(payload[start:start + 10])
    if len(header) < 10 or header[3:6] != _KEYFRAME_START_CODE:
        raise ValueError("VP8 key frame header is truncated or lacks the start code")
    width = (header[6] | (header[7] << 8)) & 0x3FFF
    height = (header[8] | (header[9] << 8)) & 0x3FFF
    return width, height


def rewrite_picture_id(packet: bytearray, payload_offset: int, picture_id: int, tl0picidx: int | None) -> None:
    """Overwrite PictureID and TL0PICIDX of the descriptor at ``payload_offset`` in place.

    The PictureID keeps the width the packet uses (7 or 15 bits), so
    ``picture_id`` is written modulo 2^7 or 2^15. ``tl0picidx`` (modulo
    2^8) is written only when given and present. A packet without these
    fields is left unchanged, because adding them would shift the payload.
    Raises ``ValueError`` for a truncated descriptor.
    """
    length = len(packet)
    if payload_offset >= length:
        raise ValueError(f"VP8 payload offset {payload_offset} is at or past the packet end at {length}")
    if not packet[payload_offset] & 0x80:
        return

    position = payload_offset + 1
    if position >= length:
        raise ValueError("VP8 payload descriptor is truncated after the X bit")
    extension = packet[position]
    position += 1

    if extension & 0x80:
        if position >= length:
            raise ValueError("VP8 payload descriptor is truncated in the PictureID")
        if packet[position] & 0x80:
            if position + 2 > length:
                raise ValueError("VP8 payload descriptor is truncated in the 15-bit PictureID")
            packet[position] = 0x80 | ((picture_id >> 8) & 0x7F)
            packet[position + 1] = picture_id & 0xFF
            position += 2
        else:
            packet[position] = picture_id & 0x7F
            position += 1

    if extension & 0x40 and tl0picidx is not None:
        if position >= length:
            raise ValueError("VP8 payload descriptor is truncated in TL0PICIDX")
        packet[position] = tl0picidx & 0xFF
