# SPDX-License-Identifier: AGPL-3.0-or-later
"""Per-participant packet counters: what its client sent and what the SFU forwarded of it.

The counters live on the participant rather than on its tracks, so they
survive a track being unpublished (for example when a moderator revokes a
source). Moderation tests read them through `hubs.StatsService` to show
that a muted participant's packets still arrive but are not forwarded.
"""


class ForwardingStats:
    __slots__ = ("packets_received", "audio_forwarded", "video_forwarded")

    def __init__(self) -> None:
        # Every SRTP-authenticated RTP packet on the publisher connection, routed or not.
        self.packets_received = 0
        # Packets sent to subscribers, counted once per subscriber; retransmissions excluded.
        self.audio_forwarded = 0
        self.video_forwarded = 0

    def to_json(self) -> dict[str, int]:
        return {
            "packetsReceived": self.packets_received,
            "audioPacketsForwarded": self.audio_forwarded,
            "videoPacketsForwarded": self.video_forwarded,
        }
