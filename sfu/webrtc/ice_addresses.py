# SPDX-License-Identifier: AGPL-3.0-or-later
"""Make aioice gather host candidates on the configured addresses only.

aioice (0.13) enumerates every interface of the machine and skips
127.0.0.1. An SFU must instead announce the addresses the admin chose: the
public address in production, 127.0.0.1 in development and tests. aioice
has no option for this, so the SFU process replaces its address lookup once
at start-up; nothing else in the process uses aioice.
"""

import logging
from typing import Sequence

import aioice.ice

logger = logging.getLogger(__name__)

_configured: tuple[str, ...] = ()
# TODO: bind media to a configured UDP port range (or one muxed port); aioice picks ephemeral ports.


def use_addresses(addresses: Sequence[str]) -> None:
    """Gather ICE host candidates on exactly `addresses` from now on."""
    global _configured
    _configured = tuple(addresses)
    aioice.ice.get_host_addresses = _configured_addresses  # type: ignore[assignment]
    logger.info("ICE host candidates will use %s", ", ".join(_configured))


def _configured_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return [
        address for address in _configured
        if (":" in address and use_ipv6) or (":" not in address and use_ipv4)
    ]
