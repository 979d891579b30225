# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTP header access without packet objects.

Covers the fixed header and CSRC list (RFC 3550 §5.1), padding (RFC 3550
§5.1, P bit), and the one-byte and two-byte header extension forms
(RFC 8285 §4.2 and §4.3). Offsets are byte offsets into the packet.

Every reader accepts ``bytes``, ``bytearray`` or ``memoryview`` and raises
``ValueError`` when a length field points past the end of the packet, so a
malformed packet from the network does not leak ``IndexError`` or
``struct.error`` (tests/unit/rtp/test_fuzz.py checks this on random input).
"""

import struct
from collections.abc import Sequence
from typing import Union

Buffer = Union[bytes, bytearray, memoryview]

FIXED_HEADER = struct.Struct("!BBHII")
FIXED_HEADER_SIZE = 12
RTP_VERSION = 2

# RFC 8285 §4.2: the one-byte form is marked by the "defined by profile" value 0xBEDE.
ONE_BYTE_PROFILE = 0xBEDE
# RFC 8285 §4.3: the two-byte form is 0x100 followed by 4 "appbits". This module writes appbits 0.
TWO_BYTE_PROFILE = 0x1000
_TWO_BYTE_PROFILE_MASK = 0xFFF0

# One-byte form limits (RFC 8285 §4.2): ids 1-14, values of 1-16 bytes. Id 15 stops parsing,
# and so does id 0 with a non-zero length nibble, as in libwebrtc (a zero byte is padding).
_ONE_BYTE_MAX_ID = 14
_ONE_BYTE_MAX_SIZE = 16
_ONE_BYTE_STOP_ID = 15

_U16 = struct.Struct("!H")
_U8_U16 = struct.Struct("!BH")
# Profile, length in words, element header, 16-bit value, one padding byte.
_TRANSPORT_SEQUENCE_BLOCK = struct.Struct("!HHBHx")

_BYTE_VALUES = tuple(bytes((value,)) for value in range(256))
_PADDING = (b"", b"\x00", b"\x00\x00", b"\x00\x00\x00")
_ONE_BYTE_BLOCK_HEADERS = tuple(struct.pack("!HH", ONE_BYTE_PROFILE, words) for words in range(64))

# RFC 8851 §10: rid-id = 1*(ALPHA / DIGIT / "-" / "_").
_RID_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
# RFC 4566 §9 token-char, which RFC 5888 uses for the mid identification-tag.
_TOKEN_BYTES = frozenset(
    [0x21] + list(range(0x23, 0x28)) + [0x2A, 0x2B, 0x2D, 0x2E]
    + list(range(0x30, 0x3A)) + list(range(0x41, 0x5B)) + list(range(0x5E, 0x7F))
)


def parse_fixed(packet: Buffer) -> tuple[bool, int, int, int, int]:
    """Parse the fixed RTP header (RFC 3550 §5.1).

    Returns ``(marker, payload_type, sequence, timestamp, ssrc)``. Raises
    ``ValueError`` if the packet is shorter than 12 bytes or its version is
    not 2. CSRCs, extensions and padding are not checked here, so use
    ``payload_offset`` for that.
    """
    if len(packet) < FIXED_HEADER_SIZE:
        raise ValueError(f"RTP packet of {len(packet)} bytes is shorter than the 12-byte fixed header")

    first, second, sequence, timestamp, ssrc = FIXED_HEADER.unpack_from(packet)
    if first >> 6 != RTP_VERSION:
        raise ValueError(f"RTP version is {first >> 6}, expected 2")

    return bool(second & 0x80), second & 0x7F, sequence, timestamp, ssrc


def _header_end(packet: Buffer) -> tuple[int, int]:
    """Return ``(csrc_end, payload_start)`` after checking version, CSRCs and extension length."""
    length = len(packet)
    if length < FIXED_HEADER_SIZE:
        raise ValueError(f"RTP packet of {length} bytes is shorter than the 12-byte fixed header")

    first = packet[0]
    if first >> 6 != RTP_VERSION:
        raise ValueError(f"RTP version is {first >> 6}, expected 2")

    csrc_end = FIXED_HEADER_SIZE + ((first & 0x0F) << 2)
    if not first & 0x10:
        if csrc_end > length:
            raise ValueError(f"RTP packet of {length} bytes is too short for {first & 0x0F} CSRCs")
        return csrc_end, csrc_end

    if csrc_end + 4 > length:
        raise ValueError(f"RTP packet of {length} bytes is too short for its header extension header")
    payload_start = csrc_end + 4 + (((packet[csrc_end + 2] << 8) | packet[csrc_end + 3]) << 2)
    if payload_start > length:
        raise ValueError(
            f"RTP header extension ends at byte {payload_start}, past the packet end at {length}"
        )
    return csrc_end, payload_start


def padding_size(packet: Buffer, payload_start: int) -> int:
    """Return the RTP padding size (0 without the P bit).

    Raises ``ValueError`` if ``payload_start`` lies outside the packet, or
    unless the padding count is 1 or more and fits between
    ``payload_start`` and the end of the packet.
    """
    length = len(packet)
    if not FIXED_HEADER_SIZE <= payload_start <= length:
        raise ValueError(f"RTP payload offset {payload_start} is outside the {length}-byte packet")
    if not packet[0] & 0x20:
        return 0

    padding = packet[length - 1]
    if padding == 0 or padding > length - payload_start:
        raise ValueError(
            f"RTP padding of {padding} bytes does not fit the {length - payload_start} bytes after the header"
        )
    return padding


def payload_offset(packet: Buffer) -> int:
    """Return the offset of the payload, after CSRCs and the extension block.

    Validates the version, the CSRC count, the extension length and the
    padding count (RFC 3550 §5.1) and raises ``ValueError`` if any points
    past the end of the packet.
    """
    _, payload_start = _header_end(packet)
    padding_size(packet, payload_start)
    return payload_start


def payload_bounds(packet: Buffer) -> tuple[int, int]:
    """Return ``(start, end)`` of the payload, with ``end`` excluding any padding.

    ``start == end`` for a padding-only packet, which senders use for
    bandwidth probing. Raises ``ValueError`` like ``payload_offset``.
    """
    _, payload_start = _header_end(packet)
    return payload_start, len(packet) - padding_size(packet, payload_start)


def _extension_element(packet: Buffer, extension_id: int) -> int:
    """Locate one extension element and return ``(offset << 8) | size``, or -1 if absent.

    Scans only until the element is found, so a malformed element after it
    goes unnoticed. Other profiles than the RFC 8285 forms return -1.
    """
    if not 0 < extension_id < 256:
        raise ValueError(f"RTP header extension id {extension_id} is outside 1-255")

    length = len(packet)
    if length < FIXED_HEADER_SIZE:
        raise ValueError(f"RTP packet of {length} bytes is shorter than the 12-byte fixed header")
    first = packet[0]
    if first >> 6 != RTP_VERSION:
        raise ValueError(f"RTP version is {first >> 6}, expected 2")
    if not first & 0x10:
        return -1

    csrc_end = FIXED_HEADER_SIZE + ((first & 0x0F) << 2)
    position = csrc_end + 4
    if position > length:
        raise ValueError(f"RTP packet of {length} bytes is too short for its header extension header")
    end = position + (((packet[csrc_end + 2] << 8) | packet[csrc_end + 3]) << 2)
    if end > length:
        raise ValueError(f"RTP header extension ends at byte {end}, past the packet end at {length}")
    profile = (packet[csrc_end] << 8) | packet[csrc_end + 1]

    if profile == ONE_BYTE_PROFILE:
        if extension_id > _ONE_BYTE_MAX_ID:
            return -1
        while position < end:
            element_header = packet[position]
            if element_header == 0:
                position += 1
                continue
            element_id = element_header >> 4
            if element_id == _ONE_BYTE_STOP_ID or element_id == 0:
                return -1
            size = (element_header & 0x0F) + 1
            position += 1
            if position + size > end:
                raise ValueError(f"RTP one-byte header extension {element_id} runs past the extension block")
            if element_id == extension_id:
                return (position << 8) | size
            position += size
        return -1

    if profile & _TWO_BYTE_PROFILE_MASK == TWO_BYTE_PROFILE:
        while position < end:
            element_id = packet[position]
            if element_id == 0:
                position += 1
                continue
            if position + 2 > end:
                raise ValueError(f"RTP two-byte header extension {element_id} has no length byte")
            size = packet[position + 1]
            position += 2
            if position + size > end:
                raise ValueError(f"RTP two-byte header extension {element_id} runs past the extension block")
            if element_id == extension_id:
                return (position << 8) | size
            position += size
        return -1

    return -1


def find_extension(packet: Buffer, extension_id: int) -> memoryview | None:
    """Return the value of header extension ``extension_id`` as a memoryview, or None.

    Understands the one-byte (0xBEDE) and two-byte (0x100X) forms of
    RFC 8285 §4. Raises ``ValueError`` for a truncated header or an element
    that runs past the extension block, and for an id outside 1-255.
    """
    element = _extension_element(packet, extension_id)
    if element < 0:
        return None
    start = element >> 8
    return memoryview(packet)[start:start + (element & 0xFF)]


def find_transport_sequence(packet: Buffer, extension_id: int) -> int | None:
    """Return the transport-wide sequence number carried in ``extension_id``, or None.

    Reads the 16-bit value of draft-holmer-rmcat-transport-wide-cc-extensions-01
    §2 without creating a view. Raises ``ValueError`` if the value is shorter
    than 2 bytes.
    """
    element = _extension_element(packet, extension_id)
    if element < 0:
        return None
    if element & 0xFF < 2:
        raise ValueError(f"transport-wide sequence extension has {element & 0xFF} bytes, expected 2")
    start = element >> 8
    return (packet[start] << 8) | packet[start + 1]


def find_audio_level(packet: Buffer, extension_id: int) -> tuple[bool, int] | None:
    """Return ``(voice, level_dbov)`` from the RFC 6464 audio level extension, or None.

    ``level_dbov`` is 0 (loudest) to 127 (silence), in -dBov. Raises
    ``ValueError`` if the extension value is empty.
    """
    element = _extension_element(packet, extension_id)
    if element < 0:
        return None
    if element & 0xFF < 1:
        raise ValueError("audio level extension is empty")
    value = packet[element >> 8]
    return bool(value & 0x80), value & 0x7F


def iter_extensions(packet: Buffer) -> list[tuple[int, memoryview]]:
    """Return every ``(extension_id, memoryview)`` element of the packet, in order.

    Meant for inspection and tests, not the per-packet path. Raises
    ``ValueError`` like ``find_extension`` but checks every element.
    """
    csrc_end, payload_start = _header_end(packet)
    if payload_start == csrc_end:
        return []

    view = memoryview(packet)
    profile = (packet[csrc_end] << 8) | packet[csrc_end + 1]
    position = csrc_end + 4
    elements = []
    if profile == ONE_BYTE_PROFILE:
        while position < payload_start:
            element_header = packet[position]
            if element_header == 0:
                position += 1
                continue
            if element_header >> 4 in (_ONE_BYTE_STOP_ID, 0):
                break
            size = (element_header & 0x0F) + 1
            position += 1
            if position + size > payload_start:
                raise ValueError(f"RTP one-byte header extension {element_header >> 4} runs past the extension block")
            elements.append((element_header >> 4, view[position:position + size]))
            position += size
    elif profile & _TWO_BYTE_PROFILE_MASK == TWO_BYTE_PROFILE:
        while position < payload_start:
            element_id = packet[position]
            if element_id == 0:
                position += 1
                continue
            if position + 2 > payload_start:
                raise ValueError(f"RTP two-byte header extension {element_id} has no length byte")
            size = packet[position + 1]
            position += 2
            if position + size > payload_start:
                raise ValueError(f"RTP two-byte header extension {element_id} runs past the extension block")
            elements.append((element_id, view[position:position + size]))
            position += size
    return elements


def encode_extension_block(extensions: Sequence[tuple[int, bytes]]) -> bytes:
    """Encode header extension elements as a complete block with its 4-byte header.

    Uses the one-byte form when every id is 1-14 and every value 1-16 bytes
    long, else the two-byte form (ids 1-255, values 0-255 bytes), padded to
    a 32-bit boundary (RFC 8285 §4.1). Returns ``b""`` for an empty list.
    Raises ``ValueError`` for an element that fits neither form.
    """
    count = len(extensions)
    if count == 0:
        return b""

    # Unrolled cases for the one or two elements an SFU writes on almost every packet.
    if count == 1:
        (first_id, first_value), = extensions
        first_size = len(first_value)
        if 0 < first_id <= _ONE_BYTE_MAX_ID and 0 < first_size <= _ONE_BYTE_MAX_SIZE:
            size = first_size + 1
            padding = -size & 3
            return b"".join((
                _ONE_BYTE_BLOCK_HEADERS[(size + padding) >> 2],
                _BYTE_VALUES[(first_id << 4) | (first_size - 1)], first_value,
                _PADDING[padding],
            ))
    elif count == 2:
        (first_id, first_value), (second_id, second_value) = extensions
        first_size = len(first_value)
        second_size = len(second_value)
        if (
            0 < first_id <= _ONE_BYTE_MAX_ID and 0 < first_size <= _ONE_BYTE_MAX_SIZE
            and 0 < second_id <= _ONE_BYTE_MAX_ID and 0 < second_size <= _ONE_BYTE_MAX_SIZE
        ):
            size = first_size + second_size + 2
            padding = -size & 3
            return b"".join((
                _ONE_BYTE_BLOCK_HEADERS[(size + padding) >> 2],
                _BYTE_VALUES[(first_id << 4) | (first_size - 1)], first_value,
                _BYTE_VALUES[(second_id << 4) | (second_size - 1)], second_value,
                _PADDING[padding],
            ))

    return _encode_extension_block_general(extensions)


def _encode_extension_block_general(extensions: Sequence[tuple[int, bytes]]) -> bytes:
    one_byte = True
    for extension_id, value in extensions:
        size = len(value)
        if not 0 < extension_id < 256:
            raise ValueError(f"RTP header extension id {extension_id} is outside 1-255")
        if size > 255:
            raise ValueError(f"RTP header extension {extension_id} value of {size} bytes exceeds 255 bytes")
        if extension_id > _ONE_BYTE_MAX_ID or not 0 < size <= _ONE_BYTE_MAX_SIZE:
            one_byte = False

    parts = [b""]
    if one_byte:
        for extension_id, value in extensions:
            parts.append(_BYTE_VALUES[(extension_id << 4) | (len(value) - 1)])
            parts.append(value)
    else:
        for extension_id, value in extensions:
            parts.append(_BYTE_VALUES[extension_id])
            parts.append(_BYTE_VALUES[len(value)])
            parts.append(value)

    size = sum(len(part) for part in parts)
    padding = -size & 3
    words = (size + padding) >> 2
    parts[0] = struct.pack("!HH", ONE_BYTE_PROFILE if one_byte else TWO_BYTE_PROFILE, words)
    parts.append(_PADDING[padding])
    return b"".join(parts)


def packet_layout(packet: Buffer) -> tuple[int, int]:
    """Validate a packet like ``payload_offset`` and return ``(csrc_end, payload_start)``.

    The result feeds ``rewrite_with_layout``, so a packet forwarded to many
    subscribers is validated once.
    """
    csrc_end, payload_start = _header_end(packet)
    padding_size(packet, payload_start)
    return csrc_end, payload_start


def rewrite_packet(
    packet: Buffer,
    payload_type: int,
    sequence: int,
    timestamp: int,
    ssrc: int,
    extensions: Sequence[tuple[int, bytes]],
) -> bytearray:
    """Return a copy of ``packet`` with new header fields and a new extension block.

    Keeps the marker bit, CSRCs, payload and padding of the original.
    Replaces the extension block with ``extensions``, encoded as
    ``encode_extension_block`` does. An empty list leaves the copy without
    an extension block. Raises ``ValueError`` for a malformed packet or a
    header field outside its range (payload type 0-127, sequence 0-65535,
    timestamp and SSRC 0-2^32-1).
    """
    csrc_end, payload_start = _header_end(packet)
    padding_size(packet, payload_start)
    block = encode_extension_block(extensions) if extensions else b""
    return rewrite_with_layout(packet, csrc_end, payload_start, payload_type, sequence, timestamp, ssrc, block)


def rewrite_with_layout(
    packet: Buffer,
    csrc_end: int,
    payload_start: int,
    payload_type: int,
    sequence: int,
    timestamp: int,
    ssrc: int,
    extension_block: bytes,
) -> bytearray:
    """Return a rewritten copy like ``rewrite_packet``, for the per-subscriber loop.

    ``csrc_end`` and ``payload_start`` come from ``packet_layout(packet)``,
    and ``extension_block`` from ``encode_extension_block`` or
    ``encode_transport_sequence_block`` (``b""`` for none). The packet is
    not validated again. Raises ``ValueError`` for a header field outside
    its range.
    """
    if not 0 <= payload_type <= 0x7F:
        raise ValueError(f"RTP payload type {payload_type} is outside 0-127")

    first = packet[0] | 0x10 if extension_block else packet[0] & 0xEF
    try:
        fixed = FIXED_HEADER.pack(first, (packet[1] & 0x80) | payload_type, sequence, timestamp, ssrc)
    except struct.error as error:
        raise ValueError(f"RTP header field out of range: {error}") from None

    # Appending the whole packet and deleting its old header is cheaper in
    # CPython than slicing the payload out first, because it copies the
    # payload once into the output buffer.
    out = bytearray()
    out += fixed
    if csrc_end > FIXED_HEADER_SIZE:
        out += packet[FIXED_HEADER_SIZE:csrc_end]
    out += extension_block
    head_size = len(out)
    out += packet
    del out[head_size:head_size + payload_start]
    return out


def abs_send_time(time_us: int) -> int:
    """Return the 24-bit abs-send-time value for a time in microseconds.

    The value is seconds in 6.18 fixed point, so it wraps every 64 s
    (webrtc.org abs-send-time header extension). Any monotonic clock works,
    because receivers only use differences.
    """
    return ((time_us << 18) // 1_000_000) & 0xFFFFFF


def encode_abs_send_time(time_us: int) -> bytes:
    """Encode the 3-byte abs-send-time extension value for a time in microseconds."""
    value = ((time_us << 18) // 1_000_000) & 0xFFFFFF
    return _U8_U16.pack(value >> 16, value & 0xFFFF)


def decode_abs_send_time(value: Buffer) -> int:
    """Return the raw 24-bit 6.18 fixed-point abs-send-time. Raises ``ValueError`` if shorter than 3 bytes."""
    if len(value) < 3:
        raise ValueError(f"abs-send-time extension has {len(value)} bytes, expected 3")
    return (value[0] << 16) | (value[1] << 8) | value[2]


def encode_transport_sequence(sequence: int) -> bytes:
    """Encode a transport-wide sequence number (taken modulo 2^16) as its 2-byte value.

    draft-holmer-rmcat-transport-wide-cc-extensions-01 §2.
    """
    return _U16.pack(sequence & 0xFFFF)


def encode_transport_sequence_block(extension_id: int, sequence: int) -> bytes:
    """Encode a complete one-byte-form block carrying only a transport-wide sequence number.

    Meant for ``rewrite_with_layout`` when transport-cc is the only
    extension a subscriber gets. ``sequence`` is taken modulo 2^16, and
    ``extension_id`` must be 1-14.
    """
    if not 0 < extension_id <= _ONE_BYTE_MAX_ID:
        raise ValueError(f"RTP one-byte header extension id {extension_id} is outside 1-14")
    return _TRANSPORT_SEQUENCE_BLOCK.pack(ONE_BYTE_PROFILE, 1, (extension_id << 4) | 1, sequence & 0xFFFF)


def decode_transport_sequence(value: Buffer) -> int:
    """Return the 16-bit transport-wide sequence number. Raises ``ValueError`` if shorter than 2 bytes."""
    if len(value) < 2:
        raise ValueError(f"transport-wide sequence extension has {len(value)} bytes, expected 2")
    return (value[0] << 8) | value[1]


def encode_audio_level(level_dbov: int, voice: bool) -> bytes:
    """Encode the RFC 6464 §3 audio level byte: V bit, then the level in -dBov (0-127)."""
    if not 0 <= level_dbov <= 127:
        raise ValueError(f"audio level {level_dbov} is outside 0-127 -dBov")
    return _BYTE_VALUES[(0x80 if voice else 0) | level_dbov]


def decode_audio_level(value: Buffer) -> tuple[bool, int]:
    """Return ``(voice, level_dbov)`` from an RFC 6464 value. Raises ``ValueError`` if empty."""
    if len(value) < 1:
        raise ValueError("audio level extension is empty")
    return bool(value[0] & 0x80), value[0] & 0x7F


def _decode_identifier(value: Buffer, allowed: frozenset, name: str) -> str:
    data = bytes(value)
    # A NUL ends the string, as libwebrtc reads SDES string extensions.
    end = data.find(0)
    if end >= 0:
        data = data[:end]
    if not data:
        raise ValueError(f"{name} header extension is empty")
    for byte in data:
        if byte not in allowed:
            raise ValueError(f"{name} header extension {data!r} contains invalid byte 0x{byte:02x}")
    return data.decode("ascii")


def decode_rid(value: Buffer) -> str:
    """Decode an RtpStreamId or RepairedRtpStreamId value (RFC 8852 §3).

    Accepts the rid-id syntax of RFC 8851 §10 (letters, digits, "-", "_").
    For per-packet routing, compare the raw bytes instead of decoding.
    """
    return _decode_identifier(value, _RID_BYTES, "rid")


def decode_mid(value: Buffer) -> str:
    """Decode a MID header extension value (RFC 9143), a token as in RFC 4566 §9."""
    return _decode_identifier(value, _TOKEN_BYTES, "mid")
