# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recording policy and notices, seen by plain Matrix clients as Element would see them.

A synthetic participant is in each meeting's call (real VP8 and Opus
through the SFU), because the SFU records only a call that runs.
"""

import time

import pytest

from tests.harness.background_call import BackgroundCall
from tests.harness.hubs_api import create_meeting
from tests.harness.matrix_client import MatrixError
from tests.harness.recording_http import (
    RECORDING_EVENT,
    notices,
    recording_state,
    set_room_policy,
    start_recording,
    stop_recording,
    wait_for_notice,
)


@pytest.fixture(scope="module")
def server_admin(homeserver):
    return homeserver.register_user(admin=True)


def meeting_with_member(homeserver, **options):
    organiser = homeserver.register_user()
    member = homeserver.register_user()
    room_id = create_meeting(organiser, title="Inspelat möte", **options)["room_id"]
    organiser.invite(room_id, member.user_id)
    member.join(room_id)
    return organiser, member, room_id


def wait_for_state(client, room_id, active: bool, timeout_s: float = 20) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            content = client.state_event(room_id, RECORDING_EVENT)
            if content.get("active") is active:
                return content
        except MatrixError as error:
            if error.status != 404:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"{RECORDING_EVENT} never became active={active} in {room_id}")
        time.sleep(0.3)


def test_recording_refused_when_not_enabled(homeserver):
    organiser, member, room_id = meeting_with_member(homeserver)

    state = recording_state(member, room_id)
    assert state["allowed"] is False
    assert state["reason"] == "not_enabled"
    assert state["active"] is False
    with pytest.raises(MatrixError) as refused:
        start_recording(organiser, room_id)
    assert refused.value.status == 403
    assert refused.value.errcode == "SE_HUBS_RECORDING_NOT_ENABLED"
    assert "server admin can enable it" in refused.value.body["error"]


def test_recording_refused_for_e2ee_meeting(homeserver, server_admin):
    organiser = homeserver.register_user()
    room_id = create_meeting(organiser, access="private", e2ee=True)["room_id"]
    set_room_policy(server_admin, room_id, allowed=True)

    assert recording_state(organiser, room_id)["reason"] == "e2ee"
    with pytest.raises(MatrixError) as refused:
        start_recording(organiser, room_id)
    assert refused.value.status == 403
    assert refused.value.errcode == "SE_HUBS_RECORDING_E2EE"


def test_recording_refused_without_call(homeserver, server_admin):
    organiser, _, room_id = meeting_with_member(homeserver)
    set_room_policy(server_admin, room_id, allowed=True)

    with pytest.raises(MatrixError) as refused:
        start_recording(organiser, room_id)
    assert refused.value.status == 409
    assert refused.value.errcode == "SE_HUBS_NO_CALL"


def test_recording_needs_moderator(homeserver, server_admin):
    organiser, member, room_id = meeting_with_member(homeserver)
    set_room_policy(server_admin, room_id, allowed=True)

    with pytest.raises(MatrixError) as refused:
        start_recording(member, room_id)
    assert refused.value.status == 403
    assert refused.value.errcode == "M_FORBIDDEN"


def test_room_policy_needs_server_admin(homeserver):
    organiser, _, room_id = meeting_with_member(homeserver)
    with pytest.raises(MatrixError) as refused:
        set_room_policy(organiser, room_id, allowed=True)
    assert refused.value.status == 403


def test_nobody_else_sets_recording_state(homeserver):
    organiser, _, room_id = meeting_with_member(homeserver)
    # The creator of a version 12 room has unlimited power; only the module stops them.
    with pytest.raises(MatrixError) as refused:
        organiser.put_state(room_id, RECORDING_EVENT, "", {"active": False})
    assert refused.value.status == 403
    assert "Only Hubs sets" in refused.value.body["error"]


def test_plain_client_sees_state_and_notices(homeserver, server_admin):
    organiser, member, room_id = meeting_with_member(homeserver)
    set_room_policy(server_admin, room_id, allowed=True)
    call = BackgroundCall(homeserver.base_url, member, room_id).start()
    try:
        started = start_recording(organiser, room_id)

        content = member.state_event(room_id, RECORDING_EVENT)
        assert content["active"] is True
        assert content["recording_id"] == started["recording_id"]
        assert content["started_by"] == organiser.user_id
        notice = wait_for_notice(member, room_id, "started")
        assert notice["sender"] == f"@hubs:{homeserver.server_name}"
        assert "Mötet spelas nu in" in notice["content"]["body"]
        assert "This meeting is now being recorded" in notice["content"]["body"]

        # A late joiner: history of a public meeting starts at their join, so
        # they get a reminder of their own, after the state they sync.
        late = homeserver.register_user()
        organiser.invite(room_id, late.user_id)
        late.join(room_id)
        assert late.state_event(room_id, RECORDING_EVENT)["active"] is True
        reminder = wait_for_notice(late, room_id, "reminder")
        assert "observera att mötet spelas in" in reminder["content"]["body"]
        assert "this meeting is being recorded" in reminder["content"]["body"]
        assert notices(late, room_id, "started") == []

        time.sleep(3)
        stopped = stop_recording(organiser, room_id)
    finally:
        call.leave()

    assert stopped["status"] == "ready"
    # The SFU's egress_ended webhook may have settled it first; either way the state follows.
    assert wait_for_state(member, room_id, active=False)["recording_id"] == started["recording_id"]
    ended = wait_for_notice(member, room_id, "ended")
    assert "Inspelningen har avslutats" in ended["content"]["body"]
    assert "The recording has stopped" in ended["content"]["body"]


def test_recording_ends_when_everyone_leaves(homeserver, server_admin):
    organiser, member, room_id = meeting_with_member(homeserver)
    set_room_policy(server_admin, room_id, allowed=True)
    call = BackgroundCall(homeserver.base_url, member, room_id).start()
    start_recording(organiser, room_id)
    time.sleep(3)
    call.leave()

    content = wait_for_state(member, room_id, active=False)
    assert "ended_ts" in content
    assert wait_for_notice(member, room_id, "ended")
    assert recording_state(member, room_id)["active"] is False


def test_server_started_recording_announced(homeserver, server_admin):
    organiser, member, room_id = meeting_with_member(homeserver)
    set_room_policy(server_admin, room_id, allowed=True, auto_start=True)

    call = BackgroundCall(homeserver.base_url, member, room_id).start()
    try:
        content = wait_for_state(member, room_id, active=True)
        assert content["started_by"] is None
        notice = wait_for_notice(member, room_id, "started")
        assert "startade automatiskt" in notice["content"]["body"]
        assert "started automatically" in notice["content"]["body"]
        time.sleep(3)
        stop_recording(organiser, room_id)
    finally:
        call.leave()
