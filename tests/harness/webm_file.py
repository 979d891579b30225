# SPDX-License-Identifier: AGPL-3.0-or-later
"""Inspect a recorded WebM file: EBML layout, streams, duration, seeking, decoded audio.

The EBML walk (Matroska/WebM element IDs from the Matroska specification,
RFC 9559) checks what PyAV does not show directly: the DocType and whether
the Segment contains a Cues element with cue points, which is what makes a
file seekable without reading it from the start.
"""

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

EBML_HEADER = 0x1A45DFA3
DOC_TYPE = 0x4282
SEGMENT = 0x18538067
CUES = 0x1C53BB6B
CUE_POINT = 0xBB
CLUSTER = 0x1F43B675
UNKNOWN_SIZE = (1 << 56) - 1


@dataclass
class WebmLayout:
    doc_type: str
    top_level_ids: list[int]
    cue_points: int


def _read_vint(data: bytes, position: int, keep_marker: bool) -> tuple[int, int]:
    first = data[position]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        raise ValueError(f"invalid EBML variable-length integer at byte {position}")
    value = first if keep_marker else first & (0xFF >> length)
    for index in range(1, length):
        value = (value << 8) | data[position + index]
    return value, position + length


def _children(data: bytes, start: int, end: int):
    position = start
    while position < end:
        element_id, position = _read_vint(data, position, keep_marker=True)
        size, position = _read_vint(data, position, keep_marker=False)
        size_is_unknown = size in (UNKNOWN_SIZE, (1 << 7) - 1)
        body_end = end if size_is_unknown else position + size
        yield element_id, position, body_end
        position = body_end


def read_layout(path: Path) -> WebmLayout:
    """Return the DocType and the Segment's top-level elements of a Matroska file."""
    data = path.read_bytes()
    doc_type = ""
    segment: tuple[int, int] | None = None
    for element_id, start, end in _children(data, 0, len(data)):
        if element_id == EBML_HEADER:
            for child_id, child_start, child_end in _children(data, start, end):
                if child_id == DOC_TYPE:
                    doc_type = data[child_start:child_end].decode("ascii")
        elif element_id == SEGMENT:
            segment = (start, end)
    if segment is None:
        raise ValueError(f"{path} has no Matroska Segment")

    top_level = []
    cue_points = 0
    for element_id, start, end in _children(data, *segment):
        top_level.append(element_id)
        if element_id == CUES:
            cue_points += sum(1 for child_id, _, _ in _children(data, start, end) if child_id == CUE_POINT)
    return WebmLayout(doc_type, top_level, cue_points)


@dataclass
class WebmStreams:
    format_name: str
    duration_s: float
    video_codec: str | None
    audio_codec: str | None
    video_frames: int
    audio_samples: np.ndarray  # decoded mono float32 at 48 kHz


def read_streams(path: Path) -> WebmStreams:
    """Demux and decode the whole file; decoding errors raise av.error.FFmpegError."""
    with av.open(str(path)) as container:
        video = next((s for s in container.streams if s.type == "video"), None)
        audio = next((s for s in container.streams if s.type == "audio"), None)
        format_name = container.format.name
        duration_s = (container.duration or 0) / av.time_base
        video_frames = sum(1 for _ in container.decode(video=0)) if video is not None else 0

    samples = np.zeros(0, dtype=np.float32)
    if audio is not None:
        with av.open(str(path)) as container:
            chunks = [frame.to_ndarray().mean(axis=0) for frame in container.decode(audio=0)]
        samples = np.concatenate(chunks).astype(np.float32) if chunks else samples
    return WebmStreams(format_name, duration_s,
                       video.codec_context.name if video is not None else None,
                       audio.codec_context.name if audio is not None else None,
                       video_frames, samples)


def first_video_time_after_seek(path: Path, target_s: float) -> float:
    """Seek the video stream to `target_s` and return the time of the first frame decoded there."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        container.seek(int(target_s / stream.time_base), stream=stream, backward=True)
        for frame in container.decode(stream):
            return float(frame.time)
    raise AssertionError(f"no video frame after seeking {path} to {target_s} s")


def tone_level(samples: np.ndarray, frequency_hz: float, sample_rate: int = 48_000) -> float:
    """Return the amplitude of one frequency in `samples` (a single-bin DFT)."""
    if len(samples) == 0:
        return 0.0
    times = np.arange(len(samples)) / sample_rate
    component = np.dot(samples, np.exp(-2j * np.pi * frequency_hz * times))
    return float(2 * abs(component) / len(samples))
