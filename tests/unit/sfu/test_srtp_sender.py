# SPDX-License-Identifier: AGPL-3.0-or-later
"""SrtpSender against pylibsrtp's own `Session.protect`, and its handling of send errors."""

import errno
import os
import socket

import pylibsrtp
import pytest

from sfu.webrtc.srtp_sender import MAX_RTP_SIZE, SrtpSender
from tests.unit.rtp.packets import raw_packet

KEY = bytes(range(28))  # AEAD_AES_128_GCM: 16-byte key + 12-byte salt


def gcm_session(outbound: bool) -> pylibsrtp.Session:
    ssrc_type = pylibsrtp.Policy.SSRC_ANY_OUTBOUND if outbound else pylibsrtp.Policy.SSRC_ANY_INBOUND
    policy = pylibsrtp.Policy(key=KEY, ssrc_type=ssrc_type,
                              srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM)
    policy.allow_repeat_tx = True
    return pylibsrtp.Session(policy)


@pytest.fixture
def receiver():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2)
    yield sock
    sock.close()


@pytest.fixture
def sender(receiver):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    srtp_sender = SrtpSender(gcm_session(outbound=True), sock, receiver.getsockname(), "test")
    yield srtp_sender
    srtp_sender.close()


class FailingSocket:
    def __init__(self, error: OSError) -> None:
        self.error = error

    def sendto(self, data, address) -> int:
        raise self.error

    def close(self) -> None:
        pass


def test_sender_matches_pylibsrtp_protect(sender, receiver):
    reference = gcm_session(outbound=True)
    packets = [raw_packet(sequence=sequence, tail=os.urandom(size))
               for sequence, size in ((1, 0), (2, 160), (3, 1100))]

    for packet in packets:
        sender.send_rtp(bytearray(packet))
        assert receiver.recv(2048) == reference.protect(packet)

    assert sender.packets_sent == 3
    assert sender.send_failures == 0


def test_sender_rejects_oversized_packet(sender):
    with pytest.raises(ValueError):
        sender.send_rtp(raw_packet(tail=bytes(MAX_RTP_SIZE)))

    assert sender.packets_sent == 0


@pytest.mark.parametrize("error_number", [errno.EAGAIN, errno.ENOBUFS, errno.ECONNREFUSED])
def test_sender_drops_on_send_error(error_number):
    error = OSError(error_number, os.strerror(error_number))
    srtp_sender = SrtpSender(gcm_session(outbound=True), FailingSocket(error), ("127.0.0.1", 9), "test")

    srtp_sender.send_rtp(raw_packet(sequence=1, tail=b"payload"))
    srtp_sender.send_rtp(raw_packet(sequence=2, tail=b"payload"))

    assert srtp_sender.send_failures == 2
    assert srtp_sender.packets_sent == 0


def test_sender_on_closed_socket_drops(sender):
    sender.close()

    sender.send_rtp(raw_packet(tail=b"payload"))

    assert sender.send_failures == 1
