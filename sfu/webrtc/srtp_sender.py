# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outgoing SRTP for the media fast path: protect in place, send without blocking.

pylibsrtp's `Session.protect` accepts only `bytes`, allocates per call and
returns a new `bytes`. For every forwarded packet the SFU therefore wrote
the packet into a bytearray, copied it to bytes, copied that into
pylibsrtp's buffer and copied the result out again. `SrtpSender` instead
gives the caller a buffer to write the plaintext packet into, protects it
there with libsrtp and sends it straight from that buffer.

The packets go out through a duplicate of the ICE socket's file
descriptor, not through the event loop's `DatagramTransport.sendto`.
A full socket buffer (EAGAIN) or another send error drops the packet and
counts it instead of raising, so one subscriber's socket cannot stop the
fan-out to the others. uvloop would instead queue the packet on EAGAIN.
"""

import logging
import os
import socket
from typing import Union

import pylibsrtp

# NOTE: `_binding` and `Session._srtp` are pylibsrtp internals (checked
# against 1.0.0, which pyproject pins to 1.0.x). tests/unit/sfu/test_srtp_sender.py
# compares the output with `Session.protect`, so an upgrade that changes them fails there.
from pylibsrtp._binding import ffi, lib

logger = logging.getLogger(__name__)

Buffer = Union[bytes, bytearray, memoryview]

# pylibsrtp's own limits: a 1500-byte buffer that must leave room for the
# SRTP trailer (authentication tag and MKI, SRTP_MAX_TRAILER_LEN in libsrtp).
BUFFER_SIZE = 1500
MAX_RTP_SIZE = BUFFER_SIZE - (16 + 128)


class SrtpSender:
    """Sender of outgoing RTP: one SRTP session, one remote address.

    Write a plaintext packet into `buffer[:length]` and call `send_buffer(length)`,
    or pass a finished packet to `send_rtp`. Not thread-safe: one event
    loop thread owns each sender.
    """

    def __init__(self, session: pylibsrtp.Session, sock: socket.socket,
                 address: tuple[str, int], label: str) -> None:
        self.label = label
        self.address = address
        self._session = session  # keeps the libsrtp context alive
        self._srtp = session._srtp[0]
        self._socket = sock
        self._sendto = sock.sendto
        self._cdata = ffi.new("char[]", BUFFER_SIZE)
        self._length = ffi.new("int *")
        self.buffer = memoryview(ffi.buffer(self._cdata))[:MAX_RTP_SIZE]
        self._protected = memoryview(ffi.buffer(self._cdata))
        self.packets_sent = 0
        self.send_failures = 0

    @classmethod
    def on_transport(cls, transport, address: tuple[str, int], session: pylibsrtp.Session,
                     label: str) -> "SrtpSender":
        """Build a sender on a duplicate of an asyncio or uvloop datagram transport's socket.

        The duplicate shares the socket's local address, so packets still
        come from the nominated ICE candidate. Closing the sender closes
        only the duplicate.
        """
        sock = socket.socket(fileno=os.dup(transport.get_extra_info("socket").fileno()))
        sock.setblocking(False)
        return cls(session, sock, address, label)

    def send_rtp(self, packet: Buffer) -> None:
        """Protect and send a finished plaintext RTP packet.

        Raises ValueError for a packet longer than MAX_RTP_SIZE bytes, as
        `pylibsrtp.Session.protect` does.
        """
        length = len(packet)
        if length > MAX_RTP_SIZE:
            raise ValueError(f"RTP packet of {length} bytes exceeds the SRTP maximum of {MAX_RTP_SIZE} bytes")
        self.buffer[:length] = packet
        self.send_buffer(length)

    def send_buffer(self, length: int) -> None:
        """Protect the plaintext RTP packet in `buffer[:length]` in place and send it.

        Raises pylibsrtp.Error if libsrtp rejects the packet, as
        `pylibsrtp.Session.protect` does. Send errors only count as dropped.
        """
        length_pointer = self._length
        length_pointer[0] = length
        status = lib.srtp_protect(self._srtp, self._cdata, length_pointer)
        if status:
            raise pylibsrtp.Error(f"srtp_protect failed with libsrtp status {status}")
        try:
            self._sendto(self._protected[:length_pointer[0]], self.address)
        except OSError as error:
            self._count_failure(error)
            return
        self.packets_sent += 1

    def _count_failure(self, error: OSError) -> None:
        # EAGAIN (socket buffer full), ENOBUFS and ICMP-reported errors all
        # drop the packet. The first one is logged and the rest only counted,
        # because under overload this happens for many packets a second.
        self.send_failures += 1
        if self.send_failures == 1:
            logger.warning("%s: dropping RTP packets that fail to send: %s", self.label, error)

    def close(self) -> None:
        self._socket.close()
