# SPDX-License-Identifier: AGPL-3.0-or-later
"""Addresses of the pages that the API hands out (served by the join page)."""

import urllib.parse
from typing import Sequence

PAGES_PREFIX = "_synapse/client/hubs"


def meeting_url(public_baseurl: str, room_id: str, via: Sequence[str] = ()) -> str:
    """Return the meeting page for signed-in members of room_id.

    `via` names servers in the room (ours) so that a user of a partner
    server, opening the same path on their own server, can join: room
    version 12 room IDs name no server to ask.
    """
    # Room IDs are kept readable: '!' and ':' are valid in a path segment.
    url = f"{_base(public_baseurl)}{PAGES_PREFIX}/meet/{urllib.parse.quote(room_id, safe='!:')}"
    return url + _via_query(via)


def matrix_uri(room_id: str, via: Sequence[str]) -> str:
    """Return the `matrix:` URI (MSC2312) that Matrix clients such as Element open to join."""
    return (f"matrix:roomid/{urllib.parse.quote(room_id.removeprefix('!'), safe=':')}"
            f"{_via_query(via)}{'&' if via else '?'}action=join")


def guest_link_url(public_baseurl: str, link_token: str) -> str:
    """Return the join page that redeems the guest link with this token."""
    return f"{_base(public_baseurl)}{PAGES_PREFIX}/join/{link_token}"


def _via_query(via: Sequence[str]) -> str:
    if not via:
        return ""
    return "?" + urllib.parse.urlencode([("via", server) for server in via], safe=":[]")


def _base(public_baseurl: str) -> str:
    return public_baseurl if public_baseurl.endswith("/") else public_baseurl + "/"
