# SPDX-License-Identifier: AGPL-3.0-or-later
"""Send a non-JSON body (a file download) from a JsonRouter handler.

A JsonRouter handler that has written its own response returns None, and
the router then sends nothing more.
"""

from synapse.module_api import SynapseRequest


def respond_with_file(
    request: SynapseRequest, body: bytes, content_type: str, filename: str
) -> None:
    """Finish the request with `body` as an attachment named `filename`.

    `filename` must be plain ASCII without quotes; callers build it from
    identifiers, never from user input.
    """
    request.setResponseCode(200)
    request.setHeader(b"Content-Type", content_type.encode("ascii"))
    request.setHeader(b"Content-Disposition", f'attachment; filename="{filename}"'.encode("ascii"))
    request.setHeader(b"Content-Length", str(len(body)).encode("ascii"))
    request.setHeader(b"X-Content-Type-Options", b"nosniff")
    request.setHeader(b"Cache-Control", b"no-store")
    request.write(body)
    request.finish()
