# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTCP parsing and building without packet objects.

Formats: sender and receiver reports, SDES CNAME and BYE (RFC 3550 §6),
generic NACK and PLI (RFC 4585 §6.2.1 and §6.3.1), FIR (RFC 5104 §4.3.1),
REMB (draft-alvestrand-rmcat-remb-03 §2.2) and transport-wide congestion
control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).

Parsers take one RTCP packet, header included, as yielded by
``iter_packets``, and raise ``ValueError`` for anything malformed. Builders
return ``bytes`` ready for SRTCP protection, and ``build_compound`` joins them.
"""

import struct
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, Union

Buffer = Union[bytes, bytearray, memoryview]

RTCP_VERSION = 2
HEADER_SIZE = 4

SR = 200
RR = 201
SDES = 202
BYE = 203
RTPFB = 205
PSFB = 206

RTPFB_NACK = 1
RTPFB_TRANSPORT_FEEDBACK = 15
PSFB_PLI = 1
PSFB_FIR = 4
PSFB_APPLICATION = 15

SDES_CNAME = 1

MAX_REPORT_BLOCKS = 31
REMB_IDENTIFIER = b"REMB"

# Transport-wide feedback: receive deltas are in units of 250 µs, the reference time in units of 64 ms.
TRANSPORT_DELTA_US = 250
TRANSPORT_REFERENCE_US = 64_000

_HEADER = struct.Struct("!BBH")
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_TWO_U32 = struct.Struct("!II")
_SENDER_INFO = struct.Struct("!IQIII")
_REPORT_BLOCK = struct.Struct("!IIIIII")
_NACK_ITEM = struct.Struct("!HH")
_FIR_ITEM = struct.Struct("!IB3x")
_REMB_HEADER = struct.Struct("!4sBBH")
_TRANSPORT_HEADER = struct.Struct("!IIHHI")
_SIGNED_16 = struct.Struct("!h")

_PACKETS_LOST_MIN = -(1 << 23)
_PACKETS_LOST_MAX = (1 << 23) - 1


class ReportBlock(NamedTuple):
    """One reception report block (RFC 3550 §6.4.1)."""

    ssrc: int
    fraction_lost: int
    packets_lost: int
    highest_sequence: int
    jitter: int
    last_sr: int
    delay_since_last_sr: int


class SenderReport(NamedTuple):
    """Sender report (RFC 3550 §6.4.1) with the full 64-bit NTP time in ``ntp_timestamp``."""

    ssrc: int
    ntp_timestamp: int
    rtp_timestamp: int
    packet_count: int
    octet_count: int
    reports: list[ReportBlock]


class ReceiverReport(NamedTuple):
    """Receiver report (RFC 3550 §6.4.2)."""

    ssrc: int
    reports: list[ReportBlock]


class Nack(NamedTuple):
    """Generic NACK (RFC 4585 §6.2.1) expanded to the lost sequence numbers."""

    sender_ssrc: int
    media_ssrc: int
    lost: list[int]


class Pli(NamedTuple):
    """Picture loss indication (RFC 4585 §6.3.1)."""

    sender_ssrc: int
    media_ssrc: int


class Fir(NamedTuple):
    """Full intra request (RFC 5104 §4.3.1): ``entries`` are ``(ssrc, sequence_number)``."""

    sender_ssrc: int
    entries: list[tuple[int, int]]


class Remb(NamedTuple):
    """Receiver estimated maximum bitrate in bits per second (draft-alvestrand-rmcat-remb-03)."""

    sender_ssrc: int
    bitrate: int
    ssrcs: list[int]


class Bye(NamedTuple):
    """Goodbye (RFC 3550 §6.6)."""

    ssrcs: list[int]
    reason: str | None


class TransportFeedback(NamedTuple):
    """Transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).

    ``reference_time`` is the raw 24-bit value in units of 64 ms.
    ``packets`` contains ``(sequence, received, delta_us)`` for every
    sequence number the feedback covers. ``delta_us`` is None for a packet
    not received, else its arrival time relative to the previous received
    packet (the first one relative to the reference time).
    """

    sender_ssrc: int
    media_ssrc: int
    base_sequence: int
    reference_time: int
    feedback_count: int
    packets: list[tuple[int, bool, int | None]]


def iter_packets(compound: Buffer) -> Iterator[tuple[int, int, memoryview]]:
    """Yield ``(packet_type, count_or_fmt, packet)`` for each packet of a compound RTCP packet.

    ``packet`` is a view of the whole packet, header and padding included,
    ready for the parsers below. Each header is checked (version 2, length
    within the buffer, padding within the packet) before its packet is
    yielded, so a malformed packet raises ``ValueError`` after the packets
    before it were yielded. An empty buffer raises ``ValueError`` at once.
    """
    length = len(compound)
    if length == 0:
        raise ValueError("RTCP packet is empty")

    view = memoryview(compound)
    position = 0
    while position < length:
        if position + HEADER_SIZE > length:
            raise ValueError(f"RTCP header at byte {position} is truncated: {length - position} bytes left")

        first = compound[position]
        if first >> 6 != RTCP_VERSION:
            raise ValueError(f"RTCP version at byte {position} is {first >> 6}, expected 2")

        end = position + ((((compound[position + 2] << 8) | compound[position + 3]) + 1) << 2)
        if end > length:
            raise ValueError(f"RTCP packet at byte {position} claims to end at byte {end}, past the end at {length}")
        if first & 0x20:
            padding = compound[end - 1]
            if padding == 0 or padding > end - position - HEADER_SIZE:
                raise ValueError(f"RTCP padding of {padding} bytes at byte {position} does not fit the packet")

        yield compound[position + 1], first & 0x1F, view[position:end]
        position = end


def _open(packet: Buffer, packet_type: int, name: str) -> tuple[int, int]:
    """Check one packet's header and return ``(count_or_fmt, end_without_padding)``."""
    length = len(packet)
    if length < HEADER_SIZE:
        raise ValueError(f"RTCP {name} of {length} bytes is shorter than the 4-byte header")

    first = packet[0]
    if first >> 6 != RTCP_VERSION:
        raise ValueError(f"RTCP {name} has version {first >> 6}, expected 2")
    if packet[1] != packet_type:
        raise ValueError(f"RTCP packet type is {packet[1]}, expected {packet_type} ({name})")

    end = (((packet[2] << 8) | packet[3]) + 1) << 2
    if end > length:
        raise ValueError(f"RTCP {name} claims {end} bytes but only {length} are present")
    if first & 0x20:
        padding = packet[end - 1]
        if padding == 0 or padding > end - HEADER_SIZE:
            raise ValueError(f"RTCP {name} padding of {padding} bytes does not fit the packet")
        end -= padding
    return first & 0x1F, end


def _parse_report_blocks(packet: Buffer, position: int, count: int, end: int, name: str) -> list[ReportBlock]:
    if position + count * _REPORT_BLOCK.size > end:
        raise ValueError(f"RTCP {name} announces {count} report blocks but has room for {(end - position) // 24}")

    reports = []
    for _ in range(count):
        ssrc, loss, highest, jitter, last_sr, delay = _REPORT_BLOCK.unpack_from(packet, position)
        packets_lost = loss & 0xFFFFFF
        if packets_lost & 0x800000:
            packets_lost -= 0x1000000
        reports.append(ReportBlock(ssrc, loss >> 24, packets_lost, highest, jitter, last_sr, delay))
        position += _REPORT_BLOCK.size
    return reports


def parse_sender_report(packet: Buffer) -> SenderReport:
    """Parse a sender report and its report blocks, ignoring profile extensions after them."""
    count, end = _open(packet, SR, "sender report")
    if end < HEADER_SIZE + _SENDER_INFO.size:
        raise ValueError(f"RTCP sender report of {end} bytes is shorter than the 28-byte minimum")

    ssrc, ntp, rtp_timestamp, packet_count, octet_count = _SENDER_INFO.unpack_from(packet, HEADER_SIZE)
    reports = _parse_report_blocks(packet, HEADER_SIZE + _SENDER_INFO.size, count, end, "sender report")
    return SenderReport(ssrc, ntp, rtp_timestamp, packet_count, octet_count, reports)


def parse_receiver_report(packet: Buffer) -> ReceiverReport:
    """Parse a receiver report and its report blocks."""
    count, end = _open(packet, RR, "receiver report")
    if end < HEADER_SIZE + 4:
        raise ValueError(f"RTCP receiver report of {end} bytes has no sender SSRC")

    ssrc = _U32.unpack_from(packet, HEADER_SIZE)[0]
    return ReceiverReport(ssrc, _parse_report_blocks(packet, HEADER_SIZE + 4, count, end, "receiver report"))


def _feedback_ssrcs(packet: Buffer, packet_type: int, fmt: int, name: str) -> tuple[int, int, int]:
    """Check a feedback message header (RFC 4585 §6.1) and return ``(sender, media, end)``."""
    packet_fmt, end = _open(packet, packet_type, name)
    if packet_fmt != fmt:
        raise ValueError(f"RTCP feedback format is {packet_fmt}, expected {fmt} ({name})")
    if end < HEADER_SIZE + 8:
        raise ValueError(f"RTCP {name} of {end} bytes is shorter than the 12-byte feedback header")

    sender_ssrc, media_ssrc = _TWO_U32.unpack_from(packet, HEADER_SIZE)
    return sender_ssrc, media_ssrc, end


def parse_nack(packet: Buffer) -> Nack:
    """Parse a generic NACK and expand every PID/BLP pair into sequence numbers."""
    sender_ssrc, media_ssrc, end = _feedback_ssrcs(packet, RTPFB, RTPFB_NACK, "NACK")
    if end == 12:
        raise ValueError("RTCP NACK has no PID/BLP entries")

    lost = []
    for position in range(12, end - 3, 4):
        pid, blp = _NACK_ITEM.unpack_from(packet, position)
        lost.append(pid)
        bit = 0
        while blp:
            if blp & 1:
                lost.append((pid + bit + 1) & 0xFFFF)
            blp >>= 1
            bit += 1
    return Nack(sender_ssrc, media_ssrc, lost)


def parse_pli(packet: Buffer) -> Pli:
    """Parse a picture loss indication."""
    sender_ssrc, media_ssrc, _ = _feedback_ssrcs(packet, PSFB, PSFB_PLI, "PLI")
    return Pli(sender_ssrc, media_ssrc)


def parse_fir(packet: Buffer) -> Fir:
    """Parse a full intra request, whose media SSRC field is unused (RFC 5104 §4.3.1.2)."""
    sender_ssrc, _, end = _feedback_ssrcs(packet, PSFB, PSFB_FIR, "FIR")
    if end - 12 < _FIR_ITEM.size:
        raise ValueError("RTCP FIR has no FCI entries")

    entries = []
    for position in range(12, end - _FIR_ITEM.size + 1, _FIR_ITEM.size):
        entries.append(_FIR_ITEM.unpack_from(packet, position))
    return Fir(sender_ssrc, entries)


def is_remb(packet: Buffer) -> bool:
    """Tell whether an application-layer feedback packet (PSFB, FMT 15) carries REMB."""
    return len(packet) >= 16 and packet[1] == PSFB and packet[0] & 0x1F == PSFB_APPLICATION \
        and bytes(packet[12:16]) == REMB_IDENTIFIER


def parse_remb(packet: Buffer) -> Remb:
    """Parse a REMB message: 6-bit exponent, 18-bit mantissa, then the SSRCs it applies to."""
    sender_ssrc, _, end = _feedback_ssrcs(packet, PSFB, PSFB_APPLICATION, "REMB")
    if end < 12 + _REMB_HEADER.size:
        raise ValueError(f"RTCP REMB of {end} bytes is shorter than the 20-byte minimum")

    identifier, ssrc_count, exponent_high, mantissa_low = _REMB_HEADER.unpack_from(packet, 12)
    if identifier != REMB_IDENTIFIER:
        raise ValueError(f"RTCP application feedback identifier is {identifier!r}, expected b'REMB'")
    if 20 + ssrc_count * 4 > end:
        raise ValueError(f"RTCP REMB announces {ssrc_count} SSRCs but has room for {(end - 20) // 4}")

    bitrate = (((exponent_high & 0x03) << 16) | mantissa_low) << (exponent_high >> 2)
    ssrcs = list(struct.unpack_from(f"!{ssrc_count}I", packet, 20))
    return Remb(sender_ssrc, bitrate, ssrcs)


def parse_bye(packet: Buffer) -> Bye:
    """Parse a BYE with its SSRCs and optional reason (decoded as UTF-8, invalid bytes replaced)."""
    count, end = _open(packet, BYE, "BYE")
    position = HEADER_SIZE + count * 4
    if position > end:
        raise ValueError(f"RTCP BYE announces {count} SSRCs but has room for {(end - HEADER_SIZE) // 4}")

    ssrcs = list(struct.unpack_from(f"!{count}I", packet, HEADER_SIZE))
    reason = None
    if position < end:
        reason_length = packet[position]
        if position + 1 + reason_length > end:
            raise ValueError(f"RTCP BYE reason of {reason_length} bytes runs past the packet")
        reason = bytes(packet[position + 1:position + 1 + reason_length]).decode("utf-8", "replace")
    return Bye(ssrcs, reason)


def parse_transport_feedback(packet: Buffer) -> TransportFeedback:
    """Parse transport-wide congestion control feedback into per-packet arrival deltas.

    Raises ``ValueError`` for a truncated chunk list or delta list and for
    the reserved status symbol 3.
    """
    sender_ssrc, media_ssrc, end = _feedback_ssrcs(packet, RTPFB, RTPFB_TRANSPORT_FEEDBACK, "transport feedback")
    if end < 20:
        raise ValueError(f"RTCP transport feedback of {end} bytes is shorter than the 20-byte minimum")

    _, _, base_sequence, status_count, reference = _TRANSPORT_HEADER.unpack_from(packet, HEADER_SIZE)
    symbols, position = _parse_status_chunks(packet, 20, end, status_count)

    packets = []
    sequence = base_sequence
    for symbol in symbols:
        if symbol == 0:
            packets.append((sequence, False, None))
        elif symbol == 1:
            if position + 1 > end:
                raise ValueError(f"RTCP transport feedback is missing the delta for sequence {sequence}")
            packets.append((sequence, True, packet[position] * TRANSPORT_DELTA_US))
            position += 1
        else:
            if position + 2 > end:
                raise ValueError(f"RTCP transport feedback is missing the delta for sequence {sequence}")
            packets.append((sequence, True, _SIGNED_16.unpack_from(packet, position)[0] * TRANSPORT_DELTA_US))
            position += 2
        sequence = (sequence + 1) & 0xFFFF

    return TransportFeedback(sender_ssrc, media_ssrc, base_sequence, reference >> 8, reference & 0xFF, packets)


def _parse_status_chunks(packet: Buffer, position: int, end: int, status_count: int) -> tuple[list[int], int]:
    """Decode run-length and status vector chunks into one status symbol per packet.

    Returns the symbols and the offset of the first receive delta.
    """
    symbols: list[int] = []
    while len(symbols) < status_count:
        if position + 2 > end:
            raise ValueError(
                f"RTCP transport feedback chunks cover {len(symbols)} of {status_count} packets before the end"
            )
        chunk = (packet[position] << 8) | packet[position + 1]
        position += 2
        remaining = status_count - len(symbols)

        if not chunk & 0x8000:
            symbol = (chunk >> 13) & 0x03
            if symbol == 3:
                raise ValueError("RTCP transport feedback run-length chunk uses reserved status symbol 3")
            symbols.extend([symbol] * min(chunk & 0x1FFF, remaining))
        elif not chunk & 0x4000:
            for index in range(min(14, remaining)):
                symbols.append((chunk >> (13 - index)) & 0x01)
        else:
            for index in range(min(7, remaining)):
                symbol = (chunk >> (12 - 2 * index)) & 0x03
                if symbol == 3:
                    raise ValueError("RTCP transport feedback status vector uses reserved status symbol 3")
                symbols.append(symbol)
    return symbols, position


def _pack_header(count: int, packet_type: int, payload_size: int) -> bytes:
    return _HEADER.pack((RTCP_VERSION << 6) | count, packet_type, payload_size >> 2)


def _pack_report_blocks(reports: Sequence[ReportBlock]) -> bytes:
    if len(reports) > MAX_REPORT_BLOCKS:
        raise ValueError(f"{len(reports)} report blocks exceed the 31 one RTCP packet can carry")

    parts = []
    for report in reports:
        # RFC 3550 §6.4.1 gives the cumulative loss 24 signed bits, so larger counts saturate.
        packets_lost = min(max(report.packets_lost, _PACKETS_LOST_MIN), _PACKETS_LOST_MAX) & 0xFFFFFF
        if not 0 <= report.fraction_lost <= 255:
            raise ValueError(f"fraction lost {report.fraction_lost} is outside 0-255")
        parts.append(_REPORT_BLOCK.pack(
            report.ssrc, (report.fraction_lost << 24) | packets_lost, report.highest_sequence,
            report.jitter, report.last_sr, report.delay_since_last_sr,
        ))
    return b"".join(parts)


def _checked(build, *fields) -> bytes:
    try:
        return build(*fields)
    except struct.error as error:
        raise ValueError(f"RTCP field out of range: {error}") from None


def build_sender_report(
    ssrc: int,
    ntp_timestamp: int,
    rtp_timestamp: int,
    packet_count: int,
    octet_count: int,
    reports: Sequence[ReportBlock] = (),
) -> bytes:
    """Build a sender report with up to 31 report blocks."""
    blocks = _pack_report_blocks(reports)
    sender_info = _checked(_SENDER_INFO.pack, ssrc, ntp_timestamp, rtp_timestamp, packet_count, octet_count)
    return _pack_header(len(reports), SR, len(sender_info) + len(blocks)) + sender_info + blocks


def build_receiver_report(ssrc: int, reports: Sequence[ReportBlock] = ()) -> bytes:
    """Build a receiver report with up to 31 report blocks."""
    blocks = _pack_report_blocks(reports)
    return _pack_header(len(reports), RR, 4 + len(blocks)) + _checked(_U32.pack, ssrc) + blocks


def build_sdes_cname(ssrc: int, cname: str) -> bytes:
    """Build an SDES packet with one chunk carrying the CNAME item (RFC 3550 §6.5.1)."""
    text = cname.encode("utf-8")
    if not 0 < len(text) <= 255:
        raise ValueError(f"CNAME of {len(text)} bytes is outside 1-255 bytes")

    chunk = _checked(_U32.pack, ssrc) + bytes((SDES_CNAME, len(text))) + text
    # The item list ends with at least one null octet, then pads to a 32-bit boundary.
    chunk += b"\x00" * (4 - len(chunk) % 4)
    return _pack_header(1, SDES, len(chunk)) + chunk


def build_bye(ssrcs: Sequence[int], reason: str | None = None) -> bytes:
    """Build a BYE for up to 31 SSRCs with an optional reason of up to 255 UTF-8 bytes."""
    if len(ssrcs) > MAX_REPORT_BLOCKS:
        raise ValueError(f"{len(ssrcs)} SSRCs exceed the 31 one BYE can carry")

    body = b"".join(_checked(_U32.pack, ssrc) for ssrc in ssrcs)
    if reason is not None:
        text = reason.encode("utf-8")
        if len(text) > 255:
            raise ValueError(f"BYE reason of {len(text)} bytes exceeds 255 bytes")
        body += bytes((len(text),)) + text
        body += b"\x00" * (-len(body) % 4)
    return _pack_header(len(ssrcs), BYE, len(body)) + body


def build_nack(sender_ssrc: int, media_ssrc: int, lost: Iterable[int]) -> bytes:
    """Build a generic NACK for the given sequence numbers (duplicates allowed, order free).

    Numbers are packed as PID plus a 16-bit BLP of the following numbers.
    They are ordered from the end of the largest circular gap, so a loss run
    across the 16-bit wrap (65534, 65535, 0, 1) shares one entry. Raises
    ``ValueError`` for an empty set or a number outside 0-65535.
    """
    numbers = sorted(set(lost))
    if not numbers:
        raise ValueError("NACK needs at least one lost sequence number")
    if numbers[0] < 0 or numbers[-1] > 0xFFFF:
        raise ValueError(f"NACK sequence numbers must be 0-65535, got {numbers[0]}..{numbers[-1]}")

    start = 0
    largest_gap = numbers[0] + 0x10000 - numbers[-1]
    for index in range(1, len(numbers)):
        gap = numbers[index] - numbers[index - 1]
        if gap > largest_gap:
            largest_gap = gap
            start = index
    ordered = numbers[start:] + numbers[:start]

    items = []
    pid = ordered[0]
    blp = 0
    for sequence in ordered[1:]:
        distance = (sequence - pid) & 0xFFFF
        if distance <= 16:
            blp |= 1 << (distance - 1)
        else:
            items.append(_NACK_ITEM.pack(pid, blp))
            pid = sequence
            blp = 0
    items.append(_NACK_ITEM.pack(pid, blp))

    body = _checked(_TWO_U32.pack, sender_ssrc, media_ssrc) + b"".join(items)
    return _pack_header(RTPFB_NACK, RTPFB, len(body)) + body


def build_pli(sender_ssrc: int, media_ssrc: int) -> bytes:
    """Build a picture loss indication."""
    body = _checked(_TWO_U32.pack, sender_ssrc, media_ssrc)
    return _pack_header(PSFB_PLI, PSFB, len(body)) + body


def build_fir(sender_ssrc: int, entries: Iterable[tuple[int, int]]) -> bytes:
    """Build a full intra request for ``(media_ssrc, sequence_number)`` entries.

    The sequence number (0-255) must increase by one for each new request
    to the same SSRC (RFC 5104 §4.3.1.2), and the caller keeps that counter.
    """
    items = [_checked(_FIR_ITEM.pack, ssrc, sequence_number) for ssrc, sequence_number in entries]
    if not items:
        raise ValueError("FIR needs at least one entry")

    body = _checked(_TWO_U32.pack, sender_ssrc, 0) + b"".join(items)
    return _pack_header(PSFB_FIR, PSFB, len(body)) + body


def build_remb(sender_ssrc: int, bitrate: int, ssrcs: Sequence[int]) -> bytes:
    """Build a REMB message for ``bitrate`` bits per second.

    The mantissa is truncated to 18 bits, so the encoded value never
    exceeds ``bitrate``. Raises ``ValueError`` for a negative bitrate, one
    beyond the 6-bit exponent's range, or more than 255 SSRCs.
    """
    if bitrate < 0:
        raise ValueError(f"REMB bitrate {bitrate} is negative")
    if len(ssrcs) > 255:
        raise ValueError(f"REMB can list at most 255 SSRCs, got {len(ssrcs)}")

    exponent = max(bitrate.bit_length() - 18, 0)
    if exponent > 63:
        raise ValueError(f"REMB bitrate {bitrate} exceeds the largest encodable value")
    mantissa = bitrate >> exponent

    body = b"".join((
        _checked(_TWO_U32.pack, sender_ssrc, 0),
        _REMB_HEADER.pack(REMB_IDENTIFIER, len(ssrcs), (exponent << 2) | (mantissa >> 16), mantissa & 0xFFFF),
        b"".join(_checked(_U32.pack, ssrc) for ssrc in ssrcs),
    ))
    return _pack_header(PSFB_APPLICATION, PSFB, len(body)) + body


def build_compound(packets: Iterable[bytes]) -> bytes:
    """Join RTCP packets into one compound packet (RFC 3550 §6.1).

    RFC 3550 expects an SR or RR first and an SDES CNAME in each compound.
    With reduced-size RTCP (RFC 5506) single feedback packets are valid too.
    """
    return b"".join(packets)


def ntp_timestamp(unix_time_s: float) -> int:
    """Return the 64-bit NTP timestamp (RFC 5905 era 0) for a Unix time in seconds."""
    seconds = int(unix_time_s)
    fraction = int((unix_time_s - seconds) * (1 << 32))
    return (((seconds + 2_208_988_800) & 0xFFFFFFFF) << 32) | (fraction & 0xFFFFFFFF)


def ntp_middle_bits(ntp: int) -> int:
    """Return the middle 32 bits of an NTP timestamp, the form used in LSR (RFC 3550 §6.4.1)."""
    return (ntp >> 16) & 0xFFFFFFFF
