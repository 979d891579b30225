# SPDX-License-Identifier: AGPL-3.0-or-later
"""Web resources of the join page: the HTML routes and the static files.

    /_synapse/client/hubs/join/{token}     guest link: pre-join, call and chat
    /_synapse/client/hubs/meet/{room_id}   signed-in users: the same page for a room
    /_synapse/client/hubs/meet/            signed-in users: create a meeting
    /_synapse/client/hubs/schedule         signed-in users: schedule a meeting
    /_synapse/client/hubs/recording/{id}   signed-in users: download a meeting recording
    /_synapse/client/hubs/static/...       bundle and stylesheet

Every HTML route returns the same shell; the script reads the path and
decides what to show.
"""

import logging

from synapse.module_api import ModuleApi
from twisted.web.resource import Resource
from twisted.web.server import Request

from synapse_hubs.config import HubsConfig
from synapse_hubs.web.page_shell import STATIC_PATH, PageConfig, PageShell
from synapse_hubs.web.static_files import StaticFileCache, StaticFilesResource

logger = logging.getLogger(__name__)

JOIN_PATH = "/_synapse/client/hubs/join"
MEET_PATH = "/_synapse/client/hubs/meet"
SCHEDULE_PATH = "/_synapse/client/hubs/schedule"
RECORDING_PATH = "/_synapse/client/hubs/recording"

# Guest link tokens and room ids are short; anything longer is not ours.
MAX_PATH_PARAMETER_LENGTH = 512

SECURITY_HEADERS = {
    b"X-Content-Type-Options": b"nosniff",
    b"X-Frame-Options": b"DENY",
    # The join URL contains the guest link token; never send it to anyone.
    b"Referrer-Policy": b"no-referrer",
    b"Permissions-Policy": b"camera=(self), microphone=(self), display-capture=(self), "
    b"fullscreen=(self), geolocation=(), payment=(), usb=()",
    b"Cross-Origin-Opener-Policy": b"same-origin",
    b"Cache-Control": b"no-cache",
}


class PageResource(Resource):
    """Serve the HTML shell for one route with one path parameter."""

    isLeaf = True

    def __init__(self, shell: PageShell, parameter_required: bool) -> None:
        super().__init__()
        self._shell = shell
        self._parameter_required = parameter_required

    def render_GET(self, request: Request) -> bytes:
        if not self._path_is_valid(request.postpath):
            request.setResponseCode(404)
            request.setHeader(b"Content-Type", b"text/plain; charset=utf-8")
            return b"Not found\n"

        request.setHeader(b"Content-Type", b"text/html; charset=utf-8")
        request.setHeader(
            b"Content-Security-Policy", self._shell.content_security_policy.encode("ascii")
        )
        for name, value in SECURITY_HEADERS.items():
            request.setHeader(name, value)
        return self._shell.render()

    def _path_is_valid(self, postpath: list[bytes]) -> bool:
        # postpath is [] for ".../join", [b""] for ".../join/" and
        # [b"abc"] for ".../join/abc".
        parameters = [segment for segment in postpath if segment]
        if len(postpath) > 1 or len(parameters) > 1:
            return False
        if not parameters:
            return not self._parameter_required
        return len(parameters[0]) <= MAX_PATH_PARAMETER_LENGTH


def register_web_pages(api: ModuleApi, config: HubsConfig) -> None:
    """Register the join page routes and static files with Synapse."""
    files = StaticFileCache()
    page_config = PageConfig(
        homeserver_url=api.public_baseurl.rstrip("/"),
        default_language=config.default_language,
        sfu_url=config.sfu.url,
        default_time_zone=config.calendar.default_time_zone,
    )
    shell = PageShell(page_config, files)

    if files.version("bundle/app.js") == "missing":
        logger.warning(
            "The join page bundle is missing (synapse_hubs/web/static/bundle/app.js); "
            "run ./hubs build to create it"
        )

    api.register_web_resource(JOIN_PATH, PageResource(shell, parameter_required=True))
    api.register_web_resource(MEET_PATH, PageResource(shell, parameter_required=False))
    api.register_web_resource(SCHEDULE_PATH, PageResource(shell, parameter_required=False))
    api.register_web_resource(RECORDING_PATH, PageResource(shell, parameter_required=True))
    api.register_web_resource(STATIC_PATH, StaticFilesResource(files))
