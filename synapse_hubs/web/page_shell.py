# SPDX-License-Identifier: AGPL-3.0-or-later
"""The HTML shell of the join page and the security headers that go with it.

The shell is one static document for every page route. It carries the page
config as JSON in a `<script type="application/json">` element (never
executed, so the Content-Security-Policy needs no inline script) and loads
the bundle and stylesheet with a content hash in the URL.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from synapse_hubs.web.static_files import StaticFileCache

TEMPLATE_PATH = Path(__file__).parent / "templates" / "index.html"
STATIC_PATH = "/_synapse/client/hubs/static"


@dataclass(frozen=True)
class PageConfig:
    """What the browser side needs to know before it talks to anything."""

    homeserver_url: str
    default_language: str
    sfu_url: str
    # IANA zone the schedule page preselects (calendar.default_time_zone).
    default_time_zone: str = "Europe/Stockholm"

    def to_json(self) -> dict[str, str]:
        return {
            "homeserver_url": self.homeserver_url,
            "default_language": self.default_language,
            "default_time_zone": self.default_time_zone,
            "static_base": STATIC_PATH,
            "e2ee_worker_url": f"{STATIC_PATH}/bundle/e2ee-worker.js",
        }


class PageShell:
    def __init__(self, config: PageConfig, files: StaticFileCache) -> None:
        self._config = config
        self._files = files
        self._template = Template(TEMPLATE_PATH.read_text(encoding="utf-8"))
        self.content_security_policy = build_content_security_policy(config)

    def render(self) -> bytes:
        return self._template.substitute(
            language=self._config.default_language,
            static_base=STATIC_PATH,
            css_version=self._files.version("hubs.css"),
            app_version=self._files.version("bundle/app.js"),
            config_json=script_safe_json(self._config.to_json()),
        ).encode("utf-8")


def script_safe_json(value: object) -> str:
    """Serialise `value` so it cannot end the surrounding <script> element early."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def build_content_security_policy(config: PageConfig) -> str:
    """Allow only this server, the homeserver and the SFU; nothing inline, no other host.

    livekit-client opens the SFU WebSocket and, when that fails, fetches
    `/rtc/v1/validate` over HTTP on the same host, so both schemes are listed.
    """
    connect_sources = ["'self'", origin_of(config.homeserver_url)]
    sfu_origin = origin_of(config.sfu_url)
    connect_sources.append(sfu_origin)
    connect_sources.append(sfu_origin.replace("wss://", "https://", 1).replace("ws://", "http://", 1))

    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        # livekit-client runs E2EE in a worker loaded from our static folder.
        "worker-src": ["'self'"],
        "style-src": ["'self'"],
        # Chat images and file previews are fetched with the access token and
        # shown through blob: URLs.
        "img-src": ["'self'", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": _unique(connect_sources),
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
