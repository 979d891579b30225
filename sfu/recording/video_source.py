# SPDX-License-Identifier: AGPL-3.0-or-later
"""Choice of the video a recording shows: a shared screen first, else the active speaker.

Rules, in order:

1. A screen share, the one published last when there are several.
2. The camera of the dominant speaker.
3. The camera recorded so far, while it is still there.
4. Any other camera.

Only tracks the recorder can write without transcoding count: VP8, not
end-to-end encrypted, published, not muted, and with packets arriving (a
publisher whose connection died keeps its tracks until the SFU notices). A change of speaker takes
effect only after the current source was shown for SPEAKER_HOLD_MS, so
short interjections do not make the picture flicker. Within a simulcast
track the recording takes the best layer the publisher is sending.
"""

from typing import TYPE_CHECKING, Iterable

from livekit.protocol import models as pb

if TYPE_CHECKING:
    from sfu.media.layer import Layer
    from sfu.media.published_track import PublishedTrack

SPEAKER_HOLD_MS = 2000


def is_recordable_video(track: "PublishedTrack", now_ms: int) -> bool:
    return (track.is_video and track.published and not track.muted
            and track.encryption == pb.Encryption.NONE
            and track.codec is not None and track.codec.mime_type == "vp8"
            and any(layer.is_active(now_ms) for layer in track.layers))


def choose_video_track(tracks: Iterable["PublishedTrack"], dominant_sid: str | None,
                       current: "PublishedTrack | None", current_since_ms: int,
                       now_ms: int) -> "PublishedTrack | None":
    """Return the track to record, given every track of the room in publication order."""
    candidates = [track for track in tracks if is_recordable_video(track, now_ms)]
    screens = [track for track in candidates if track.source == pb.TrackSource.SCREEN_SHARE]
    if screens:
        return current if current in screens else screens[-1]

    cameras = [track for track in candidates if track.source != pb.TrackSource.SCREEN_SHARE]
    speaker_camera = next((track for track in cameras if track.owner.sid == dominant_sid), None)
    current_is_camera = current in cameras
    if speaker_camera is not None and speaker_camera is not current:
        if not current_is_camera or now_ms - current_since_ms >= SPEAKER_HOLD_MS:
            return speaker_camera
    if current_is_camera:
        return current
    return cameras[0] if cameras else None


def choose_layer(track: "PublishedTrack", now_ms: int) -> "Layer | None":
    """Return the highest layer that is arriving, else the highest one that ever did."""
    if not track.layers:
        return None
    active = [layer for layer in track.layers if layer.is_active(now_ms)]
    if active:
        return active[-1]
    seen = [layer for layer in track.layers if layer.packets > 0]
    return seen[-1] if seen else track.layers[-1]
