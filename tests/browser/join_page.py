# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers that drive the join page in Chromium and read its state."""

import base64
import json
import time
import urllib.parse
from typing import Any

from playwright.sync_api import BrowserContext, Page, Response

from tests.harness.browser import wait_until
from tests.harness.matrix_client import MatrixClient

PAGES = "/_synapse/client/hubs"


# Meeting rooms let every member publish a call membership; a plain room
# created for a test needs the same power level for that event type.
CALL_MEMBER_POWER_LEVELS = {"events": {"org.matrix.msc3401.call.member": 0}}


def create_call_room(user: MatrixClient, name: str) -> str:
    """Create a public room where every member may join the call."""
    return user.create_room(name=name, preset="public_chat",
                            power_level_content_override=CALL_MEMBER_POWER_LEVELS)


def meet_url(base_url: str, room_id: str | None = None) -> str:
    if room_id is None:
        return f"{base_url}{PAGES}/meet/"
    return f"{base_url}{PAGES}/meet/{urllib.parse.quote(room_id, safe='')}"


def remember_session(context: BrowserContext, base_url: str, user: MatrixClient) -> None:
    """Store the user's session where the page keeps it, as after a password sign-in.

    The sign-in form itself is exercised by the guest meeting test; other
    tests start signed in to keep them short.
    """
    session = {
        "homeserverUrl": base_url,
        "userId": user.user_id,
        "accessToken": user.access_token,
        "deviceId": user.device_id,
    }
    context.add_init_script(
        f"localStorage.setItem('hubs.session', {json.dumps(json.dumps(session))});"
    )


def sign_in_with_password(page: Page, localpart: str, password: str) -> None:
    page.fill("#sign-in-user", localpart)
    page.fill("#sign-in-password", password)
    page.click(".sign-in-form button[type=submit]")


def wait_for_prejoin(page: Page) -> None:
    """Wait until pre-join has started the camera and listed the devices."""
    page.wait_for_selector("#camera-select option", state="attached")


def join_call(page: Page) -> None:
    wait_for_prejoin(page)
    page.click(".join-button")
    page.wait_for_selector(".stage .tile")


def open_chat_only(page: Page) -> None:
    wait_for_prejoin(page)
    page.click(".chat-only-button")
    page.wait_for_selector(".chat .composer-input")


def send_chat(page: Page, text: str) -> None:
    page.fill(".composer-input", text)
    page.press(".composer-input", "Enter")


def inbound_stats(page: Page, kind: str) -> list[dict[str, Any]]:
    """Return the inbound-rtp stats of `kind` ("audio" or "video") of the page's call."""
    raw = page.evaluate(
        """async (kind) => {
            const out = [];
            for (const pc of window.hubsTest.peerConnections()) {
                const stats = await pc.getStats();
                stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === kind) out.push(s); });
            }
            return JSON.stringify(out);
        }""",
        kind,
    )
    return json.loads(raw)


def frames_decoded(page: Page) -> int:
    return sum(stat.get("framesDecoded", 0) for stat in inbound_stats(page, "video"))


def audio_samples(page: Page) -> tuple[int, int]:
    """Return (totalSamplesReceived, concealedSamples) summed over inbound audio."""
    stats = inbound_stats(page, "audio")
    received = sum(stat.get("totalSamplesReceived", 0) for stat in stats)
    concealed = sum(stat.get("concealedSamples", 0) for stat in stats)
    return received, concealed


def assert_video_flowing(page: Page, who: str, timeout_s: float = 30) -> None:
    """Wait until the page decodes remote video, then check decoding keeps going."""
    first = wait_until(lambda: frames_decoded(page), timeout_s, f"{who} decodes no remote video")
    wait_until(lambda: frames_decoded(page) > first + 10, 15, f"{who}'s framesDecoded stopped at {first}")


def assert_audio_flowing(page: Page, who: str, timeout_s: float = 30) -> None:
    """Wait until remote audio samples arrive and most of them are real, not concealment."""
    wait_until(lambda: audio_samples(page)[0], timeout_s, f"{who} receives no remote audio")
    received_before, concealed_before = audio_samples(page)

    # 48 kHz audio delivers 48,000 samples a second; wait for about two seconds' worth.
    wait_until(lambda: audio_samples(page)[0] > received_before + 96_000, 15,
               f"{who}'s audio stopped at {received_before} samples")
    received_after, concealed_after = audio_samples(page)

    received = received_after - received_before
    concealed = concealed_after - concealed_before
    assert concealed < received / 2, f"{who}: {concealed} of {received} audio samples were concealed"


def jwt_claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def capture_json_responses(page: Page, path_suffix: str) -> list[dict[str, Any]]:
    """Collect the JSON bodies of successful responses whose URL path ends in `path_suffix`."""
    captured: list[dict[str, Any]] = []

    def on_response(response: Response) -> None:
        path = urllib.parse.urlsplit(response.url).path
        if path.endswith(path_suffix) and response.ok and response.request.method == "POST":
            captured.append(response.json())

    page.on("response", on_response)
    return captured


def first_captured(page: Page, captured: list[dict[str, Any]], timeout_s: float = 10) -> dict[str, Any]:
    """Return the first body `capture_json_responses` collected, waiting for it.

    The page can show the outcome of a request before Playwright delivers
    its response event, and the sync API delivers events only inside its
    own calls, so the wait goes through `page.wait_for_timeout`.
    """
    deadline = time.monotonic() + timeout_s
    while not captured:
        if time.monotonic() > deadline:
            raise AssertionError(f"no JSON response captured within {timeout_s} s")
        page.wait_for_timeout(50)
    return captured[0]


def record_request_hosts(page: Page) -> set[str]:
    """Collect the host:port of every request the page makes, WebSockets included."""
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urllib.parse.urlsplit(request.url).netloc))
    page.on("websocket", lambda socket: hosts.add(urllib.parse.urlsplit(socket.url).netloc))
    return hosts


def max_nesting_depth(page: Page, selector: str) -> int:
    """Return the deepest element nesting below any element matching `selector`."""
    return page.evaluate(
        """(selector) => {
            let deepest = 0;
            for (const root of document.querySelectorAll(selector)) {
                const stack = Array.from(root.children, (child) => [child, 1]);
                while (stack.length) {
                    const [element, depth] = stack.pop();
                    deepest = Math.max(deepest, depth);
                    for (const child of element.children) stack.push([child, depth + 1]);
                }
            }
            return deepest;
        }""",
        selector,
    )

