# SPDX-License-Identifier: AGPL-3.0-or-later
"""POST /demo/links, which `hubs up` calls to print the demo meeting's links."""

import urllib.parse

import requests

from tests.harness.hubs_api import API_PREFIX, GuestApi, get_meeting, link_token
from tests.harness.matrix_client import MatrixClient


def post_demo_links(homeserver, secret: str | None = None) -> requests.Response:
    headers = {}
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    return requests.post(f"{homeserver.base_url}{API_PREFIX}/demo/links", json={},
                         headers=headers, timeout=30)


def login_with_token(homeserver, login_token: str) -> MatrixClient:
    body = homeserver.client().request("POST", "/_matrix/client/v3/login", json={
        "type": "m.login.token", "token": login_token,
    }, auth=False)
    return MatrixClient(homeserver.base_url, body["user_id"], body["access_token"],
                        body["device_id"])


def test_demo_links_answer(homeserver):
    answer = post_demo_links(homeserver, homeserver.secrets.cli_secret)

    assert answer.status_code == 200
    body = answer.json()
    assert body["meeting_title"] == "Demomöte"
    assert body["organiser_user_id"] == f"@organiser:{homeserver.server_name}"
    assert body["organiser_url_valid_minutes"] == 60
    meeting_url, _, fragment = body["organiser_url"].partition("#")
    assert meeting_url == (f"{homeserver.base_url}/_synapse/client/hubs/meet/{body['room_id']}"
                           f"?via={homeserver.server_name}")
    assert fragment.startswith("loginToken=")
    assert body["guest_url"].startswith(f"{homeserver.base_url}/_synapse/client/hubs/join/")


def test_demo_organiser_link_signs_in(homeserver):
    body = post_demo_links(homeserver, homeserver.secrets.cli_secret).json()
    fragment = urllib.parse.urlsplit(body["organiser_url"]).fragment
    login_token = urllib.parse.parse_qs(fragment)["loginToken"][0]

    organiser = login_with_token(homeserver, login_token)

    assert organiser.user_id == body["organiser_user_id"]
    assert get_meeting(organiser, body["room_id"])["is_moderator"] is True


def test_demo_guest_link_redeemable(homeserver):
    body = post_demo_links(homeserver, homeserver.secrets.cli_secret).json()

    answer = GuestApi(homeserver.base_url).redeem(link_token(body["guest_url"]), "Demogäst")

    assert answer.status_code == 200
    assert answer.json()["room_id"] == body["room_id"]


def test_demo_reuses_meeting(homeserver):
    first = post_demo_links(homeserver, homeserver.secrets.cli_secret).json()
    second = post_demo_links(homeserver, homeserver.secrets.cli_secret).json()

    assert second["room_id"] == first["room_id"]
    assert second["guest_url"] != first["guest_url"]


def test_demo_needs_cli_secret(homeserver):
    assert post_demo_links(homeserver).status_code == 401
    wrong = post_demo_links(homeserver, "x" * 43)
    assert wrong.status_code == 401
    assert wrong.json()["errcode"] == "M_UNAUTHORIZED"
