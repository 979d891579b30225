# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pure, synchronous RTP/RTCP building blocks for the SFU media plane.

Every function here works on ``bytes``, ``bytearray`` or ``memoryview`` and
raises ``ValueError`` for malformed input, because packets come from the
network. Nothing here logs per packet or depends on aiortc at run time.
"""
