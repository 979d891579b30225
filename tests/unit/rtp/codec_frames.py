# SPDX-License-Identifier: AGPL-3.0-or-later
"""Real VP8 and H.264 RTP payloads from aiortc's encoders, for key frame tests."""

import fractions
import functools

import av
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.vpx import Vp8Encoder


def _frame(index: int, width: int, height: int) -> av.VideoFrame:
    frame = av.VideoFrame(width=width, height=height, format="yuv420p")
    for plane_index, plane in enumerate(frame.planes):
        # A moving gradient, so the second frame differs and becomes an inter frame.
        value = (index * 37 + plane_index * 50) % 256
        plane.update(bytes((value + column) % 256 for column in range(plane.buffer_size)))
    frame.pts = index * 3000
    frame.time_base = fractions.Fraction(1, 90000)
    return frame


@functools.cache
def encoded_frames(codec: str, width: int = 320, height: int = 240) -> tuple[list[bytes], list[bytes]]:
    """Payloads of a forced key frame and of the following inter frame."""
    encoder = Vp8Encoder() if codec == "vp8" else H264Encoder()
    key, _ = encoder.encode(_frame(0, width, height), force_keyframe=True)
    inter, _ = encoder.encode(_frame(1, width, height))
    return list(key), list(inter)
