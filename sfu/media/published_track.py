# SPDX-License-Identifier: AGPL-3.0-or-later
"""A track a participant publishes, and its simulcast layers.

A PublishedTrack is created when the client sends AddTrackRequest and is
bound to an m-section of the publisher connection when the client's offer
arrives. Each layer (one per simulcast rid, or a single one) is where RTP
of one source stream arrives; down tracks attach to layers.
"""

from typing import TYPE_CHECKING

from livekit.protocol import models as pb

from sfu.media.layer import Layer
from sfu.room.ids import track_sid
from sfu.webrtc.sdp import Codec

if TYPE_CHECKING:
    from sfu.media.down_track import DownTrack
    from sfu.room.participant import Participant

# livekit-client names simulcast encodings q, h, f from the lowest layer up.
RID_QUALITY = {"q": pb.VideoQuality.LOW, "h": pb.VideoQuality.MEDIUM, "f": pb.VideoQuality.HIGH}


class PublishedTrack:
    def __init__(self, owner: "Participant", request) -> None:
        self.owner = owner
        self.sid = track_sid()
        self.cid: str = request.cid
        self.kind = "video" if request.type == pb.TrackType.VIDEO else "audio"
        self.source: int = request.source
        self.name: str = request.name
        self.width: int = request.width
        self.height: int = request.height
        self.client_muted: bool = request.muted
        # Set by a moderator through the admin API; the client cannot undo it.
        self.server_muted = False
        self.encryption: int = request.encryption
        self.stream: str = request.stream
        self.disable_dtx: bool = request.disable_dtx
        self.stereo: bool = request.stereo
        self.requested_layers = list(request.layers)

        self.mid: str | None = None
        self.audio_level_extension_id: int | None = None
        self.codec: Codec | None = None
        self.rtx_payload_type: int | None = None
        self.layers: list[Layer] = []
        self.down_tracks: list["DownTrack"] = []
        self.published = False

    @property
    def muted(self) -> bool:
        return self.client_muted or self.server_muted

    @property
    def is_video(self) -> bool:
        return self.kind == "video"

    def bind(self, mid: str, codec: Codec, rtx_payload_type: int | None, rids: list[str]) -> None:
        """Attach the track to its negotiated m-section and create its layers."""
        self.mid = mid
        self.codec = codec
        self.rtx_payload_type = rtx_payload_type
        if self.layers:
            return

        if rids:
            ordered = sorted(rids, key=lambda rid: RID_QUALITY.get(rid, len(RID_QUALITY)))
            self.layers = [Layer(self, index, rid) for index, rid in enumerate(ordered)]
        else:
            self.layers = [Layer(self, 0, None)]

    def layer_for_rid(self, rid: str | None) -> Layer | None:
        for layer in self.layers:
            if layer.rid == rid:
                return layer
        return None

    def to_proto(self) -> pb.TrackInfo:
        info = pb.TrackInfo(
            sid=self.sid,
            type=pb.TrackType.VIDEO if self.is_video else pb.TrackType.AUDIO,
            name=self.name,
            muted=self.muted,
            width=self.width,
            height=self.height,
            simulcast=len(self.layers) > 1,
            disable_dtx=self.disable_dtx,
            source=self.source,
            mime_type=self._mime_type(),
            mid=self.mid or "",
            stereo=self.stereo,
            encryption=self.encryption,
            stream=self.stream,
            layers=self._video_layers(),
        )
        if self.codec is not None:
            info.codecs.append(pb.SimulcastCodecInfo(
                mime_type=self._mime_type(), mid=self.mid or "", cid=self.cid,
                layers=self._video_layers(),
            ))
        return info

    def _mime_type(self) -> str:
        if self.codec is None:
            return ""
        return f"{self.kind}/{self.codec.name}"

    def _video_layers(self) -> list[pb.VideoLayer]:
        if not self.is_video:
            return []
        if self.requested_layers:
            return [pb.VideoLayer(quality=layer.quality, width=layer.width, height=layer.height,
                                  bitrate=layer.bitrate) for layer in self.requested_layers]
        return [pb.VideoLayer(quality=pb.VideoQuality.HIGH, width=self.width, height=self.height)]
