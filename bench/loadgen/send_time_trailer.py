# SPDX-License-Identifier: AGPL-3.0-or-later
"""A send-time trailer at the end of RTP payloads, for one-way latency through an SFU.

The sender appends 4 magic bytes and its CLOCK_MONOTONIC time in
microseconds (8 bytes, big-endian). An SFU forwards payloads unchanged
(ours rewrites only the VP8 descriptor at the start), so a receiver on the
same machine reads the trailer from the end of the decrypted payload.
Decoders would see 12 stray bytes; the load generator never decodes.
"""

import struct
import time

MAGIC = b"HBst"
_TIME = struct.Struct(">Q")
TRAILER_SIZE = len(MAGIC) + _TIME.size


def append_send_time(payload: bytes) -> bytes:
    return payload + MAGIC + _TIME.pack(time.monotonic_ns() // 1000)


def latency_us(packet: bytes, now_us: int) -> int | None:
    """Return microseconds since the packet's send time, or None if it carries no trailer."""
    if len(packet) < TRAILER_SIZE or packet[-TRAILER_SIZE:-_TIME.size] != MAGIC:
        return None
    return now_us - _TIME.unpack_from(packet, len(packet) - _TIME.size)[0]
