# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calls to the Hubs HTTP API (meetings, guest links, token service) for tests."""

import urllib.parse
from typing import Any

import requests

from tests.harness.matrix_client import MatrixClient, quote

API_PREFIX = "/_synapse/client/hubs/v1"
RTC_PREFIX = "/_synapse/client/hubs/rtc"

EID_POLICY = "se.hubs.eid_policy"
NO_EID = {"required_for": "nobody", "methods": []}


def create_meeting(client: MatrixClient, title: str = "Bygglovsmöte", access: str = "public",
                   expect: int | None = 200, eid_policy: dict[str, Any] | None = NO_EID,
                   lobby: bool | None = False, **extra: Any) -> Any:
    """Create a meeting as `client` with this e-ID policy and lobby; None keeps the server default.

    The test server's default policy requires e-ID from guests, and public
    meetings have a lobby by default, so tests of other features get a
    meeting that requires nothing and admits guests directly.
    """
    body: dict[str, Any] = {"title": title, "access": access, **extra}
    if eid_policy is not None:
        body["eid"] = eid_policy
    if lobby is not None:
        body["lobby"] = lobby
    return client.request("POST", f"{API_PREFIX}/meetings", json=body, expect=expect)


def get_meeting(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("GET", f"{API_PREFIX}/meetings/{quote(room_id)}", expect=expect)


def create_link(client: MatrixClient, room_id: str, expect: int | None = 200,
                **body: Any) -> Any:
    return client.request("POST", f"{API_PREFIX}/meetings/{quote(room_id)}/links",
                          json=body, expect=expect)


def list_links(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("GET", f"{API_PREFIX}/meetings/{quote(room_id)}/links", expect=expect)


def revoke_link(client: MatrixClient, room_id: str, link_id: str,
                expect: int | None = 200) -> Any:
    return client.request(
        "DELETE", f"{API_PREFIX}/meetings/{quote(room_id)}/links/{quote(link_id)}",
        expect=expect,
    )


def link_token(link_url: str) -> str:
    """Return the token from a guest link URL (…/join/{token})."""
    path = urllib.parse.urlsplit(link_url).path
    return path.rsplit("/", 1)[1]


class GuestApi:
    """The unauthenticated guest endpoints, returning raw responses for header checks."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def describe(self, token: str) -> requests.Response:
        return self.session.get(f"{self.base_url}{API_PREFIX}/guest/{token}", timeout=30)

    def redeem(self, token: str, display_name: Any, password: str | None = None,
               **extra: Any) -> requests.Response:
        body: dict[str, Any] = {"display_name": display_name, **extra}
        if password is not None:
            body["password"] = password
        return self.session.post(f"{self.base_url}{API_PREFIX}/guest/{token}/redeem",
                                 json=body, timeout=30)

    def come_back(self, token: str, return_token: str | None = None,
                  use_cookies: bool = True) -> requests.Response:
        body = {"return_token": return_token} if return_token else None
        url = f"{self.base_url}{API_PREFIX}/guest/{token}/return"
        if use_cookies:
            return self.session.post(url, json=body, timeout=30)
        return requests.post(url, json=body, timeout=30)


def guest_client(base_url: str, session_body: dict[str, Any]) -> MatrixClient:
    """Return a Matrix client that acts as the guest of a redeem or return response."""
    return MatrixClient(base_url, session_body["user_id"], session_body["access_token"],
                        session_body["device_id"])


def request_sfu_get(base_url: str, body: Any) -> requests.Response:
    return requests.post(f"{base_url}{RTC_PREFIX}/sfu/get", json=body, timeout=30)


def request_get_token(base_url: str, body: Any) -> requests.Response:
    return requests.post(f"{base_url}{RTC_PREFIX}/get_token", json=body, timeout=30)


def lobby_waiting(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("GET", f"{API_PREFIX}/meetings/{quote(room_id)}/lobby", expect=expect)


def lobby_status(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("GET", f"{API_PREFIX}/meetings/{quote(room_id)}/lobby/status",
                          expect=expect)


def lobby_decide(client: MatrixClient, room_id: str, action: str, user_id: str | None = None,
                 expect: int | None = 200) -> Any:
    """POST a lobby decision: action is "admit", "admit_all", "deny" or "remove"."""
    path = "remove" if action == "remove" else f"lobby/{action}"
    body = {"user_id": user_id} if user_id is not None else {}
    return client.request("POST", f"{API_PREFIX}/meetings/{quote(room_id)}/{path}",
                          json=body, expect=expect)


def hand_queue(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("GET", f"{API_PREFIX}/meetings/{quote(room_id)}/hands", expect=expect)


def raise_hand(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("POST", f"{API_PREFIX}/meetings/{quote(room_id)}/hands/raise",
                          json={}, expect=expect)


def lower_hand(client: MatrixClient, room_id: str, user_id: str | None = None,
               expect: int | None = 200) -> Any:
    body = {"user_id": user_id} if user_id is not None else {}
    return client.request("POST", f"{API_PREFIX}/meetings/{quote(room_id)}/hands/lower",
                          json=body, expect=expect)
