# SPDX-License-Identifier: AGPL-3.0-or-later
"""Debian's Chromium driven by Playwright, with fake camera and microphone.

Playwright's own browser download is not used; the suite drives
/usr/bin/chromium, which `./hubs test` installs from Debian. Chromium runs
with background networking off, so it contacts nothing but the pages the
test opens, and with loopback allowed for WebRTC, because the tests run in
a network namespace whose only interface is `lo`.
"""

import functools
import http.server
import json
import re
import threading
import time
from pathlib import Path
from typing import Any, Callable

from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from tests.harness.ports import free_port

CHROMIUM = "/usr/bin/chromium"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    # Hide no host candidates behind mDNS names; aioice would have to resolve them.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
]


def launch_chromium(playwright: Playwright, fake_video: Path | None = None) -> Browser:
    args = list(CHROMIUM_ARGS)
    if fake_video is not None:
        args.append(f"--use-file-for-fake-video-capture={fake_video}")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A fresh browser profile: no shared cookies or storage with other contexts."""
    context = browser.new_context(permissions=["camera", "microphone"], **options)
    context.set_default_timeout(20_000)
    return context


_TOKEN_IN_URL = re.compile(r"(access_token|join_request|loginToken)=[^&'\" ]+")


def redact(text: str) -> str:
    """Remove access tokens from URLs in browser messages before they reach test output."""
    return _TOKEN_IN_URL.sub(r"\1=<redacted>", text)


def collect_console(page: Page) -> list[str]:
    """Record the page's console output and errors, for failure messages."""
    lines: list[str] = []
    page.on("console", lambda message: lines.append(redact(f"{message.type}: {message.text}")))
    page.on("pageerror", lambda error: lines.append(redact(f"pageerror: {error}")))
    return lines


def wait_until(predicate: Callable[[], Any], timeout_s: float, message: str,
               interval_s: float = 0.25) -> Any:
    """Poll `predicate` until it returns something truthy, or fail with `message`."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} (waited {timeout_s:.0f} s)")
        time.sleep(interval_s)


class StaticServer:
    """Serve a directory over HTTP on loopback from a background thread."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.port = free_port()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "StaticServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript"}

    def log_message(self, format: str, *args: Any) -> None:
        pass


def inbound_video_stats(page: Page) -> list[dict[str, Any]]:
    """Return inbound-rtp video stats of every RTCPeerConnection the page registered.

    Pages put their peer connections (or livekit Room objects) where
    `window.hubsTest.peerConnections()` can list them.
    """
    raw = page.evaluate(
        """async () => {
            const out = [];
            for (const pc of window.hubsTest.peerConnections()) {
                const stats = await pc.getStats();
                stats.forEach((s) => {
                    if (s.type === 'inbound-rtp' && s.kind === 'video') out.push(s);
                });
            }
            return JSON.stringify(out);
        }"""
    )
    return json.loads(raw)
