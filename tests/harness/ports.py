# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pick free TCP ports on loopback for test servers."""

import socket


def free_port(host: str = "127.0.0.1") -> int:
    # The port could be taken between close() and the server's bind(), but
    # nothing else on this loopback-only test namespace competes for it.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
