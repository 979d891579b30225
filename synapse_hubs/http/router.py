# SPDX-License-Identifier: AGPL-3.0-or-later
"""A JSON resource that dispatches requests by method and path pattern.

Synapse's module API hands us one Twisted resource per registered prefix.
JsonRouter sits at such a prefix, matches the rest of the path against the
routes it was given and calls the handler with the named groups of the
pattern. Errors raised as SynapseError reach the client as Matrix-style
`{"errcode", "error"}` JSON; CORS preflight is answered for every route,
because Element Call calls the token service from another origin.
"""

import logging
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from synapse.module_api import DirectServeJsonResource, SynapseRequest
from synapse.module_api.errors import SynapseError

logger = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[tuple[int, Any]]]

CORS_HEADERS = {
    b"Access-Control-Allow-Origin": b"*",
    b"Access-Control-Allow-Methods": b"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
    b"Access-Control-Allow-Headers": b"Authorization, Content-Type, X-Requested-With",
    b"Access-Control-Max-Age": b"86400",
}


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class JsonRouter(DirectServeJsonResource):
    """Serve JSON routes under one path prefix."""

    # Twisted passes every sub-path to this resource instead of looking for children.
    isLeaf = True

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix.rstrip("/")
        self._routes: list[Route] = []

    def add(self, method: str, path: str, handler: Handler) -> None:
        """Register handler for METHOD and a path regex relative to the prefix.

        Named groups in `path` are passed to the handler as keyword arguments,
        percent-decoded, so a pattern such as `(?P<room_id>[^/]+)` receives
        `!abc:example.org` for the path segment `%21abc%3Aexample.org`.
        """
        pattern = re.compile("^" + path + "$")
        self._routes.append(Route(method.upper(), pattern, handler))

    async def _async_render(self, request: SynapseRequest) -> tuple[int, Any] | None:
        method = request.method.decode("ascii")
        if method == "HEAD":
            method = "GET"

        relative_path = self._relative_path(request)
        matching = [
            (route, match)
            for route in self._routes
            if (match := route.pattern.match(relative_path))
        ]
        if not matching:
            raise SynapseError(404, "Unrecognized request", "M_UNRECOGNIZED")

        if method == "OPTIONS":
            self._answer_preflight(request)
            return None

        for route, match in matching:
            if route.method == method:
                arguments = {
                    name: urllib.parse.unquote(value)
                    for name, value in match.groupdict().items()
                }
                return await route.handler(request, **arguments)

        raise SynapseError(405, f"Method {method} is not allowed here", "M_UNRECOGNIZED")

    def _relative_path(self, request: SynapseRequest) -> str:
        path = request.path.decode("utf-8", errors="replace")
        if not path.startswith(self._prefix):
            return ""
        return path[len(self._prefix) :] or "/"

    def _answer_preflight(self, request: SynapseRequest) -> None:
        request.setResponseCode(204)
        for name, value in CORS_HEADERS.items():
            request.setHeader(name, value)
        request.setHeader(b"Content-Length", b"0")
        request.finish()


def client_address(request: SynapseRequest) -> str:
    """Return the client IP, honouring X-Forwarded-For only where Synapse does.

    SynapseRequest.getClientAddress() already applies the listener's
    `x_forwarded` setting, so a client cannot spoof its address here unless
    the admin enabled forwarding headers on a listener that faces clients.
    """
    return str(request.getClientAddress().host)
