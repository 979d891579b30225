# SPDX-License-Identifier: AGPL-3.0-or-later
"""Micro-benchmark of the per-packet RTP/RTCP primitives in sfu.rtp.

Prints one table of nanoseconds per call and writes the same numbers as
JSON to bench/results/rtp_primitives.json. Each figure is the minimum over
several timeit repeats of this thread's CPU time, so it estimates the cost
on an otherwise idle core. Other load on the machine still inflates it
through shared caches and frequency scaling.

    .venv/bin/python bench/rtp_primitives.py [--quick]
"""

import argparse
import json
import platform
import struct
import sys
import time
import timeit
from pathlib import Path

from sfu.rtp import header, vp8
from sfu.rtp.nack import NackTracker
from sfu.rtp.packet_history import PacketHistory
from sfu.rtp.sequence_rewriter import SequenceRewriter
from sfu.rtp.speaker_detector import DominantSpeakerDetector
from sfu.rtp.twcc import TransportCcRecorder

PACKET_SIZE = 1100
RESULTS = Path(__file__).resolve().parent / "results" / "rtp_primitives.json"


def video_packet(size: int = PACKET_SIZE) -> bytes:
    """Build a VP8 inter-frame packet with mid, abs-send-time and transport-cc extensions, as Chrome sends."""
    extensions = header.encode_extension_block([
        (1, b"0"),
        (4, header.encode_abs_send_time(123_456_789)),
        (6, header.encode_transport_sequence(4321)),
    ])
    fixed = header.FIXED_HEADER.pack(0x90, 96, 1000, 90_000, 0x11223344)
    descriptor = b"\x90\xe0\x81\x23\x05\x40"  # 15-bit PictureID, TL0PICIDX, TID
    payload = descriptor + b"\x01" + bytes(size - len(fixed) - len(extensions) - len(descriptor) - 1)
    return fixed + extensions + payload


def cases() -> list[tuple[str, str, dict]]:
    packet = video_packet()
    offset = header.payload_offset(packet)
    csrc_end, payload_start = header.packet_layout(packet)
    payload = packet[offset:]
    keyframe_payload = b"\x90\xe0\x81\x23\x05\x40\x10" + bytes(100)
    writable = bytearray(packet)
    two_extensions = [(6, header.encode_transport_sequence(7)), (4, header.encode_abs_send_time(1))]
    one_extension = [(6, header.encode_transport_sequence(7))]

    rewriter = SequenceRewriter()
    rewriter.switch_source(1, 1000, 90_000, 0, 90_000)
    history = PacketHistory(1024)
    history.put(1000, packet)
    detector = DominantSpeakerDetector()
    detector.add_speaker("a")

    namespace = {
        "header": header, "vp8": vp8, "packet": packet, "offset": offset, "payload": payload,
        "keyframe_payload": keyframe_payload, "writable": writable, "two_extensions": two_extensions,
        "one_extension": one_extension, "rewriter": rewriter, "history": history, "detector": detector,
        "TransportCcRecorder": TransportCcRecorder, "NackTracker": NackTracker, "struct": struct,
        "csrc_end": csrc_end, "payload_start": payload_start,
    }
    return [
        ("call overhead (empty function)", "noop()", {**namespace, "noop": lambda: None}),
        ("header.parse_fixed", "header.parse_fixed(packet)", namespace),
        ("header.payload_offset", "header.payload_offset(packet)", namespace),
        ("header.find_extension (3rd of 3)", "header.find_extension(packet, 6)", namespace),
        ("header.find_transport_sequence", "header.find_transport_sequence(packet, 6)", namespace),
        ("header.encode_extension_block (2)", "header.encode_extension_block(two_extensions)", namespace),
        ("header.rewrite_packet, no extensions", "header.rewrite_packet(packet, 96, 7, 8, 9, ())", namespace),
        ("header.rewrite_packet, 1 extension", "header.rewrite_packet(packet, 96, 7, 8, 9, one_extension)",
         namespace),
        ("header.rewrite_packet, 2 extensions", "header.rewrite_packet(packet, 96, 7, 8, 9, two_extensions)",
         namespace),
        ("bytes(rewrite_packet(...)), 2 extensions",
         "bytes(header.rewrite_packet(packet, 96, 7, 8, 9, two_extensions))", namespace),
        ("header.packet_layout (once per incoming packet)", "header.packet_layout(packet)", namespace),
        ("header.encode_transport_sequence_block", "header.encode_transport_sequence_block(6, 7)", namespace),
        ("rewrite_with_layout + transport-cc block (per subscriber)",
         "header.rewrite_with_layout(packet, csrc_end, payload_start, 96, 7, 8, 9, "
         "header.encode_transport_sequence_block(6, 7))", namespace),
        ("bytes(rewrite_with_layout + transport-cc block)",
         "bytes(header.rewrite_with_layout(packet, csrc_end, payload_start, 96, 7, 8, 9, "
         "header.encode_transport_sequence_block(6, 7)))", namespace),
        ("vp8.is_keyframe, inter frame", "vp8.is_keyframe(payload)", namespace),
        ("vp8.is_keyframe, key frame", "vp8.is_keyframe(keyframe_payload)", namespace),
        ("vp8.rewrite_picture_id", "vp8.rewrite_picture_id(writable, offset, 300, 7)", namespace),
        ("SequenceRewriter.rewrite", "rewriter.rewrite(1001, 93_000)", namespace),
        ("PacketHistory.get", "history.get(1000)", namespace),
        ("DominantSpeakerDetector.on_level", "detector.on_level('a', 30, 0)", namespace),
    ]


def bench_per_packet(label: str, setup: str, per_packet: str, packets: int, repeat: int, namespace: dict) -> float:
    """Nanoseconds per packet of a loop body, with the loop and setup cost included."""
    code = f"{setup}\nfor sequence in range({packets}):\n    {per_packet}"
    best = min(timeit.repeat(code, number=1, repeat=repeat, globals=namespace, timer=time.thread_time))
    return best / packets * 1e9


def run(quick: bool) -> dict[str, float]:
    number = 20_000 if quick else 200_000
    repeat = 5 if quick else 9
    results = {}
    for label, statement, namespace in cases():
        best = min(timeit.repeat(statement, number=number, repeat=repeat, globals=namespace, timer=time.thread_time))
        results[label] = best / number * 1e9

    namespace = {"TransportCcRecorder": TransportCcRecorder, "NackTracker": NackTracker}
    packets = 10_000 if quick else 100_000
    results["TransportCcRecorder.record"] = bench_per_packet(
        "record", "recorder = TransportCcRecorder()", "recorder.record(sequence & 0xFFFF, sequence * 1000)",
        packets, repeat, namespace,
    )
    # One feedback per 50 packets: 1000 packets/s with feedback every 50 ms.
    results["TransportCcRecorder.record + build_feedback every 50 packets (per packet)"] = bench_per_packet(
        "record+feedback", "recorder = TransportCcRecorder()",
        "recorder.record(sequence & 0xFFFF, sequence * 1000)\n"
        "    if sequence % 50 == 49: recorder.build_feedback(1, 2)",
        packets, repeat, namespace,
    )
    results["NackTracker.on_packet, in order"] = bench_per_packet(
        "nack", "tracker = NackTracker()", "tracker.on_packet(sequence & 0xFFFF, sequence)", packets, repeat,
        namespace,
    )
    return results


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations, for a smoke run")
    arguments = parser.parse_args()

    results = run(arguments.quick)

    width = max(len(label) for label in results)
    print(f"{'primitive':{width}}  ns/call")
    for label, nanoseconds in results.items():
        print(f"{label:{width}}  {nanoseconds:7.0f}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "rtp_primitives",
        "packet_size_bytes": PACKET_SIZE,
        "python": sys.version.split()[0],
        "cpu": cpu_model(),
        "quick": arguments.quick,
        "ns_per_call": {label: round(value, 1) for label, value in results.items()},
    }, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
