# SPDX-License-Identifier: AGPL-3.0-or-later
"""Build LiveKit protocol messages (livekit-protocol protobufs) from SFU state."""

from typing import TYPE_CHECKING, Iterable

from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from sfu import __version__

if TYPE_CHECKING:
    from sfu.room.participant import Participant
    from sfu.room.room import Room

# The LiveKit server release whose client protocol this SFU speaks.
# livekit-client enables features by comparing this version (for example
# RPC needs 1.8.0), so it must be a real LiveKit version number.
LIVEKIT_COMPATIBLE_VERSION = "1.9.0"
PROTOCOL_VERSION = 16

# Seconds between client pings, and silence after which either side gives up.
PING_INTERVAL_S = 5
PING_TIMEOUT_S = 15

SOURCE_NAMES = {
    pb.TrackSource.CAMERA: "camera",
    pb.TrackSource.MICROPHONE: "microphone",
    pb.TrackSource.SCREEN_SHARE: "screen_share",
    pb.TrackSource.SCREEN_SHARE_AUDIO: "screen_share_audio",
}
SOURCE_VALUES = {name: value for value, name in SOURCE_NAMES.items()}


def server_info() -> pb.ServerInfo:
    return pb.ServerInfo(
        edition=pb.ServerInfo.Standard,
        version=LIVEKIT_COMPATIBLE_VERSION,
        protocol=PROTOCOL_VERSION,
        node_id="hubs-sfu",
        debug_info=f"Hubs SFU {__version__}",
    )


def join_response(room: "Room", participant: "Participant",
                  ice_servers: Iterable[rtc_pb.ICEServer]) -> rtc_pb.SignalResponse:
    others = [p.to_proto() for p in room.visible_participants() if p is not participant]
    return rtc_pb.SignalResponse(join=rtc_pb.JoinResponse(
        room=room.to_proto(),
        participant=participant.to_proto(),
        other_participants=others,
        server_version=LIVEKIT_COMPATIBLE_VERSION,
        server_info=server_info(),
        ice_servers=list(ice_servers),
        # The client offers on its publisher connection right after joining;
        # the SFU offers on the subscriber connection once there is media.
        subscriber_primary=False,
        ping_interval=PING_INTERVAL_S,
        ping_timeout=PING_TIMEOUT_S,
    ))


def permission(grant) -> pb.ParticipantPermission:
    return pb.ParticipantPermission(
        can_subscribe=grant.can_subscribe,
        can_publish=grant.can_publish,
        can_publish_data=grant.can_publish_data,
        can_publish_sources=[SOURCE_VALUES[s] for s in grant.can_publish_sources if s in SOURCE_VALUES],
        hidden=grant.hidden,
        recorder=grant.recorder,
        can_update_metadata=grant.can_update_own_metadata,
    )


def participant_update(participants: Iterable["Participant"]) -> rtc_pb.SignalResponse:
    return rtc_pb.SignalResponse(update=rtc_pb.ParticipantUpdate(
        participants=[p.to_proto() for p in participants]
    ))


def leave(reason: int, action: int = rtc_pb.LeaveRequest.DISCONNECT,
          can_reconnect: bool = False) -> rtc_pb.SignalResponse:
    return rtc_pb.SignalResponse(leave=rtc_pb.LeaveRequest(
        can_reconnect=can_reconnect, reason=reason, action=action,
    ))
