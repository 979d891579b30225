# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP side of the SFU: signaling WebSocket, admin API and health check."""

import asyncio
import logging
import signal

from aiohttp import web

from sfu import __version__
from sfu.config import SfuConfig

logger = logging.getLogger(__name__)


def build_app(config: SfuConfig) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app["config"] = config
    app.router.add_get("/healthz", _healthz)
    # livekit-client first tries the single-PC protocol at /rtc/v1; a 404 on
    # both paths makes it fall back to the two-PC protocol v0 at /rtc.
    app.router.add_route("*", "/rtc/v1", _not_found)
    app.router.add_route("*", "/rtc/v1/validate", _not_found)
    return app


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "version": __version__})


async def _not_found(request: web.Request) -> web.Response:
    return web.Response(status=404, text="not found")


async def run_server(config: SfuConfig) -> None:
    app = build_app(config)
    runner = web.AppRunner(app, handle_signals=False)
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
