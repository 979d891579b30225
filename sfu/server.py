# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP side of the SFU: signaling WebSocket, admin API and health check."""

import asyncio
import logging
import signal

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from sfu import __version__
from sfu.admin.recording_api import handle_recording_twirp
from sfu.admin.stats_api import handle_stats_twirp
from sfu.admin.twirp import handle_twirp
from sfu.admin.webhooks import WebhookNotifier
from sfu.config import SfuConfig
from sfu.recording.recording_manager import RecordingManager
from sfu.room.registry import RoomRegistry
from sfu.signaling.connection import handle_rtc, handle_validate
from sfu.webrtc import ice_addresses

logger = logging.getLogger(__name__)


@web.middleware
async def _cors(request: web.Request, handler) -> web.StreamResponse:
    """Let browsers read /rtc/validate answers from the page's origin.

    livekit-client fetches /rtc/v1/validate and /rtc/validate when a
    WebSocket fails, to tell a missing server version from a refused token.
    """
    if request.method == "OPTIONS":
        response: web.StreamResponse = web.Response(status=204)
    else:
        response = await handler(request)
    if request.path.startswith("/rtc"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings: /rtc carries the access token in its query."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %d %.3fs", request.remote, request.method, request.path,
                         response.status, time)


def build_app(config: SfuConfig) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024, middlewares=[_cors])
    app["config"] = config
    app["webhooks"] = WebhookNotifier(config)
    app["registry"] = RoomRegistry(config, app["webhooks"])
    app["recordings"] = RecordingManager(config, app["webhooks"])

    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/rtc", handle_rtc)
    app.router.add_get("/rtc/validate", handle_validate)
    # livekit-client first tries the single-PC protocol at /rtc/v1; a 404 on
    # both paths makes it fall back to the two-PC protocol v0 at /rtc.
    app.router.add_route("*", "/rtc/v1", _not_found)
    app.router.add_route("*", "/rtc/v1/validate", _not_found)
    app.router.add_post("/twirp/livekit.RoomService/{method}", handle_twirp)
    app.router.add_post("/twirp/hubs.RecordingService/{method}", handle_recording_twirp)
    app.router.add_post("/twirp/hubs.StatsService/{method}", handle_stats_twirp)

    app.on_startup.append(_on_startup)
    app.on_shutdown.append(_on_shutdown)
    return app


async def _on_startup(app: web.Application) -> None:
    config: SfuConfig = app["config"]
    ice_addresses.use_addresses(config.rtc.announce_addresses)
    app["webhooks"].start()
    app["recordings"].start_recovery()


async def _on_shutdown(app: web.Application) -> None:
    logger.info("SFU shutting down: closing %d rooms", len(app["registry"].rooms))
    # Closing the rooms finalises their recordings before webhooks stop.
    await app["registry"].shutdown()
    await app["recordings"].stop_all()
    await app["webhooks"].stop()


async def _healthz(request: web.Request) -> web.Response:
    registry: RoomRegistry = request.app["registry"]
    return web.json_response({"status": "ok", "version": __version__, "rooms": len(registry.rooms)})


async def _not_found(request: web.Request) -> web.Response:
    return web.Response(status=404, text="not found")


async def run_server(config: SfuConfig) -> None:
    app = build_app(config)
    runner = web.AppRunner(app, handle_signals=False, access_log_class=PathOnlyAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    logger.info("SFU %s listening on %s:%d", __version__, config.host, config.port)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()

    logger.info("SFU stopping")
    await runner.cleanup()
    logger.info("SFU stopped")
