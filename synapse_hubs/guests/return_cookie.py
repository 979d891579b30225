# SPDX-License-Identifier: AGPL-3.0-or-later
"""The cookie that carries a guest's return token back to the join page.

One cookie per link (`hubs_return_<link_id>`), HttpOnly so page scripts
cannot read it, SameSite=Strict so other sites cannot send it, and scoped
to the Hubs pages and API under /_synapse/client/hubs/.
"""

from synapse.module_api import SynapseRequest

COOKIE_PREFIX = "hubs_return_"
COOKIE_PATH = "/_synapse/client/hubs/"


def cookie_name(link_id: str) -> str:
    return COOKIE_PREFIX + link_id


def set_return_cookie(
    request: SynapseRequest, link_id: str, return_token: str, max_age_s: int, secure: bool
) -> None:
    attributes = [
        f"{cookie_name(link_id)}={return_token}",
        "HttpOnly",
        "SameSite=Strict",
        f"Path={COOKIE_PATH}",
        f"Max-Age={max_age_s}",
    ]
    if secure:
        attributes.append("Secure")
    request.responseHeaders.addRawHeader(b"Set-Cookie", "; ".join(attributes).encode("ascii"))


def read_return_cookie(request: SynapseRequest, link_id: str) -> str | None:
    value = request.getCookie(cookie_name(link_id).encode("ascii"))
    return value.decode("ascii", errors="replace") if value else None


def return_cookie_max_age_s(expires_ts: int | None, now_ms: int, configured_max_s: int) -> int:
    """Return the cookie lifetime: the configured maximum, or less if the link expires sooner."""
    if expires_ts is None:
        return configured_max_s
    remaining_s = max(0, (expires_ts - now_ms) // 1000)
    return min(configured_max_s, remaining_s)
