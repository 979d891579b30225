# SPDX-License-Identifier: AGPL-3.0-or-later
"""Access to recordings: owner and delegates first, members after sharing, every access audited."""

import time
from pathlib import Path

import pytest

from tests.conftest import start_homeserver
from tests.harness.background_call import BackgroundCall
from tests.harness.hubs_api import create_meeting
from tests.harness.matrix_client import MatrixError
from tests.harness.recording_http import (
    delete_recording,
    download,
    list_recordings,
    set_delegates,
    set_room_policy,
    share_recording,
    start_recording,
    stop_recording,
    wait_for_notice,
)
from tests.harness.webm_file import read_streams


def recorded_meeting(homeserver, admin):
    """A meeting with a finished recording: owner, two members and the recording's JSON."""
    owner = homeserver.register_user()
    member = homeserver.register_user()
    delegate = homeserver.register_user()
    room_id = create_meeting(owner, title="Nämndsammanträde")["room_id"]
    for user in (member, delegate):
        owner.invite(room_id, user.user_id)
        user.join(room_id)
    set_room_policy(admin, room_id, allowed=True)

    call = BackgroundCall(homeserver.base_url, member, room_id).start()
    try:
        start_recording(owner, room_id)
        time.sleep(4)
        recording = stop_recording(owner, room_id)
    finally:
        call.leave()
    assert recording["status"] == "ready", recording
    return owner, member, delegate, room_id, recording


def audit_rows(homeserver, recording_id: str) -> list[tuple]:
    return homeserver.query(
        "SELECT user_id, action, outcome FROM hubs_recording_audit WHERE recording_id = ?"
        " ORDER BY ts", (recording_id,))


def recording_path(homeserver, recording_id: str) -> Path:
    return homeserver.deployment.recordings_dir / f"{recording_id}.webm"


def test_access_before_and_after_sharing(homeserver, tmp_path):
    admin = homeserver.register_user(admin=True)
    owner, member, delegate, room_id, recording = recorded_meeting(homeserver, admin)
    recording_id = recording["recording_id"]
    outsider = homeserver.register_user()
    path = recording_path(homeserver, recording_id)
    assert path.exists()
    assert not str(path).startswith(str(homeserver.deployment.synapse_dir / "media_store"))

    # Before sharing: only the owner.
    assert download(member, recording_id).status_code == 403
    assert download(delegate, recording_id).status_code == 403
    owned = download(owner, recording_id)
    assert owned.status_code == 200
    assert owned.headers["Content-Type"] == "video/webm"
    assert owned.content == path.read_bytes()
    saved = tmp_path / "download.webm"
    saved.write_bytes(owned.content)
    streams = read_streams(saved)
    assert streams.video_codec == "vp8"
    assert streams.audio_codec == "opus"
    assert list_recordings(member, room_id)["recordings"] == []

    # A delegate of the owner.
    with pytest.raises(MatrixError) as refused:
        set_delegates(member, recording_id, [member.user_id])
    assert refused.value.status == 403
    set_delegates(owner, recording_id, [delegate.user_id])
    assert download(delegate, recording_id).status_code == 200
    assert download(member, recording_id).status_code == 403

    # Shared with the meeting: every member, still nobody outside it.
    with pytest.raises(MatrixError) as refused:
        share_recording(member, recording_id)
    assert refused.value.status == 403
    shared = share_recording(owner, recording_id)
    assert shared["shared"] is True
    notice = wait_for_notice(member, room_id, "shared")
    assert recording_id in notice["content"]["body"]
    assert "delad med alla i mötet" in notice["content"]["body"]
    assert download(member, recording_id).status_code == 200
    assert download(outsider, recording_id).status_code == 403
    listed = list_recordings(member, room_id)["recordings"]
    assert [item["recording_id"] for item in listed] == [recording_id]
    assert listed[0]["can_download"] is True

    rows = audit_rows(homeserver, recording_id)
    assert rows[0] == (owner.user_id, "start", "allowed")
    # The stop request and the SFU's egress_ended webhook race; both are logged.
    assert sorted(rows[1:3], key=str) == sorted([(owner.user_id, "stop", "allowed"),
                                                 (None, "end", "allowed")], key=str)
    assert rows[3:] == [
        (member.user_id, "download", "denied"),
        (delegate.user_id, "download", "denied"),
        (owner.user_id, "download", "allowed"),
        (member.user_id, "delegate", "denied"),
        (owner.user_id, "delegate", "allowed"),
        (delegate.user_id, "download", "allowed"),
        (member.user_id, "download", "denied"),
        (member.user_id, "share", "denied"),
        (owner.user_id, "share", "allowed"),
        (member.user_id, "download", "allowed"),
        (outsider.user_id, "download", "denied"),
    ]


def test_owner_deletes_recording(homeserver):
    admin = homeserver.register_user(admin=True)
    owner, member, _, room_id, recording = recorded_meeting(homeserver, admin)
    recording_id = recording["recording_id"]

    with pytest.raises(MatrixError) as refused:
        delete_recording(member, recording_id)
    assert refused.value.status == 403
    delete_recording(owner, recording_id)

    assert not recording_path(homeserver, recording_id).exists()
    gone = download(owner, recording_id)
    assert gone.status_code == 410
    assert gone.json()["errcode"] == "SE_HUBS_RECORDING_DELETED"
    actions = [(user, action, outcome) for user, action, outcome in audit_rows(homeserver, recording_id)]
    assert (member.user_id, "delete", "denied") in actions
    assert (owner.user_id, "delete", "allowed") in actions
    assert (owner.user_id, "download", "denied") in actions


@pytest.fixture
def restartable_homeserver(tmp_path_factory):
    server = start_homeserver(tmp_path_factory, "sqlite")
    yield server
    server.stop()


def test_retention_deletes_expired_recording(restartable_homeserver):
    homeserver = restartable_homeserver
    admin = homeserver.register_user(admin=True)
    owner, _, _, _, recording = recorded_meeting(homeserver, admin)
    recording_id = recording["recording_id"]
    assert recording["delete_after_ts"] > time.time() * 1000 + 29 * 24 * 3600 * 1000

    homeserver.query("UPDATE hubs_recordings SET delete_after_ts = ? WHERE recording_id = ?",
                     (int(time.time() * 1000) - 1000, recording_id))
    homeserver.restart_synapse()

    deadline = time.monotonic() + 30
    while recording_path(homeserver, recording_id).exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not recording_path(homeserver, recording_id).exists()
    (status,) = homeserver.query("SELECT status FROM hubs_recordings WHERE recording_id = ?",
                                 (recording_id,))[0]
    assert status == "deleted"
    assert (None, "expire", "allowed") in audit_rows(homeserver, recording_id)
    assert download(owner, recording_id).status_code == 410
