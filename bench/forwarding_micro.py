# SPDX-License-Identifier: AGPL-3.0-or-later
"""CPU time per forwarded packet of the SFU's media path, 1 publisher to N subscribers.

Runs the real forwarding code (Layer.receive -> DownTrack.forward) on
synthetic VP8 RTP: each incoming packet is SRTP-unprotected once
(AEAD_AES_128_GCM), then for each subscriber rewritten, protected with
that subscriber's own SRTP session and sent with sendto() to a loopback
UDP socket. Each subscriber sends through the SFU's own SrtpSender on a
uvloop datagram endpoint, as PeerTransport does once ICE and DTLS are up.
ICE, DTLS and signaling are left out. CPU time is the
forwarding thread's own (time.thread_time), which on Linux includes the
kernel work of sendto and of delivering into the receiving socket; a child
process drains the receiving socket.

Usage: python -m bench.forwarding_micro [--subscribers 10 50 100] [--packets 3000]
Prints a table and writes bench/results/forwarding_micro.json.
"""

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pylibsrtp
import uvloop
from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers, with_picture_id
from sfu.media.down_track import DownTrack
from sfu.media.forwarding_stats import ForwardingStats
from sfu.media.published_track import PublishedTrack
from sfu.rtp.header import FIXED_HEADER
from sfu.webrtc.sdp import Codec
from sfu.webrtc.srtp_sender import SrtpSender
from sfu.webrtc.subscriber_offer import CodecChoice, Slot

RESULTS = Path(__file__).resolve().parent / "results"
GCM_KEY_LENGTH = 28  # 16-byte AES key + 12-byte salt


def gcm_session(key: bytes, outbound: bool) -> pylibsrtp.Session:
    ssrc_type = pylibsrtp.Policy.SSRC_ANY_OUTBOUND if outbound else pylibsrtp.Policy.SSRC_ANY_INBOUND
    policy = pylibsrtp.Policy(key=key, ssrc_type=ssrc_type,
                              srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM)
    policy.allow_repeat_tx = True
    return pylibsrtp.Session(policy)


class LoopbackTransport:
    """What DownTrack needs of a connected PeerTransport, with its own SRTP keys.

    The socket is an unconnected uvloop datagram endpoint, like the ICE
    socket, and packets leave through the same SrtpSender with sendto().
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, sink_address: tuple[str, int]) -> None:
        self.label = "bench"
        self.connected = True
        self._datagram, _ = loop.run_until_complete(loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0)))
        self.rtp_sender = SrtpSender.on_transport(
            self._datagram, sink_address, gcm_session(os.urandom(GCM_KEY_LENGTH), outbound=True),
            self.label)

    def send_rtp(self, packet: bytes | bytearray) -> None:
        self.rtp_sender.send_rtp(packet)

    def close(self) -> None:
        self.rtp_sender.close()
        self._datagram.close()


class Sink:
    """A UDP socket drained by a child process, so the forwarding thread pays only for sending.

    A draining thread in the same process would compete for the GIL and
    charge its wake-ups to the measurement; a browser or a load generator
    receives in another process too.
    """

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _DRAIN_PROGRAM], stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        port = int(self._process.stdout.readline())
        self.address = ("127.0.0.1", port)

    def close(self) -> int:
        """Stop the drain and return how many packets it received."""
        self._process.send_signal(signal.SIGTERM)
        output, _ = self._process.communicate(timeout=10)
        return int(output.strip() or 0)


_DRAIN_PROGRAM = """
import signal, socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
received = 0
def stop(signum, frame):
    print(received, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    sock.recv(2048)
    received += 1
"""


def build_track() -> PublishedTrack:
    owner = SimpleNamespace(sid="PA_bench", forwarding=ForwardingStats(), publisher=SimpleNamespace(
        ingress=SimpleNamespace(request_keyframe=lambda layer: None)))
    request = rtc_pb.AddTrackRequest(cid="bench", type=pb.TrackType.VIDEO, source=pb.TrackSource.CAMERA)
    track = PublishedTrack(owner, request)
    track.bind("0", Codec(96, "VP8", 90000), None, [])
    track.layers[0].ssrc = 0x1234
    return track


def synthetic_packets(count: int) -> list[bytes]:
    """Plaintext VP8 RTP packets of the 720p layer, keyframe first."""
    layer = encode_layers(DEFAULT_LAYERS, frame_count=60)[-1]
    packets = []
    sequence, timestamp, picture_id = 1000, 90000, 0
    while len(packets) < count:
        for frame in layer.frames:
            for index, payload in enumerate(frame.payloads):
                marker = 0x80 if index == len(frame.payloads) - 1 else 0
                header = FIXED_HEADER.pack(0x80, 96 | marker, sequence & 0xFFFF, timestamp, 0x1234)
                packets.append(header + with_picture_id(payload, picture_id))
                sequence += 1
            timestamp += 3000
            picture_id = (picture_id + 1) & 0x7FFF
    return packets[:count]


def measure(loop: asyncio.AbstractEventLoop, subscribers: int, packets: list[bytes]) -> dict:
    sink = Sink()
    track = build_track()
    layer = track.layers[0]
    transports = []
    for index in range(subscribers):
        transport = LoopbackTransport(loop, sink.address)
        session = SimpleNamespace(transport=transport, label=f"bench subscriber {index}")
        slot = Slot(mid=str(index), kind="video")
        slot.assign("PA_bench|TR_bench", track.sid,
                    CodecChoice.for_publisher_codec("video", track.codec))
        down_track = DownTrack(session, track, slot)
        down_track.start()
        transports.append(transport)

    key = os.urandom(GCM_KEY_LENGTH)
    sender = gcm_session(key, outbound=True)
    receiver = gcm_session(key, outbound=False)
    protected = [sender.protect(packet) for packet in packets]

    # The first keyframe attaches every down track to the layer; not measured.
    warmup = 200
    now_ms = int(time.monotonic() * 1000)
    for packet in protected[:warmup]:
        layer.receive(receiver.unprotect(packet), now_ms)
    attached = len(layer.down_tracks)

    forwarded_before = sum(d.packets_sent for d in track.down_tracks)
    started_cpu = time.thread_time()
    started_wall = time.perf_counter()
    for packet in protected[warmup:]:
        layer.receive(receiver.unprotect(packet), now_ms)
    cpu_s = time.thread_time() - started_cpu
    wall_s = time.perf_counter() - started_wall
    forwarded = sum(d.packets_sent for d in track.down_tracks) - forwarded_before

    time.sleep(0.3)
    send_failures = sum(t.rtp_sender.send_failures for t in transports)
    for transport in transports:
        transport.close()
    loop.run_until_complete(asyncio.sleep(0))
    received = sink.close()

    per_packet_us = cpu_s * 1e6 / forwarded if forwarded else float("nan")
    return {
        "subscribers": subscribers,
        "attached": attached,
        "incoming_packets": len(protected) - warmup,
        "forwarded_packets": forwarded,
        "cpu_s": round(cpu_s, 4),
        "wall_s": round(wall_s, 4),
        "cpu_us_per_forwarded_packet": round(per_packet_us, 3),
        "forwarded_pps_per_core": round(forwarded / cpu_s) if cpu_s else 0,
        "sink_received": received,
        "send_failures": send_failures,
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--packets", type=int, default=3000, help="incoming packets per run")
    parser.add_argument("--output", type=Path, default=RESULTS / "forwarding_micro.json")
    args = parser.parse_args(argv)

    packets = synthetic_packets(args.packets + 200)
    loop = uvloop.new_event_loop()
    try:
        rows = [measure(loop, count, packets) for count in args.subscribers]
    finally:
        loop.close()

    print(f"{'subscribers':>11} {'forwarded':>10} {'CPU-µs/pkt':>11} {'pkt/s per core':>15}")
    for row in rows:
        print(f"{row['subscribers']:>11} {row['forwarded_packets']:>10} "
              f"{row['cpu_us_per_forwarded_packet']:>11.2f} {row['forwarded_pps_per_core']:>15}")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "benchmark": "forwarding_micro",
        "machine": {"python": platform.python_version(), "processor": platform.processor(),
                    "machine": platform.machine(), "cpus": os.cpu_count(),
                    "load_average": os.getloadavg()},
        "srtp_profile": "AEAD_AES_128_GCM",
        "rows": rows,
    }, indent=2))
    return rows


if __name__ == "__main__":
    main()
