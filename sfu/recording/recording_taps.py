# SPDX-License-Identifier: AGPL-3.0-or-later
"""Where the recorder takes packets from: taps on published tracks' layers.

A tap sits in a layer's list of down tracks, so the layer hands it every
packet it forwards (after the server-mute check), as plaintext RTP. A tap
only queues the packet for the recording worker; it never rewrites or
sends anything. The recorder is not a participant: it has no peer
connection, appears in no participant list and counts in no participant
number.

The video tap follows one source at a time. Like a subscriber's down track
it changes layer or track only on a key frame of the target, asking the
publisher for one, so the recorded stream never starts on a frame that
cannot be decoded.
"""

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sfu.media.layer import Layer, PacketView
    from sfu.media.published_track import PublishedTrack
    from sfu.recording.recording_worker import RecordingWorker

logger = logging.getLogger(__name__)


class AudioTap:
    def __init__(self, track: "PublishedTrack", worker: "RecordingWorker") -> None:
        self.track = track
        self._worker = worker
        self._layer = track.layers[0]
        self._key = track.sid

    def start(self) -> None:
        self._layer.down_tracks.append(self)

    def forward(self, view: "PacketView") -> None:
        self._worker.submit_audio(self._key, view.data, view.now_ms)

    def close(self) -> None:
        self._layer.detach(self)


class VideoTap:
    def __init__(self, worker: "RecordingWorker", label: str) -> None:
        self._worker = worker
        self._label = label
        # The layer being recorded, and the one to move to on its next key frame.
        self.layer: "Layer | None" = None
        self.target: "Layer | None" = None
        self._key = ""

    def aim(self, layer: "Layer | None") -> None:
        """Record `layer` from its next key frame on; None stops recording video."""
        if layer is self.target:
            return
        if self.target is not None and self.target is not self.layer:
            self.target.detach(self)
        self.target = layer
        if layer is None:
            self._leave_current()
            return
        if layer is self.layer:
            return
        logger.info("%s: waiting for a key frame of %r to record it", self._label, layer)
        layer.pending_switches.append(self)
        self.request_keyframe()

    def request_keyframe(self) -> None:
        """Ask the target's publisher for a key frame; the layer limits how often one goes out."""
        layer = self.target
        if layer is None or layer.track.owner.closed:
            return
        layer.track.owner.publisher.ingress.request_keyframe(layer)

    def retry_pending_switch(self) -> None:
        if self.target is not None and self.target is not self.layer:
            self.request_keyframe()

    # Called by Layer.receive -------------------------------------------------------

    def switch_to(self, layer: "Layer", view: "PacketView") -> None:
        if layer is not self.target:
            return
        self._leave_current()
        self.layer = layer
        self._key = f"{layer.track.sid}/{layer.rid or 'single'}/{layer.ssrc}"
        layer.down_tracks.append(self)
        self.forward(view)

    def forward(self, view: "PacketView") -> None:
        # TODO: also take packets the layer recovers through RTX, so a loss costs one frame, not a key frame interval.
        self._worker.submit_video(self._key, view.data, view.now_ms)

    # Teardown --------------------------------------------------------------------------

    def forget_track(self, track: "PublishedTrack") -> None:
        """Stop using an unpublished track's layers at once."""
        if self.layer is not None and self.layer.track is track:
            self._leave_current()
        if self.target is not None and self.target.track is track:
            self.target.detach(self)
            self.target = None

    def close(self) -> None:
        self.aim(None)

    def _leave_current(self) -> None:
        if self.layer is not None:
            self.layer.detach(self)
            self.layer = None
