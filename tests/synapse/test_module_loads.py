# SPDX-License-Identifier: AGPL-3.0-or-later
"""The module loads into a real Synapse and publishes the SFU transport."""

import requests


def test_version_endpoint_names_service_user(homeserver):
    body = requests.get(homeserver.base_url + "/_synapse/client/hubs/v1/version", timeout=10).json()

    assert body["service_user"] == f"@hubs:{homeserver.server_name}"


def test_well_known_lists_token_service(homeserver):
    body = requests.get(homeserver.base_url + "/.well-known/matrix/client", timeout=10).json()

    foci = body["org.matrix.msc4143.rtc_foci"]
    assert foci == [{"type": "livekit",
                     "livekit_service_url": homeserver.base_url + "/_synapse/client/hubs/rtc"}]


def test_rtc_transports_endpoint_lists_token_service(homeserver):
    user = homeserver.register_user()

    body = user.request("GET", "/_matrix/client/unstable/org.matrix.msc4143/rtc/transports")

    assert body["rtc_transports"] == [
        {"type": "livekit",
         "livekit_service_url": homeserver.base_url + "/_synapse/client/hubs/rtc"}
    ]


def test_service_account_exists(homeserver):
    admin = homeserver.register_user(admin=True)

    body = admin.request("GET", f"/_synapse/admin/v2/users/@hubs:{homeserver.server_name}")

    assert body["displayname"] == "Hubs"


def test_version_reports_ready(homeserver):
    body = requests.get(homeserver.base_url + "/_synapse/client/hubs/v1/version", timeout=10).json()

    assert body["ready"] is True
