# SPDX-License-Identifier: AGPL-3.0-or-later
"""Drive the e-ID step-up over HTTP the way a browser does, for tests.

A requests.Session plays the browser: it keeps the step-up cookie and
follows the redirects between Synapse and the fake provider one at a time,
so tests can stop, replay or tamper with any step.
"""

import re
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import requests

from synapse_hubs.event_types import EID_POLICY
from tests.harness.homeserver import Homeserver
from tests.harness.matrix_client import MatrixClient

PREFIX = "/_synapse/client/hubs/eid"


def create_meeting(owner: MatrixClient, policy: dict[str, Any] | None = None) -> str:
    """Create a public room that requires e-ID as `policy` sets (default: everyone, BankID)."""
    content = policy or {"required_for": "everyone", "methods": ["bankid", "freja", "siths"],
                         "min_loa": "loa3"}
    return owner.create_room(
        preset="public_chat",
        initial_state=[
            {"type": EID_POLICY, "state_key": "", "content": content},
            {"type": "m.room.guest_access", "state_key": "", "content": {"guest_access": "can_join"}},
        ],
    )


@dataclass
class Response:
    status: int
    text: str
    location: str | None


class BrowserStepUp:
    """One browser's step-up for one user and meeting."""

    def __init__(self, homeserver: Homeserver, user: MatrixClient, room_id: str,
                 return_to: str | None = None) -> None:
        self.base = homeserver.base_url
        self.browser = requests.Session()
        body: dict[str, Any] = {"room_id": room_id}
        if return_to:
            body["return_to"] = return_to
        answer = user.request("POST", "/_synapse/client/hubs/v1/eid/tickets", json=body)
        self.start_url = answer["start_url"]

    def open_start_link(self, language: str = "sv") -> Response:
        """Do what the start page's script does: post the ticket from the fragment."""
        page_url, _, fragment = self.start_url.partition("#")
        start_page = self.browser.get(page_url, timeout=10)
        assert start_page.status_code == 200, start_page.text
        ticket = urllib.parse.parse_qs(fragment)["ticket"][0]
        return self.post(PREFIX + "/start", {"ticket": ticket, "lang": language}, follow=True)

    def choose(self, provider_id: str, method: str) -> Response:
        """Press a method button; returns the redirect to the provider."""
        return self.post(PREFIX + "/begin", {"choice": f"{provider_id}:{method}"})

    def get(self, url: str, follow: bool = False) -> Response:
        response = self.browser.get(self._absolute(url), allow_redirects=follow, timeout=30)
        return Response(response.status_code, response.text, response.headers.get("Location"))

    def post(self, url: str, form: dict[str, str], follow: bool = False) -> Response:
        response = self.browser.post(self._absolute(url), data=form, allow_redirects=follow,
                                     timeout=30)
        return Response(response.status_code, response.text, response.headers.get("Location"))

    def post_json(self, url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = self.browser.post(self._absolute(url), json=body, timeout=30)
        return response.status_code, response.json()

    def authorize_at_provider(self, authorization_url: str) -> str:
        """Visit the fake OP's /authorize; return the callback URL it redirects to."""
        response = self.browser.get(authorization_url, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def oidc_flow(self, provider_id: str, method: str) -> Response:
        """Run a whole OIDC attempt and return the page Synapse returns for the callback."""
        redirect = self.choose(provider_id, method)
        assert redirect.status == 303, redirect.text
        assert redirect.location
        return self.get(self.authorize_at_provider(redirect.location))

    def bankid_flow(self, timeout_s: float = 30, cancel_after: int | None = None
                    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Poll the BankID page's status endpoint once a second until it ends.

        Returns the final response and every response seen.
        """
        redirect = self.choose("bankid", "bankid")
        assert redirect.status == 303, redirect.text
        assert redirect.location
        state = urllib.parse.parse_qs(redirect.location.partition("#")[2])["state"][0]
        answers: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if cancel_after is not None and len(answers) >= cancel_after:
                _, answer = self.post_json(PREFIX + "/bankid/cancel", {"state": state})
                answers.append(answer)
                return answer, answers
            _, answer = self.post_json(PREFIX + "/bankid/status", {"state": state})
            answers.append(answer)
            if answer["status"] != "pending":
                return answer, answers
            time.sleep(1)
        raise AssertionError(f"BankID flow did not end within {timeout_s} s: {answers[-3:]}")

    def _absolute(self, url: str) -> str:
        return url if url.startswith("http") else self.base + url


def failure_reason(page: Response) -> str | None:
    """Return the data-reason of the failure box on a page, if any."""
    match = re.search(r'data-testid="failure" data-reason="([a-z_]+)"', page.text)
    return match.group(1) if match else None


def is_verified_page(page: Response) -> bool:
    return 'data-testid="verified"' in page.text


def eid_status(user: MatrixClient, room_id: str) -> dict[str, Any]:
    return user.request("GET", "/_synapse/client/hubs/v1/eid/status",
                        params={"room_id": room_id})
