# SPDX-License-Identifier: AGPL-3.0-or-later
"""Data packets between participants over the `_reliable` and `_lossy` channels.

livekit-client opens both channels on its publisher connection and also
reads messages arriving on them, so the SFU sends on the same channels.
The sender's identity is always set by the SFU: a client cannot send in
someone else's name.
"""

import logging
from typing import TYPE_CHECKING

from aiortc import RTCDataChannel
from google.protobuf.message import DecodeError
from livekit.protocol import models as pb

if TYPE_CHECKING:
    from sfu.room.participant import Participant

logger = logging.getLogger(__name__)

RELIABLE_LABEL = "_reliable"
LOSSY_LABEL = "_lossy"

# SCTP messages above this size are refused; LiveKit's reliable limit is 15 KiB
# per packet and the client splits larger data streams into chunks.
MAX_DATA_PACKET_BYTES = 64 * 1024


class DataRelay:
    def __init__(self, participant: "Participant") -> None:
        self.participant = participant
        self._channels: dict[str, RTCDataChannel] = {}
        self.dropped = 0

    def adopt_channel(self, channel: RTCDataChannel) -> None:
        if channel.label not in (RELIABLE_LABEL, LOSSY_LABEL):
            return
        self._channels[channel.label] = channel
        channel.on("message", lambda message: self._on_message(channel.label, message))

    def _on_message(self, label: str, message: bytes | str) -> None:
        participant = self.participant
        if not isinstance(message, bytes) or len(message) > MAX_DATA_PACKET_BYTES:
            self.dropped += 1
            return
        if not participant.grant.can_publish_data:
            self.dropped += 1
            return

        packet = pb.DataPacket()
        try:
            packet.ParseFromString(message)
        except DecodeError:
            self.dropped += 1
            logger.info("%s: dropped an undecodable data packet", participant.label)
            return

        # Stamp the real sender; anything the client put there is replaced.
        packet.participant_identity = participant.identity
        packet.participant_sid = participant.sid
        if packet.HasField("user"):
            packet.user.participant_identity = participant.identity
            packet.user.participant_sid = participant.sid

        destinations = set(packet.destination_identities)
        if packet.HasField("user"):
            destinations.update(packet.user.destination_identities)
        participant.room.relay_data(participant, packet, label, destinations)

    def send(self, label: str, payload: bytes) -> bool:
        channel = self._channels.get(label) or self._channels.get(RELIABLE_LABEL)
        if channel is None or channel.readyState != "open":
            return False
        try:
            channel.send(payload)
        except Exception:
            # aiortc raises when the association is closing; the participant is leaving.
            logger.debug("%s: data channel send failed", self.participant.label, exc_info=True)
            return False
        return True
