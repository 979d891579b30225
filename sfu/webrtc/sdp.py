# SPDX-License-Identifier: AGPL-3.0-or-later
"""Parse and write the subset of SDP (RFC 8866) that WebRTC uses (JSEP, RFC 8829).

The SFU writes its own offers and answers instead of letting aiortc do it,
because it must add what aiortc does not negotiate: simulcast receive lines
(RFC 8853 `a=rid` / `a=simulcast`), transport-wide congestion control, RTX
for forwarded streams and msid values in LiveKit's `PA_…|TR_…` form.

Input comes from the network, so the parser checks every line it relies on
and raises SdpError with the line number instead of an IndexError.
"""

from dataclasses import dataclass, field


class SdpError(ValueError):
    """The session description is malformed or lacks a required line."""


@dataclass
class Codec:
    payload_type: int
    name: str
    clock_rate: int
    channels: int | None = None
    fmtp: str = ""
    feedback: list[str] = field(default_factory=list)

    @property
    def mime_type(self) -> str:
        return self.name.lower()

    def fmtp_params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        for item in self.fmtp.split(";"):
            key, _, value = item.strip().partition("=")
            if key:
                params[key.lower()] = value
        return params


@dataclass
class Rid:
    rid: str
    direction: str  # "send" or "recv"
    params: str = ""


@dataclass
class MediaSection:
    kind: str  # audio, video or application
    port: int
    protocol: str
    formats: list[str]
    mid: str | None = None
    direction: str = "sendrecv"
    codecs: dict[int, Codec] = field(default_factory=dict)
    extensions: dict[int, str] = field(default_factory=dict)  # id -> URI
    msid: tuple[str, str] | None = None  # (stream id, track id)
    ssrcs: dict[int, dict[str, str]] = field(default_factory=dict)
    ssrc_groups: list[tuple[str, list[int]]] = field(default_factory=list)
    rids: list[Rid] = field(default_factory=list)
    simulcast: str | None = None
    ice_ufrag: str | None = None
    ice_pwd: str | None = None
    fingerprints: list[tuple[str, str]] = field(default_factory=list)
    setup: str | None = None
    candidates: list[str] = field(default_factory=list)
    end_of_candidates: bool = False
    sctp_port: int | None = None
    max_message_size: int | None = None
    rtcp_mux: bool = False

    @property
    def rejected(self) -> bool:
        return self.port == 0

    def extension_id(self, uri: str) -> int | None:
        for extension_id, extension_uri in self.extensions.items():
            if extension_uri == uri:
                return extension_id
        return None

    def rtx_payload_type_for(self, payload_type: int) -> int | None:
        for codec in self.codecs.values():
            if codec.mime_type == "rtx" and codec.fmtp_params().get("apt") == str(payload_type):
                return codec.payload_type
        return None


@dataclass
class SessionDescription:
    media: list[MediaSection]
    bundle: list[str] = field(default_factory=list)
    ice_lite: bool = False


# Attributes that may appear at session level and apply to every m-section.
_INHERITED = ("ice_ufrag", "ice_pwd", "fingerprints", "setup")

# Lengths beyond which input is rejected rather than processed.
MAX_SDP_BYTES = 256 * 1024
MAX_MEDIA_SECTIONS = 512


def parse(text: str) -> SessionDescription:
    """Parse an SDP offer or answer; raise SdpError on anything malformed."""
    if not isinstance(text, str) or not text.strip():
        raise SdpError("empty session description")
    if len(text) > MAX_SDP_BYTES:
        raise SdpError(f"session description exceeds {MAX_SDP_BYTES} bytes")

    lines = text.replace("\r\n", "\n").split("\n")
    if not lines[0].startswith("v=0"):
        raise SdpError("line 1: expected 'v=0'")

    session = MediaSection(kind="session", port=0, protocol="", formats=[])
    description = SessionDescription(media=[])
    current = session

    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        if len(line) < 2 or line[1] != "=":
            raise SdpError(f"line {number}: not of the form x=value")

        kind, value = line[0], line[2:]
        try:
            if kind == "m":
                current = _parse_media_line(value)
                description.media.append(current)
                if len(description.media) > MAX_MEDIA_SECTIONS:
                    raise SdpError(f"more than {MAX_MEDIA_SECTIONS} media sections")
            elif kind == "a":
                _parse_attribute(value, current, description)
        except SdpError as error:
            raise SdpError(f"line {number}: {error}") from None
        except (ValueError, IndexError) as error:
            raise SdpError(f"line {number}: invalid value {line[:80]!r} ({error})") from None

    for media in description.media:
        for name in _INHERITED:
            if not getattr(media, name):
                setattr(media, name, getattr(session, name))

    return description


def _parse_media_line(value: str) -> MediaSection:
    parts = value.split()
    if len(parts) < 3:
        raise SdpError("m= line needs media, port and protocol")
    kind, port, protocol = parts[0], int(parts[1].split("/")[0]), parts[2]
    if not 0 <= port <= 65535:
        raise SdpError(f"invalid port {port}")
    return MediaSection(kind=kind, port=port, protocol=protocol, formats=parts[3:])


def _parse_attribute(value: str, media: MediaSection, session: SessionDescription) -> None:
    name, _, rest = value.partition(":")

    if name == "group":
        semantics, *mids = rest.split()
        if semantics == "BUNDLE":
            session.bundle = mids
    elif name == "ice-lite":
        session.ice_lite = True
    elif name == "mid":
        media.mid = rest.strip()
    elif name in ("sendrecv", "sendonly", "recvonly", "inactive"):
        media.direction = name
    elif name == "ice-ufrag":
        media.ice_ufrag = rest.strip()
    elif name == "ice-pwd":
        media.ice_pwd = rest.strip()
    elif name == "fingerprint":
        algorithm, fingerprint = rest.split()
        media.fingerprints.append((algorithm.lower(), fingerprint.upper()))
    elif name == "setup":
        media.setup = rest.strip()
    elif name == "candidate":
        media.candidates.append(rest.strip())
    elif name == "end-of-candidates":
        media.end_of_candidates = True
    elif name == "rtcp-mux":
        media.rtcp_mux = True
    elif name == "rtpmap":
        _parse_rtpmap(rest, media)
    elif name == "fmtp":
        payload_type, _, params = rest.partition(" ")
        _codec(media, int(payload_type)).fmtp = params.strip()
    elif name == "rtcp-fb":
        payload_type, _, feedback = rest.partition(" ")
        if payload_type != "*":
            _codec(media, int(payload_type)).feedback.append(feedback.strip())
    elif name == "extmap":
        identifier, uri = rest.split()[:2]
        media.extensions[int(identifier.split("/")[0])] = uri
    elif name == "msid":
        parts = rest.split()
        media.msid = (parts[0], parts[1] if len(parts) > 1 else "")
    elif name == "ssrc":
        _parse_ssrc(rest, media)
    elif name == "ssrc-group":
        semantics, *ssrcs = rest.split()
        media.ssrc_groups.append((semantics, [int(ssrc) for ssrc in ssrcs]))
    elif name == "rid":
        parts = rest.split(maxsplit=2)
        if len(parts) < 2 or parts[1] not in ("send", "recv"):
            raise SdpError("a=rid needs an id and 'send' or 'recv'")
        media.rids.append(Rid(parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
    elif name == "simulcast":
        media.simulcast = rest.strip()
    elif name == "sctp-port":
        media.sctp_port = int(rest)
    elif name == "max-message-size":
        media.max_message_size = int(rest)


def _parse_rtpmap(rest: str, media: MediaSection) -> None:
    payload_type, encoding = rest.split(maxsplit=1)
    parts = encoding.split("/")
    codec = _codec(media, int(payload_type))
    codec.name = parts[0]
    codec.clock_rate = int(parts[1])
    codec.channels = int(parts[2]) if len(parts) > 2 else None


def _parse_ssrc(rest: str, media: MediaSection) -> None:
    ssrc_text, _, attribute = rest.partition(" ")
    ssrc = int(ssrc_text)
    if not 0 <= ssrc < 2**32:
        raise SdpError(f"invalid SSRC {ssrc}")
    key, _, attribute_value = attribute.partition(":")
    media.ssrcs.setdefault(ssrc, {})[key] = attribute_value


def _codec(media: MediaSection, payload_type: int) -> Codec:
    if not 0 <= payload_type <= 127:
        raise SdpError(f"invalid payload type {payload_type}")
    codec = media.codecs.get(payload_type)
    if codec is None:
        codec = Codec(payload_type=payload_type, name="", clock_rate=0)
        media.codecs[payload_type] = codec
    return codec


def write(description: SessionDescription, session_id: int, session_version: int) -> str:
    """Serialise a description; every m-section must carry its own ICE and DTLS lines."""
    lines = [
        "v=0",
        f"o=- {session_id} {session_version} IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
    ]
    if description.bundle:
        lines.append("a=group:BUNDLE " + " ".join(description.bundle))
    if description.ice_lite:
        lines.append("a=ice-lite")
    lines.append("a=msid-semantic:WMS *")

    for media in description.media:
        lines.extend(_write_media(media))
    return "\r\n".join(lines) + "\r\n"


def _write_media(media: MediaSection) -> list[str]:
    lines = [f"m={media.kind} {media.port} {media.protocol} {' '.join(media.formats)}",
             "c=IN IP4 0.0.0.0"]
    if media.kind != "application":
        lines.append("a=rtcp:9 IN IP4 0.0.0.0")
    if media.ice_ufrag:
        lines += [f"a=ice-ufrag:{media.ice_ufrag}", f"a=ice-pwd:{media.ice_pwd}"]
    for algorithm, fingerprint in media.fingerprints:
        lines.append(f"a=fingerprint:{algorithm} {fingerprint}")
    if media.setup:
        lines.append(f"a=setup:{media.setup}")
    if media.mid is not None:
        lines.append(f"a=mid:{media.mid}")

    if media.kind == "application":
        if media.sctp_port is not None:
            lines.append(f"a=sctp-port:{media.sctp_port}")
        if media.max_message_size is not None:
            lines.append(f"a=max-message-size:{media.max_message_size}")
    else:
        lines.extend(_write_rtp_attributes(media))

    lines += [f"a=candidate:{candidate}" for candidate in media.candidates]
    if media.end_of_candidates:
        lines.append("a=end-of-candidates")
    return lines


def _write_rtp_attributes(media: MediaSection) -> list[str]:
    lines = [f"a={media.direction}"]
    if media.msid is not None:
        lines.append(f"a=msid:{media.msid[0]} {media.msid[1]}")
    if media.rtcp_mux:
        lines += ["a=rtcp-mux", "a=rtcp-rsize"]
    for extension_id, uri in sorted(media.extensions.items()):
        lines.append(f"a=extmap:{extension_id} {uri}")

    for codec in media.codecs.values():
        encoding = f"{codec.name}/{codec.clock_rate}"
        if codec.channels:
            encoding += f"/{codec.channels}"
        lines.append(f"a=rtpmap:{codec.payload_type} {encoding}")
        lines += [f"a=rtcp-fb:{codec.payload_type} {fb}" for fb in codec.feedback]
        if codec.fmtp:
            lines.append(f"a=fmtp:{codec.payload_type} {codec.fmtp}")

    for rid in media.rids:
        lines.append(f"a=rid:{rid.rid} {rid.direction}" + (f" {rid.params}" if rid.params else ""))
    if media.simulcast:
        lines.append(f"a=simulcast:{media.simulcast}")

    for semantics, ssrcs in media.ssrc_groups:
        lines.append(f"a=ssrc-group:{semantics} {' '.join(str(s) for s in ssrcs)}")
    for ssrc, attributes in media.ssrcs.items():
        for key, value in attributes.items():
            lines.append(f"a=ssrc:{ssrc} {key}:{value}")
    return lines
