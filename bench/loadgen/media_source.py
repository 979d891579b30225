# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pre-encoded media for synthetic participants: VP8 simulcast layers and Opus-sized audio.

A moving test pattern is encoded once with libvpx (through PyAV) per layer
and cut into RTP payloads with an RFC 7741 payload descriptor, so sending
costs no encoding at run time. Results are cached on disk by parameters.
Each layer is an independent encoding with its own keyframes, as browsers
produce simulcast.
"""

import hashlib
import pickle
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

# Payload bytes per RTP packet, leaving room for headers and SRTP under a 1200-byte MTU.
MAX_PAYLOAD = 1100
CACHE_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class LayerSpec:
    rid: str
    width: int
    height: int
    bitrate: int


@dataclass
class EncodedFrame:
    payloads: list[bytes]  # RTP payloads, descriptor included, picture id 0 (set when sent)
    keyframe: bool
    data: bytes  # the VP8 frame, for matching received frames in tests


@dataclass
class EncodedLayer:
    spec: LayerSpec
    frames: list[EncodedFrame]

    def next_keyframe(self, index: int) -> int:
        """Index of the first keyframe at or after `index` (wrapping around)."""
        count = len(self.frames)
        for step in range(count):
            candidate = (index + step) % count
            if self.frames[candidate].keyframe:
                return candidate
        return 0


DEFAULT_LAYERS = (
    LayerSpec("q", 320, 180, 150_000),
    LayerSpec("h", 640, 360, 500_000),
    LayerSpec("f", 1280, 720, 1_500_000),
)


def encode_layers(layers: tuple[LayerSpec, ...] = DEFAULT_LAYERS, frame_count: int = 150,
                  fps: int = 30, keyframe_interval: int = 75) -> list[EncodedLayer]:
    """Encode (or load from the cache) `frame_count` frames of every layer."""
    key = hashlib.sha256(repr((layers, frame_count, fps, keyframe_interval)).encode()).hexdigest()[:16]
    cache = CACHE_DIR / f"vp8-{key}.pickle"
    if cache.exists():
        return pickle.loads(cache.read_bytes())

    encoded = [EncodedLayer(spec, _encode(spec, frame_count, fps, keyframe_interval))
               for spec in layers]
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(encoded))
    return encoded


def _encode(spec: LayerSpec, frame_count: int, fps: int, keyframe_interval: int) -> list[EncodedFrame]:
    codec = av.CodecContext.create("libvpx", "w")
    codec.width = spec.width
    codec.height = spec.height
    codec.pix_fmt = "yuv420p"
    codec.bit_rate = spec.bitrate
    codec.time_base = Fraction(1, fps)
    codec.gop_size = keyframe_interval
    codec.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}

    frames = []
    for index in range(frame_count):
        picture = av.VideoFrame.from_ndarray(_pattern(spec.width, spec.height, index), format="rgb24")
        picture = picture.reformat(format="yuv420p")
        picture.pts = index
        if index % keyframe_interval == 0:
            picture.pict_type = av.video.frame.PictureType.I
        for packet in codec.encode(picture):
            frames.append(_packetize(bytes(packet), packet.is_keyframe))
    for packet in codec.encode(None):
        frames.append(_packetize(bytes(packet), packet.is_keyframe))
    return frames


def _pattern(width: int, height: int, index: int) -> np.ndarray:
    """A moving colour gradient with a sliding bar, so frames differ and motion is visible."""
    x = np.linspace(0, 255, width, dtype=np.uint16)
    y = np.linspace(0, 255, height, dtype=np.uint16)[:, None]
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[..., 0] = ((x + index * 4) % 256).astype(np.uint8)
    image[..., 1] = ((y + index * 2) % 256).astype(np.uint8)
    image[..., 2] = 128
    bar = (index * 8) % width
    image[:, bar: bar + max(4, width // 40)] = 255
    return image


def _packetize(frame: bytes, keyframe: bool) -> EncodedFrame:
    payloads = []
    for start in range(0, len(frame), MAX_PAYLOAD):
        # X=1, S=1 on the first packet, PID 0; then I=1 with a 15-bit picture id (M=1),
        # filled in per packet when sent.
        first_byte = 0x90 if start == 0 else 0x80
        payloads.append(bytes((first_byte, 0x80, 0x80, 0x00)) + frame[start: start + MAX_PAYLOAD])
    return EncodedFrame(payloads=payloads, keyframe=keyframe, data=frame)


def with_picture_id(payload: bytes, picture_id: int) -> bytes:
    """Copy `payload` with the 15-bit picture id written into its descriptor."""
    return payload[:2] + bytes((0x80 | (picture_id >> 8) & 0x7F, picture_id & 0xFF)) + payload[4:]
