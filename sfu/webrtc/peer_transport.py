# SPDX-License-Identifier: AGPL-3.0-or-later
"""One participant-side connection: ICE, DTLS-SRTP and optionally SCTP, bundled.

aiortc's transports run ICE (aioice), the DTLS handshake, SRTP key export
and SCTP data channels. Media does not go through aiortc: once DTLS is up,
RTP and RTCP datagrams (first byte 128-191, RFC 7983) are taken off the UDP
socket synchronously, unprotected with the exported SRTP session and handed
to the forwarder. Outgoing RTP is protected and written straight to the
socket by an `SrtpSender`. This skips aiortc's per-packet coroutines,
RtpPacket objects, jitter buffers and decoder threads.
"""

import asyncio
import ipaddress
import logging
from dataclasses import dataclass
from typing import Callable

import pylibsrtp
from aiortc import (
    RTCCertificate,
    RTCDtlsFingerprint,
    RTCDtlsParameters,
    RTCDtlsTransport,
    RTCIceGatherer,
    RTCIceParameters,
    RTCIceTransport,
    RTCSctpTransport,
)
from aiortc.rtcdtlstransport import (
    SRTP_AEAD_AES_128_GCM,
    SRTP_AEAD_AES_256_GCM,
    SRTP_AES128_CM_SHA1_80,
)
from aiortc.rtcsctptransport import RTCSctpCapabilities
from aiortc.sdp import candidate_from_sdp, candidate_to_sdp

from sfu.webrtc.srtp_sender import SrtpSender

logger = logging.getLogger(__name__)

# AEAD_AES_128_GCM first: about three times cheaper per video packet than
# AES-CM with HMAC-SHA1 in pylibsrtp 1.0. The DTLS server's order decides.
SRTP_PREFERENCE = [SRTP_AEAD_AES_128_GCM, SRTP_AEAD_AES_256_GCM, SRTP_AES128_CM_SHA1_80]

PacketHandler = Callable[[bytes], None]

_certificate: RTCCertificate | None = None


def shared_certificate() -> RTCCertificate:
    """One DTLS certificate per SFU process, as browsers use one per peer connection."""
    global _certificate
    if _certificate is None:
        _certificate = RTCCertificate.generateCertificate()
    return _certificate


@dataclass(frozen=True)
class RemoteParameters:
    """What the remote side's SDP says about its ICE and DTLS endpoint."""

    ice_ufrag: str
    ice_pwd: str
    fingerprints: list[tuple[str, str]]
    ice_lite: bool = False
    sctp_port: int | None = None
    max_message_size: int | None = None


class PeerTransport:
    """ICE + DTLS (+ SCTP) for one of a participant's two peer connections."""

    def __init__(self, label: str, ice_controlling: bool, with_sctp: bool,
                 allowed_remote_networks: tuple = ()) -> None:
        self.label = label
        self._allowed_networks = allowed_remote_networks
        self._gatherer = RTCIceGatherer(iceServers=[])
        self._gatherer._connection.ice_controlling = ice_controlling
        self._ice = RTCIceTransport(self._gatherer)
        self._ice._role_set = True
        self._dtls = RTCDtlsTransport(self._ice, [shared_certificate()])
        self._dtls._srtp_profiles = SRTP_PREFERENCE
        self.sctp: RTCSctpTransport | None = RTCSctpTransport(self._dtls) if with_sctp else None

        self.on_rtp: PacketHandler = _ignore
        self.on_rtcp: PacketHandler = _ignore
        self.on_connected: Callable[[], None] = _nothing
        self.on_closed: Callable[[], None] = _nothing

        self.state = "new"
        self._start_task: asyncio.Task[None] | None = None
        self._send_socket: asyncio.DatagramTransport | None = None
        self._remote_address: tuple[str, int] | None = None
        self._rx_srtp: pylibsrtp.Session | None = None
        self._tx_srtp: pylibsrtp.Session | None = None
        # Set up with the fast path and closed with the transport. Down tracks
        # write into its buffer while `connected` is True.
        self.rtp_sender: SrtpSender | None = None
        # A plain attribute rather than a property, because every forwarded packet reads it.
        self.connected = False
        self.unprotect_failures = 0
        self.packets_received = 0
        self._dtls.on("statechange", self._on_dtls_state)

    # Local description ---------------------------------------------------------

    async def gather(self) -> None:
        await self._gatherer.gather()

    @property
    def ice_parameters(self) -> RTCIceParameters:
        return self._gatherer.getLocalParameters()

    @property
    def fingerprints(self) -> list[tuple[str, str]]:
        return [(f.algorithm, f.value) for f in self._dtls.getLocalParameters().fingerprints]

    def candidate_lines(self) -> list[str]:
        return [candidate_to_sdp(c) for c in self._gatherer.getLocalCandidates()]

    # Remote description --------------------------------------------------------

    async def add_remote_candidate(self, candidate_line: str) -> bool:
        """Add one `candidate:...` value from SDP or trickle; return False if it was skipped."""
        text = candidate_line.strip()
        if text.startswith("a="):
            text = text[2:]
        if text.startswith("candidate:"):
            text = text[len("candidate:"):]
        if not text:
            return False

        candidate = candidate_from_sdp(text)
        if candidate.protocol.lower() != "udp":
            return False
        if not self._is_allowed_address(candidate.ip):
            logger.debug("%s: skipping remote candidate outside allowed networks", self.label)
            return False

        await self._ice.addRemoteCandidate(candidate)
        return True

    def _is_allowed_address(self, address: str) -> bool:
        if not self._allowed_networks:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            # An mDNS hostname: it cannot be checked, so it is refused when a filter is set.
            return False
        return any(ip in network for network in self._allowed_networks)

    def start(self, remote: RemoteParameters, dtls_role: str) -> None:
        """Begin ICE and the DTLS handshake in the background; idempotent.

        `dtls_role` is "client" when the remote SDP says setup:passive or
        actpass answered by us as active, "server" when the remote is active.
        """
        if self._start_task is not None:
            return
        self._dtls._set_role(dtls_role)
        self.state = "connecting"
        self._start_task = asyncio.ensure_future(self._connect(remote))

    async def _connect(self, remote: RemoteParameters) -> None:
        try:
            await self._ice.start(RTCIceParameters(
                usernameFragment=remote.ice_ufrag,
                password=remote.ice_pwd,
                iceLite=remote.ice_lite,
            ))
            if self._ice.state != "completed":
                raise ConnectionError("ICE failed")

            fingerprints = [RTCDtlsFingerprint(a, v) for a, v in remote.fingerprints]
            await self._dtls.start(RTCDtlsParameters(fingerprints=fingerprints))
            if self._dtls.state != "connected":
                raise ConnectionError("DTLS handshake failed")

            self._install_fast_path()
            if self.sctp is not None and remote.sctp_port is not None:
                capabilities = RTCSctpCapabilities(maxMessageSize=remote.max_message_size or 65536)
                await self.sctp.start(capabilities, remote.sctp_port)

            self.state = "connected"
            self.connected = True
            logger.info("%s: connected (%s)", self.label, self._remote_address)
            self.on_connected()
        except (ConnectionError, asyncio.TimeoutError) as error:
            logger.warning("%s: transport failed: %s", self.label, error)
            self._mark_closed()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s: unexpected error while connecting", self.label)
            self._mark_closed()

    # Fast path -----------------------------------------------------------------

    def _install_fast_path(self) -> None:
        connection = self._ice._connection
        pair = connection._nominated.get(1)
        if pair is None:
            raise ConnectionError("no nominated ICE candidate pair")

        self._send_socket = pair.protocol.transport
        self._remote_address = pair.remote_addr
        self._rx_srtp = self._dtls._rx_srtp
        self._tx_srtp = self._dtls._tx_srtp
        self.rtp_sender = SrtpSender.on_transport(self._send_socket, self._remote_address,
                                                  self._tx_srtp, self.label)

        for protocol in connection._protocols:
            original = protocol.datagram_received
            protocol.datagram_received = self._make_receiver(original)

    def _make_receiver(self, original: Callable) -> Callable:
        remote_address = self._remote_address

        def datagram_received(data: bytes, address: tuple) -> None:
            # RTP and RTCP start with 128..191 (RFC 7983); STUN and DTLS keep
            # going through aioice and aiortc.
            if data and 127 < data[0] < 192:
                if (address[0], address[1]) == remote_address:
                    self._receive_srtp(data)
                return
            original(data, address)

        return datagram_received

    def _receive_srtp(self, data: bytes) -> None:
        rx = self._rx_srtp
        try:
            # RFC 5761 §4: RTCP packet types 192..223 share the port with RTP.
            if len(data) > 1 and 191 < data[1] < 224:
                self.on_rtcp(rx.unprotect_rtcp(data))
            else:
                self.packets_received += 1
                self.on_rtp(rx.unprotect(data))
        except pylibsrtp.Error:
            # Replays, late packets outside the window and corrupted packets
            # land here; counting is enough, logging each would flood.
            self.unprotect_failures += 1

    def send_rtp(self, packet: bytes | bytearray) -> None:
        """Protect and send one plaintext RTP packet; dropped while not connected."""
        if self._send_socket is None or self.rtp_sender is None:
            return
        self.rtp_sender.send_rtp(packet)

    @property
    def packets_sent(self) -> int:
        return self.rtp_sender.packets_sent if self.rtp_sender is not None else 0

    def send_rtcp(self, packet: bytes | bytearray) -> None:
        if self._send_socket is None:
            return
        self._send_socket.sendto(self._tx_srtp.protect_rtcp(bytes(packet)), self._remote_address)

    # Shutdown ------------------------------------------------------------------

    def _on_dtls_state(self) -> None:
        if self._dtls.state in ("closed", "failed") and self.state != "closed":
            logger.info("%s: DTLS %s", self.label, self._dtls.state)
            self._mark_closed()

    def _mark_closed(self) -> None:
        if self.state == "closed":
            return
        self.state = "closed"
        self.connected = False
        self._send_socket = None
        if self.rtp_sender is not None:
            self.rtp_sender.close()
        self.on_closed()

    async def close(self) -> None:
        self.on_closed = _nothing
        self._mark_closed()
        if self._start_task is not None and not self._start_task.done():
            self._start_task.cancel()
        try:
            if self.sctp is not None:
                await self.sctp.stop()
            await self._dtls.stop()
            await self._ice.stop()
        except Exception:
            logger.debug("%s: error while closing", self.label, exc_info=True)


def _ignore(packet: bytes) -> None:
    pass


def _nothing() -> None:
    pass
