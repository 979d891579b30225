# SPDX-License-Identifier: AGPL-3.0-or-later
"""Serve the schedule page: an HTML shell plus its script and stylesheet.

    /_synapse/client/hubs/schedule               the page
    /_synapse/client/hubs/schedule/schedule.js   bundle built from web/src/schedule/
    /_synapse/client/hubs/schedule/schedule.css  stylesheet

The bundle is a build output (`./hubs build`), read from disk on each
request so a rebuild needs no restart. The page talks only to this origin.
"""

import html
import json
import logging
from pathlib import Path

from twisted.web.resource import Resource
from twisted.web.server import Request

from synapse_hubs.calendar.config import CalendarConfig

logger = logging.getLogger(__name__)

SCHEDULE_PAGE_PATH = "/_synapse/client/hubs/schedule"
BUNDLE_DIRECTORY = Path(__file__).resolve().parent.parent / "web" / "static" / "bundle"

_ASSETS = {
    b"schedule.js": ("schedule.js", b"text/javascript; charset=utf-8"),
    b"schedule.css": ("schedule.css", b"text/css; charset=utf-8"),
}

CONTENT_SECURITY_POLICY = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    b"img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class SchedulePageResource(Resource):
    isLeaf = True

    def __init__(self, config: CalendarConfig) -> None:
        super().__init__()
        self._config = config

    def render_GET(self, request: Request) -> bytes:
        request.setHeader(b"X-Content-Type-Options", b"nosniff")
        request.setHeader(b"Referrer-Policy", b"no-referrer")
        request.setHeader(b"Cache-Control", b"no-cache")

        segments = [segment for segment in request.postpath if segment]
        if not segments:
            return self._render_shell(request)
        if len(segments) == 1 and segments[0] in _ASSETS:
            return self._render_asset(request, *_ASSETS[segments[0]])

        request.setResponseCode(404)
        request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
        return b"Not found\n"

    def _render_shell(self, request: Request) -> bytes:
        page_config = {
            "defaultTimeZone": self._config.default_time_zone,
            "language": self._config.email_language,
        }
        config_attribute = html.escape(json.dumps(page_config), quote=True)
        request.setHeader(b"Content-Type", b"text/html; charset=utf-8")
        request.setHeader(b"Content-Security-Policy", CONTENT_SECURITY_POLICY)
        request.setHeader(b"X-Frame-Options", b"DENY")
        return _SHELL.format(
            language=self._config.email_language,
            config=config_attribute,
            prefix=SCHEDULE_PAGE_PATH,
        ).encode("utf-8")

    def _render_asset(self, request: Request, filename: str, content_type: bytes) -> bytes:
        path = BUNDLE_DIRECTORY / filename
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            logger.error("Schedule page asset %s is missing; run ./hubs build", path)
            request.setResponseCode(503)
            request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
            return b"The schedule page is not built; run ./hubs build\n"
        request.setHeader(b"Content-Type", content_type)
        return body


_SHELL = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="hubs-schedule-config" content="{config}">
<title>Boka möte – Hubs</title>
<link rel="stylesheet" href="{prefix}/schedule.css">
<script type="module" src="{prefix}/schedule.js"></script>
</head>
<body>
<main id="schedule-root"><noscript>Sidan behöver JavaScript. / This page needs JavaScript.</noscript></main>
</body>
</html>
"""
