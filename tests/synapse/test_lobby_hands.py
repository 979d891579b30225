# SPDX-License-Identifier: AGPL-3.0-or-later
"""Raised hands: a queue in the order the server received raises, kept across reconnects."""

import pytest

from tests.harness.hubs_api import (
    GuestApi,
    create_link,
    create_meeting,
    guest_client,
    hand_queue,
    link_token,
    lower_hand,
    raise_hand,
)
from tests.harness.matrix_client import MatrixError


@pytest.fixture
def organiser(homeserver):
    return homeserver.register_user()


@pytest.fixture
def room_id(organiser):
    return create_meeting(organiser, title="Frågestund")["room_id"]


@pytest.fixture
def token(organiser, room_id):
    return link_token(create_link(organiser, room_id)["url"])


def join_guest(homeserver, token, name):
    guests = GuestApi(homeserver.base_url)
    body = guests.redeem(token, name).json()
    return guests, body, guest_client(homeserver.base_url, body)


def queue_ids(client, room_id):
    return [hand["user_id"] for hand in hand_queue(client, room_id)["queue"]]


def test_queue_in_raise_order(organiser, room_id, token, homeserver):
    _, _, anna = join_guest(homeserver, token, "Anna")
    _, _, bo = join_guest(homeserver, token, "Bo")

    raise_hand(bo, room_id)
    raise_hand(anna, room_id)
    raise_hand(organiser, room_id)

    assert queue_ids(organiser, room_id) == [bo.user_id, anna.user_id, organiser.user_id]
    published = organiser.state_event(room_id, "se.hubs.hand_queue")["queue"]
    assert [hand["user_id"] for hand in published] == [bo.user_id, anna.user_id,
                                                      organiser.user_id]
    times = [hand["raised_ts"] for hand in published]
    assert times == sorted(times)


def test_raising_again_keeps_place(organiser, room_id, token, homeserver):
    _, _, anna = join_guest(homeserver, token, "Anna")
    _, _, bo = join_guest(homeserver, token, "Bo")
    raise_hand(anna, room_id)
    raise_hand(bo, room_id)

    raise_hand(anna, room_id)

    assert queue_ids(organiser, room_id) == [anna.user_id, bo.user_id]


def test_queue_survives_reconnect(organiser, room_id, token, homeserver):
    anna_api, anna_body, anna = join_guest(homeserver, token, "Anna")
    _, _, bo = join_guest(homeserver, token, "Bo")
    raise_hand(anna, room_id)
    raise_hand(bo, room_id)

    # Anna reloads the page: a new device through the return token.
    back = anna_api.come_back(token, anna_body["return_token"]).json()
    anna_again = guest_client(homeserver.base_url, back)

    assert back["device_id"] != anna_body["device_id"]
    assert queue_ids(anna_again, room_id) == [anna.user_id, bo.user_id]


def test_lowered_hand_leaves_queue(organiser, room_id, token, homeserver):
    _, _, anna = join_guest(homeserver, token, "Anna")
    _, _, bo = join_guest(homeserver, token, "Bo")
    raise_hand(anna, room_id)
    raise_hand(bo, room_id)

    lower_hand(anna, room_id)

    assert queue_ids(organiser, room_id) == [bo.user_id]
    published = organiser.state_event(room_id, "se.hubs.hand_queue")["queue"]
    assert [hand["user_id"] for hand in published] == [bo.user_id]
    raise_hand(anna, room_id)
    assert queue_ids(organiser, room_id) == [bo.user_id, anna.user_id]


def test_moderator_lowers_someones_hand(organiser, room_id, token, homeserver):
    _, _, anna = join_guest(homeserver, token, "Anna")
    raise_hand(anna, room_id)

    lower_hand(organiser, room_id, anna.user_id)

    assert queue_ids(organiser, room_id) == []


def test_participant_cannot_lower_others(organiser, room_id, token, homeserver):
    _, _, anna = join_guest(homeserver, token, "Anna")
    _, _, bo = join_guest(homeserver, token, "Bo")
    raise_hand(anna, room_id)

    with pytest.raises(MatrixError) as refused:
        lower_hand(bo, room_id, anna.user_id)

    assert refused.value.status == 403
    assert queue_ids(organiser, room_id) == [anna.user_id]


def test_non_member_cannot_raise(room_id, homeserver):
    outsider = homeserver.register_user()

    with pytest.raises(MatrixError) as refused:
        raise_hand(outsider, room_id)

    assert refused.value.status == 403


def test_hand_state_only_from_service_account(organiser, room_id, token, homeserver):
    _, _, anna = join_guest(homeserver, token, "Anna")
    raise_hand(anna, room_id)

    with pytest.raises(MatrixError) as refused:
        anna.put_state(room_id, "se.hubs.hand_queue", "", {"queue": []})

    assert refused.value.status == 403
    assert queue_ids(organiser, room_id) == [anna.user_id]
