# SPDX-License-Identifier: AGPL-3.0-or-later
"""Short-lived TURN credentials in coturn's use-auth-secret scheme."""

import base64
import hashlib
import hmac

import pytest

from sfu.config import ConfigError, parse_config
from sfu.signaling.connection import _ice_servers, turn_credentials

KEYS = {"key": "s" * 40}


def test_credentials_follow_turn_rest_scheme():
    username, credential = turn_credentials("coturn-secret", "@anna:example.se:DEV", 3600, now=1000)

    expiry, name = username.split(":")
    assert expiry == "4600"
    assert "anna" not in name
    expected = base64.b64encode(hmac.new(b"coturn-secret", username.encode(), hashlib.sha1).digest())
    assert credential == expected.decode()


def test_join_response_servers_use_minted_credentials():
    config = parse_config({"keys": KEYS, "rtc": {"ice_servers": [
        {"urls": ["turn:turn.example.se:3478"], "shared_secret": "coturn-secret"},
        {"urls": "turn:other.example.se", "username": "u", "credential": "c"},
    ]}})

    minted, static = _ice_servers(config, "@anna:example.se:DEV")

    assert list(minted.urls) == ["turn:turn.example.se:3478"]
    assert minted.username.split(":")[1]
    assert minted.credential
    assert (static.username, static.credential) == ("u", "c")


@pytest.mark.parametrize("server, option", [
    ({"urls": ["turn:x"], "shared_secret": "s", "username": "u"}, "rtc.ice_servers[0]"),
    ({"urls": ["turn:x"], "shared_secret": "s", "credential_ttl_s": 5}, "rtc.ice_servers[0].credential_ttl_s"),
    ({"username": "u"}, "rtc.ice_servers[0]"),
])
def test_invalid_turn_settings_name_the_option(server, option):
    with pytest.raises(ConfigError) as raised:
        parse_config({"keys": KEYS, "rtc": {"ice_servers": [server]}})
    assert raised.value.option == option
