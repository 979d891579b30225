# SPDX-License-Identifier: AGPL-3.0-or-later
"""Parsing /sfu/get and /get_token bodies as lk-jwt-service does."""

import pytest
from synapse.module_api.errors import SynapseError

from synapse_hubs.rtc.token_requests import parse_get_token, parse_sfu_get

OPENID = {"access_token": "tok", "token_type": "Bearer", "matrix_server_name": "hubs.test",
          "expires_in": 3600}
SFU_GET = {"room": "!r:hubs.test", "openid_token": OPENID, "device_id": "DEV"}
GET_TOKEN = {
    "room_id": "!r:hubs.test",
    "slot_id": "m.call#ROOM",
    "openid_token": OPENID,
    "member": {"id": "m1", "claimed_user_id": "@a:hubs.test", "claimed_device_id": "DEV"},
}


def test_sfu_get_parsed():
    request = parse_sfu_get({**SFU_GET, "delay_id": "d", "delay_timeout": 5000})

    assert request.room_id == "!r:hubs.test"
    assert request.slot_id == "m.call#ROOM"
    assert request.device_id == "DEV"
    assert request.openid_token.access_token == "tok"
    assert request.openid_token.matrix_server_name == "hubs.test"


def test_get_token_parsed():
    request = parse_get_token(GET_TOKEN)

    assert request.claimed_user_id == "@a:hubs.test"
    assert request.member_id == "m1"
    assert request.device_id == "DEV"
    assert request.slot_id == "m.call#ROOM"


@pytest.mark.parametrize("body", [
    {key: value for key, value in SFU_GET.items() if key != "room"},
    {key: value for key, value in SFU_GET.items() if key != "device_id"},
    {key: value for key, value in SFU_GET.items() if key != "openid_token"},
    {**SFU_GET, "room": 5},
    {**SFU_GET, "openid_token": "tok"},
    {**SFU_GET, "openid_token": {"access_token": "tok"}},
    {**SFU_GET, "openid_token": {"matrix_server_name": "hubs.test"}},
    {**SFU_GET, "device_id": "DEV\ud800"},
])
def test_sfu_get_bad_bodies(body):
    with pytest.raises(SynapseError) as error:
        parse_sfu_get(body)

    assert error.value.code == 400
    assert error.value.errcode == "M_BAD_JSON"


@pytest.mark.parametrize("body", [
    {key: value for key, value in GET_TOKEN.items() if key != "slot_id"},
    {key: value for key, value in GET_TOKEN.items() if key != "member"},
    {**GET_TOKEN, "member": {"id": "m1", "claimed_user_id": "@a:hubs.test"}},
    {**GET_TOKEN, "member": {"claimed_user_id": "@a:hubs.test", "claimed_device_id": "D"}},
    {**GET_TOKEN, "room_id": ""},
])
def test_get_token_bad_bodies(body):
    with pytest.raises(SynapseError) as error:
        parse_get_token(body)

    assert error.value.errcode == "M_BAD_JSON"
