# SPDX-License-Identifier: AGPL-3.0-or-later
"""Which video the recording shows: screen share, active speaker, hold time, layers."""

from types import SimpleNamespace

from livekit.protocol import models as pb
from livekit.protocol import rtc as rtc_pb

from sfu.media.published_track import PublishedTrack
from sfu.recording.video_source import SPEAKER_HOLD_MS, choose_layer, choose_video_track
from sfu.webrtc.sdp import Codec

NOW_MS = 100_000
VP8 = Codec(96, "VP8", 90_000)
H264 = Codec(102, "H264", 90_000)


def video_track(owner_sid: str, source: int = pb.TrackSource.CAMERA, codec: Codec = VP8,
                encryption: int = pb.Encryption.NONE, rids: tuple[str, ...] = ("q", "h"),
                sending: tuple[str, ...] = ("q", "h")) -> PublishedTrack:
    owner = SimpleNamespace(sid=owner_sid)
    request = rtc_pb.AddTrackRequest(cid=f"{owner_sid}-{source}", type=pb.TrackType.VIDEO,
                                     source=source, encryption=encryption)
    track = PublishedTrack(owner, request)
    track.bind("0", codec, None, list(rids))
    track.published = True
    for layer in track.layers:
        if layer.rid in sending:
            layer.packets = 10
            layer.last_packet_ms = NOW_MS - 100
    return track


def test_screen_share_beats_speaker():
    camera = video_track("PA_a")
    screen = video_track("PA_b", source=pb.TrackSource.SCREEN_SHARE)
    assert choose_video_track([camera, screen], "PA_a", camera, 0, NOW_MS) is screen


def test_latest_screen_share_unless_one_already_shown():
    first = video_track("PA_a", source=pb.TrackSource.SCREEN_SHARE)
    second = video_track("PA_b", source=pb.TrackSource.SCREEN_SHARE)
    assert choose_video_track([first, second], None, None, 0, NOW_MS) is second
    assert choose_video_track([first, second], None, first, 0, NOW_MS) is first


def test_speaker_change_waits_for_hold_time():
    alice = video_track("PA_a")
    bob = video_track("PA_b")
    shown_since = NOW_MS - SPEAKER_HOLD_MS + 1
    assert choose_video_track([alice, bob], "PA_b", alice, shown_since, NOW_MS) is alice
    assert choose_video_track([alice, bob], "PA_b", alice, NOW_MS - SPEAKER_HOLD_MS, NOW_MS) is bob


def test_unrecordable_tracks_skipped():
    encrypted = video_track("PA_a", encryption=pb.Encryption.GCM)
    h264 = video_track("PA_b", codec=H264)
    silent = video_track("PA_c", sending=())
    muted = video_track("PA_d")
    muted.client_muted = True
    assert choose_video_track([encrypted, h264, silent, muted], "PA_a", None, 0, NOW_MS) is None


def test_current_camera_kept_without_speaker():
    alice = video_track("PA_a")
    bob = video_track("PA_b")
    assert choose_video_track([alice, bob], None, bob, 0, NOW_MS) is bob
    assert choose_video_track([alice, bob], None, None, 0, NOW_MS) is alice


def test_best_arriving_layer_chosen():
    track = video_track("PA_a", rids=("q", "h", "f"), sending=("q", "h"))
    assert choose_layer(track, NOW_MS).rid == "h"
    track.layers[1].last_packet_ms = NOW_MS - 5000
    assert choose_layer(track, NOW_MS).rid == "q"
