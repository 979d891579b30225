# SPDX-License-Identifier: AGPL-3.0-or-later
"""Cases from comparable products, in Chromium with livekit-client.

C3: a subscriber switching simulcast layers keeps decoding (no freeze).
C4: a screen share is a track of its own; only presenters may publish one,
and the SFU enforces that, not only the page.
"""

import time

import pytest

from tests.browser.sfu_pages import PAGES_DIR, open_call, wait_connected
from tests.harness.browser import StaticServer, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def static_pages():
    with StaticServer(PAGES_DIR) as server:
        yield server


def video_heights(call):
    return [s.get("frameHeight", 0) for s in call.inbound("video") if s.get("framesDecoded", 0)]


def test_quality_switches_keep_frames_decoding(chromium, static_pages, sfu_server):
    sender = open_call(chromium, static_pages.url, sfu_server.ws_url,
                       sfu_server.token("sender", "c3"), "sender", publish="camera")
    viewer = open_call(chromium, static_pages.url, sfu_server.ws_url,
                       sfu_server.token("viewer", "c3"), "viewer", publish="none")
    try:
        wait_connected([sender, viewer])
        wait_until(lambda: max(video_heights(viewer), default=0) >= 720, 40,
                   f"top layer never reached: {viewer.inbound('video')}")

        for quality, height in (("low", 180), ("high", 720), ("low", 180)):
            viewer.page.evaluate("([who, q]) => window.hubsTest.setQuality(who, q)", ["sender", quality])
            switched_at = time.monotonic()
            wait_until(lambda: height in video_heights(viewer) and
                       max(video_heights(viewer)) == height, 10,
                       f"no switch to {quality}: {viewer.inbound('video')}")
            assert time.monotonic() - switched_at < 10

            before = sum(viewer.frames_decoded().values())
            time.sleep(1.0)
            assert sum(viewer.frames_decoded().values()) > before + 10, f"frozen after {quality}"
    finally:
        sender.close()
        viewer.close()


def test_screen_share_is_separate_and_needs_presenter_rights(chromium, static_pages, sfu_server):
    presenter_sources = ["camera", "microphone"]
    sender = open_call(chromium, static_pages.url, sfu_server.ws_url,
                       sfu_server.token("p", "c4", canPublishSources=presenter_sources), "p",
                       publish="camera")
    viewer = open_call(chromium, static_pages.url, sfu_server.ws_url,
                       sfu_server.token("q", "c4"), "q", publish="none")
    try:
        wait_connected([sender, viewer])
        wait_until(lambda: viewer.state()["tracks"], 20, "viewer sees no camera")

        # Not a presenter: the share must not reach anyone.
        sender.page.evaluate("() => window.hubsTest.publishScreen().catch(e => window.hubsTest.errors.push('share: ' + e))")
        time.sleep(3)
        assert [t["source"] for t in viewer.state()["tracks"]] == ["camera"]

        sfu_server.admin("UpdateParticipant", {
            "room": "c4", "identity": "p",
            "permission": {"can_publish": True, "can_subscribe": True,
                           "can_publish_sources": ["CAMERA", "MICROPHONE", "SCREEN_SHARE"]}})
        wait_until(lambda: sender.page.evaluate(
            "() => window.hubsTest.room.localParticipant.permissions?.canPublishSources?.length === 3"),
            10, "sender never learnt the new permission")
        sender.page.evaluate("() => window.hubsTest.publishScreen()")
        wait_until(lambda: sorted(t["source"] for t in viewer.state()["tracks"]) ==
                   ["camera", "screen_share"], 15, f"no share: {viewer.describe()}")
        wait_until(lambda: viewer.page.evaluate("() => window.hubsTest.videoElements('p')") == 2,
                   15, "share not shown")

        camera_before = _camera_packets(viewer)
        sender.page.evaluate("() => window.hubsTest.stopScreen()")
        stopped_at = time.monotonic()
        wait_until(lambda: [t["source"] for t in viewer.state()["tracks"]] == ["camera"], 2,
                   f"share still listed: {viewer.describe()}")
        assert time.monotonic() - stopped_at <= 2.5
        wait_until(lambda: viewer.page.evaluate("() => window.hubsTest.videoElements('p')") == 1,
                   2, f"a second tile stayed: {viewer.describe()}")

        # The camera keeps flowing through the change. Its packet count may
        # stand still for one sample while both peer connections renegotiate.
        samples = []
        for _ in range(10):
            samples.append(_camera_packets(viewer))
            time.sleep(0.25)
        assert samples[-1] > camera_before, (camera_before, samples)
        assert all(b > a for a, b in zip(samples[1:], samples[2:])), (camera_before, samples)
    finally:
        sender.close()
        viewer.close()


def _camera_packets(call) -> int:
    camera = next(t["sid"] for t in call.state()["tracks"] if t["source"] == "camera")
    stats = [s for s in call.inbound("video") if s.get("trackIdentifier") == camera]
    assert stats, f"no inbound stats for the camera {camera}"
    return stats[0].get("packetsReceived", 0)
