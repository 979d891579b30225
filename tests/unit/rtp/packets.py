# SPDX-License-Identifier: AGPL-3.0-or-later
"""Independent ways to build RTP packets for the tests: aiortc's serializer and plain byte strings."""

import struct

from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap, RtpPacket

MID_ID = 1
RID_ID = 2
REPAIRED_RID_ID = 3
ABS_SEND_TIME_ID = 4
AUDIO_LEVEL_ID = 5
TRANSPORT_SEQUENCE_ID = 6

EXTENSION_URIS = {
    MID_ID: "urn:ietf:params:rtp-hdrext:sdes:mid",
    RID_ID: "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    REPAIRED_RID_ID: "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    ABS_SEND_TIME_ID: "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    AUDIO_LEVEL_ID: "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    TRANSPORT_SEQUENCE_ID: "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
}


def extensions_map(ids: dict[int, str] | None = None) -> HeaderExtensionsMap:
    """An aiortc extension map with the ids above (or ``ids``)."""
    parameters = RTCRtpParameters(headerExtensions=[
        RTCRtpHeaderExtensionParameters(id=extension_id, uri=uri)
        for extension_id, uri in (ids or EXTENSION_URIS).items()
    ])
    extension_map = HeaderExtensionsMap()
    extension_map.configure(parameters)
    return extension_map


def aiortc_packet(
    payload: bytes = b"\x01\x02\x03\x04",
    *,
    payload_type: int = 96,
    marker: int = 0,
    sequence: int = 1000,
    timestamp: int = 123456,
    ssrc: int = 0x11223344,
    csrcs: tuple[int, ...] = (),
    padding: int = 0,
    extensions: HeaderExtensions | None = None,
    extension_map: HeaderExtensionsMap | None = None,
) -> bytes:
    """Serialize an RTP packet with aiortc (padding bytes are random except the count)."""
    packet = RtpPacket(payload_type=payload_type, marker=marker, sequence_number=sequence,
                       timestamp=timestamp, ssrc=ssrc, payload=payload)
    packet.csrc = list(csrcs)
    packet.padding_size = padding
    if extensions is not None:
        packet.extensions = extensions
    return packet.serialize(extension_map or extensions_map())


def raw_packet(
    *,
    first: int = 0x80,
    second: int = 96,
    sequence: int = 1,
    timestamp: int = 2,
    ssrc: int = 3,
    tail: bytes = b"",
) -> bytes:
    """Fixed header from explicit first/second bytes, followed by ``tail`` as given."""
    return struct.pack("!BBHII", first, second, sequence, timestamp, ssrc) + tail
