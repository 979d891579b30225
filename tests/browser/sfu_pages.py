# SPDX-License-Identifier: AGPL-3.0-or-later
"""Open the livekit-client interop page (tests/browser/pages/sfu_call.html) and read its state."""

import json
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from tests.harness.browser import collect_console, new_context

PAGES_DIR = Path(__file__).parent / "pages"


@dataclass
class CallPage:
    identity: str
    context: BrowserContext
    page: Page
    console: list[str]

    def state(self) -> dict[str, Any]:
        return self.page.evaluate(
            "() => window.hubsTest ? {connected: window.hubsTest.connected,"
            " events: window.hubsTest.events, errors: window.hubsTest.errors,"
            " tracks: window.hubsTest.remoteTracks()} : null")

    def inbound(self, kind: str) -> list[dict[str, Any]]:
        """inbound-rtp stats of `kind` from every peer connection of the page."""
        raw = self.page.evaluate(
            """async (kind) => {
                const out = [];
                for (const pc of window.hubsTest.peerConnections()) {
                    const stats = await pc.getStats();
                    stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === kind) out.push(s); });
                }
                return JSON.stringify(out);
            }""", kind)
        return json.loads(raw)

    def frames_decoded(self) -> dict[str, int]:
        """framesDecoded per inbound video stream, keyed by track identifier."""
        return {s.get("trackIdentifier", s["id"]): s.get("framesDecoded", 0)
                for s in self.inbound("video")}

    def describe(self) -> str:
        return f"{self.identity}: {self.state()}\nconsole:\n" + "\n".join(self.console[-30:])

    def close(self) -> None:
        self.context.close()


def open_call(browser: Browser, static_url: str, sfu_url: str, token: str, identity: str,
              client: str = "latest", e2ee: str | None = None, publish: str = "camera,microphone",
              adaptive: bool = False) -> CallPage:
    query = {"url": sfu_url, "token": token, "client": client, "publish": publish,
             "adaptive": "1" if adaptive else "0"}
    if e2ee is not None:
        query["e2ee"] = e2ee
        query["worker"] = f"{static_url}/bundle/e2ee-worker-{client}.js"
    context = new_context(browser)
    page = context.new_page()
    console = collect_console(page)
    page.goto(f"{static_url}/sfu_call.html?{urllib.parse.urlencode(query)}")
    return CallPage(identity, context, page, console)


def wait_connected(pages: list[CallPage], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    for call in pages:
        while True:
            state = call.state()
            if state and state["connected"]:
                break
            if state and state["errors"]:
                raise AssertionError(f"page failed to connect: {call.describe()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"page not connected after {timeout_s} s: {call.describe()}")
            time.sleep(0.2)
