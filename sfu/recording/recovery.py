# SPDX-License-Identifier: AGPL-3.0-or-later
"""Repair recordings a killed SFU process left as `.webm.part` files.

A process that is killed (SIGKILL, power loss) cannot write the Matroska
trailer, so its file lacks Cues and a duration. At the next start each
such file is remuxed, packet for packet, into a new WebM file, which gets
both; the `.part` file is then deleted. A file too short to keep, or one
that cannot be read at all, is deleted with a log line. Nothing is
decoded or re-encoded.
"""

import logging
import os
from pathlib import Path

import av

from sfu.recording.webm_writer import PART_SUFFIX

logger = logging.getLogger(__name__)

REPAIR_SUFFIX = ".repair"


def recover_interrupted(directory: Path, min_duration_ms: int) -> list[Path]:
    """Repair every `*.webm.part` in `directory`; return the files that were kept."""
    kept = []
    for part in sorted(directory.glob(f"*.webm{PART_SUFFIX}")):
        final = part.with_name(part.name[: -len(PART_SUFFIX)])
        try:
            duration_ms = _remux(part, final, min_duration_ms)
        except (av.error.FFmpegError, OSError, ValueError) as error:
            logger.warning("Deleting unreadable interrupted recording %s: %s", part.name, error)
            _remove(part, final)
            continue
        if duration_ms is None:
            _remove(part, final)
            continue
        part.unlink(missing_ok=True)
        logger.info("Repaired interrupted recording %s (%.1f s)", final.name, duration_ms / 1000)
        kept.append(final)
    return kept


def _remux(part: Path, final: Path, min_duration_ms: int) -> int | None:
    """Copy every packet of `part` into `final`; None (and no file) when it is too short."""
    repair = final.with_name(final.name + REPAIR_SUFFIX)
    end_ms = 0
    with av.open(str(part)) as source, av.open(str(repair), "w", format="webm") as target:
        streams = {stream.index: target.add_stream_from_template(stream) for stream in source.streams}
        for packet in source.demux():
            if packet.dts is None or packet.stream.index not in streams:
                continue
            if packet.pts is not None and packet.time_base is not None:
                end_ms = max(end_ms, int((packet.pts + (packet.duration or 0)) * packet.time_base * 1000))
            packet.stream = streams[packet.stream.index]
            target.mux(packet)

    if end_ms < min_duration_ms:
        logger.info("Deleting interrupted recording %s: %.1f s is shorter than the minimum",
                    part.name, end_ms / 1000)
        repair.unlink(missing_ok=True)
        return None
    os.replace(repair, final)
    return end_ms


def _remove(part: Path, final: Path) -> None:
    part.unlink(missing_ok=True)
    final.with_name(final.name + REPAIR_SUFFIX).unlink(missing_ok=True)
