# SPDX-License-Identifier: AGPL-3.0-or-later
"""Addresses of the pages that the API hands out (served by the join page)."""

import urllib.parse

PAGES_PREFIX = "_synapse/client/hubs"


def meeting_url(public_baseurl: str, room_id: str) -> str:
    """Return the meeting page for signed-in members of room_id."""
    # Room IDs are kept readable: '!' and ':' are valid in a path segment.
    return f"{_base(public_baseurl)}{PAGES_PREFIX}/meet/{urllib.parse.quote(room_id, safe='!:')}"


def guest_link_url(public_baseurl: str, link_token: str) -> str:
    """Return the join page that redeems the guest link with this token."""
    return f"{_base(public_baseurl)}{PAGES_PREFIX}/join/{link_token}"


def _base(public_baseurl: str) -> str:
    return public_baseurl if public_baseurl.endswith("/") else public_baseurl + "/"
