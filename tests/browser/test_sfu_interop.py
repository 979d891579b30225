# SPDX-License-Identifier: AGPL-3.0-or-later
"""Unmodified livekit-client (Element Call's pinned release and the newest) against our SFU.

Every participant must receive every other participant's audio and video:
inbound video `framesDecoded` keeps rising and audio samples arrive, and
the received camera height reaches the top simulcast layer (720p).
"""

import time

import pytest

from tests.browser.sfu_pages import PAGES_DIR, CallPage, open_call, wait_connected
from tests.harness.browser import StaticServer, wait_until

pytestmark = pytest.mark.browser

TOP_LAYER_HEIGHT = 720


@pytest.fixture(scope="module")
def static_pages():
    with StaticServer(PAGES_DIR) as server:
        yield server


def _join(chromium, static_pages, sfu_server, room: str, count: int, client: str,
          **options) -> list[CallPage]:
    pages = []
    for index in range(count):
        identity = f"user{index}"
        token = sfu_server.token(identity, room)
        pages.append(open_call(chromium, static_pages.url, sfu_server.ws_url, token, identity,
                               client=client, **options))
    wait_connected(pages)
    return pages


def _wait_all_media(pages: list[CallPage], timeout_s: float = 40) -> None:
    """Each page decodes video from, and receives audio of, every other page."""
    others = len(pages) - 1

    def decoding_everyone(call: CallPage) -> bool:
        videos = [s for s in call.inbound("video") if s.get("framesDecoded", 0) > 10]
        audios = [s for s in call.inbound("audio") if s.get("totalSamplesReceived", 0) > 4800]
        return len(videos) >= others and len(audios) >= others

    for call in pages:
        wait_until(lambda: decoding_everyone(call), timeout_s,
                   f"not all media decoding on {call.describe()}")


def _assert_frames_keep_rising(pages: list[CallPage]) -> None:
    before = [call.frames_decoded() for call in pages]
    time.sleep(2)
    after = [call.frames_decoded() for call in pages]
    for call, old, new in zip(pages, before, after):
        for track, frames in new.items():
            assert frames > old.get(track, 0), f"{call.identity}: frames stalled on {track}"


@pytest.mark.parametrize("client", ["ec", "latest"])
def test_two_then_four_participants_receive_everyone(chromium, static_pages, sfu_server, client):
    room = f"interop-{client}"
    pages = _join(chromium, static_pages, sfu_server, room, 2, client)
    try:
        _wait_all_media(pages)
        _assert_frames_keep_rising(pages)

        for index in (2, 3):
            identity = f"user{index}"
            pages.append(open_call(chromium, static_pages.url, sfu_server.ws_url,
                                   sfu_server.token(identity, room), identity, client=client))
        wait_connected(pages)
        _wait_all_media(pages, timeout_s=60)
        _assert_frames_keep_rising(pages)
    finally:
        for call in pages:
            call.close()


def test_received_video_reaches_top_simulcast_layer(chromium, static_pages, sfu_server):
    pages = _join(chromium, static_pages, sfu_server, "simulcast", 2, "latest")
    try:
        _wait_all_media(pages)

        def top_layer_received() -> bool:
            heights = [s.get("frameHeight", 0) for s in pages[1].inbound("video")]
            return bool(heights) and max(heights) >= TOP_LAYER_HEIGHT

        wait_until(top_layer_received, 40,
                   f"top layer never received: {pages[1].inbound('video')}")
    finally:
        for call in pages:
            call.close()


def test_e2ee_frames_pass_untouched(chromium, static_pages, sfu_server):
    room = "e2ee"
    sender = open_call(chromium, static_pages.url, sfu_server.ws_url,
                       sfu_server.token("alice", room), "alice", e2ee="shared secret 1")
    right = open_call(chromium, static_pages.url, sfu_server.ws_url,
                      sfu_server.token("bob", room), "bob", e2ee="shared secret 1",
                      publish="none")
    wrong = open_call(chromium, static_pages.url, sfu_server.ws_url,
                      sfu_server.token("eve", room), "eve", e2ee="a different key",
                      publish="none")
    pages = [sender, right, wrong]
    try:
        wait_connected(pages)
        wait_until(lambda: sum(right.frames_decoded().values()) > 30, 40,
                   f"E2EE video not decoded with the right key: {right.describe()}")

        # The wrong key receives the same packets but cannot decrypt them.
        wait_until(lambda: wrong.inbound("video") and wrong.inbound("video")[0].get("packetsReceived", 0) > 100,
                   20, f"wrong-key page receives no packets: {wrong.describe()}")
        assert sum(wrong.frames_decoded().values()) == 0, wrong.describe()
    finally:
        for call in pages:
            call.close()
