# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calls to the Hubs recording endpoints, for Synapse-level tests."""

import time
from typing import Any

import requests

from tests.harness.hubs_api import API_PREFIX
from tests.harness.matrix_client import MatrixClient, quote

RECORDING_EVENT = "se.hubs.recording"


def set_room_policy(admin: MatrixClient, room_id: str, allowed: bool | None,
                    auto_start: bool = False, expect: int | None = 200) -> Any:
    return admin.request("PUT", f"{API_PREFIX}/admin/rooms/{quote(room_id)}/recording_policy",
                         json={"allowed": allowed, "auto_start": auto_start}, expect=expect)


def recording_state(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("GET", f"{API_PREFIX}/meetings/{quote(room_id)}/recording", expect=expect)


def start_recording(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("POST", f"{API_PREFIX}/meetings/{quote(room_id)}/recording", json={},
                          expect=expect)


def stop_recording(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("DELETE", f"{API_PREFIX}/meetings/{quote(room_id)}/recording",
                          expect=expect)


def list_recordings(client: MatrixClient, room_id: str, expect: int | None = 200) -> Any:
    return client.request("GET", f"{API_PREFIX}/meetings/{quote(room_id)}/recordings", expect=expect)


def share_recording(client: MatrixClient, recording_id: str, expect: int | None = 200) -> Any:
    return client.request("POST", f"{API_PREFIX}/recordings/{quote(recording_id)}/share", json={},
                          expect=expect)


def set_delegates(client: MatrixClient, recording_id: str, user_ids: list[str],
                  expect: int | None = 200) -> Any:
    return client.request("PUT", f"{API_PREFIX}/recordings/{quote(recording_id)}/delegates",
                          json={"user_ids": user_ids}, expect=expect)


def delete_recording(client: MatrixClient, recording_id: str, expect: int | None = 200) -> Any:
    return client.request("DELETE", f"{API_PREFIX}/recordings/{quote(recording_id)}", expect=expect)


def download(client: MatrixClient, recording_id: str) -> requests.Response:
    return requests.get(f"{client.base_url}{API_PREFIX}/recordings/{quote(recording_id)}/file",
                        headers={"Authorization": f"Bearer {client.access_token}"}, timeout=60)


def notices(client: MatrixClient, room_id: str, what: str) -> list[dict]:
    """Return the room's recording notices of one kind (started, ended, reminder, shared)."""
    return [event for event in client.messages(room_id, limit=100)
            if event.get("type") == "m.room.message"
            and event["content"].get("msgtype") == "m.notice"
            and event["content"].get(RECORDING_EVENT, {}).get("event") == what]


def wait_for_notice(client: MatrixClient, room_id: str, what: str, timeout_s: float = 20) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        found = notices(client, room_id, what)
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what!r} recording notice in {room_id} after {timeout_s} s")
        time.sleep(0.3)
