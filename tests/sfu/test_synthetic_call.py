# SPDX-License-Identifier: AGPL-3.0-or-later
"""Two synthetic participants exchange simulcast video and audio through the SFU."""

import asyncio
import itertools

from bench.loadgen.media_source import DEFAULT_LAYERS, encode_layers
from bench.loadgen.synthetic_participant import SyntheticParticipant
from sfu.rtp import rtcp


async def test_synthetic_publisher_reaches_subscriber(sfu_server):
    layers = encode_layers(DEFAULT_LAYERS[:2], frame_count=60)
    alice = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("alice", "room"), "alice")
    bob = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("bob", "room"), "bob")
    try:
        await alice.join()
        await bob.join()
        await alice.publish(audio=True, video=layers)
        await asyncio.sleep(3)

        video_sid = next(sid for cid, sid in alice.track_sids.items() if cid.startswith("video"))
        audio_sid = next(sid for cid, sid in alice.track_sids.items() if cid.startswith("audio"))
        assert bob.packets_of(video_sid) > 50, bob.received
        assert bob.packets_of(audio_sid) > 50, bob.received
    finally:
        await alice.close()
        await bob.close()


async def test_sender_reports_share_one_compound_datagram(sfu_server):
    """The SFU reports on all of a subscriber's down tracks in one compound RTCP datagram a second."""
    layers = encode_layers(DEFAULT_LAYERS[:1], frame_count=60)
    alice = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("alice", "room"), "alice")
    bob = SyntheticParticipant(sfu_server.ws_url, sfu_server.token("bob", "room"), "bob")
    datagrams: list[tuple[float, list[rtcp.SenderReport]]] = []

    def on_rtcp(packet: bytes) -> None:
        reports = [rtcp.parse_sender_report(body) for packet_type, _, body in rtcp.iter_packets(packet)
                   if packet_type == rtcp.SR]
        if reports:
            datagrams.append((asyncio.get_running_loop().time(), reports))

    bob.subscriber.on_rtcp = on_rtcp
    try:
        await alice.join()
        await bob.join()
        await alice.publish(audio=True, video=layers)
        await asyncio.sleep(4.5)
    finally:
        await alice.close()
        await bob.close()

    assert len(datagrams) >= 2, datagrams
    last_reports = datagrams[-1][1]
    assert len(last_reports) == 2, last_reports
    assert len({report.ssrc for report in last_reports}) == 2
    assert all(report.packet_count > 0 for report in last_reports)
    # Once a second, not once per tick.
    intervals = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(datagrams)]
    assert min(intervals) > 0.8, intervals
