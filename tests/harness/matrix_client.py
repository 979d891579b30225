# SPDX-License-Identifier: AGPL-3.0-or-later
"""A small synchronous Matrix client-server API client for tests."""

import hashlib
import hmac
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any

import requests


class MatrixError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body

    @property
    def errcode(self) -> str | None:
        return self.body.get("errcode") if isinstance(self.body, dict) else None


@dataclass
class MatrixClient:
    base_url: str
    user_id: str | None = None
    access_token: str | None = None
    device_id: str | None = None

    def request(self, method: str, path: str, json: Any = None, params: Any = None,
                auth: bool = True, data: bytes | None = None,
                headers: dict[str, str] | None = None, expect: int | None = 200) -> Any:
        all_headers = dict(headers or {})
        if auth and self.access_token:
            all_headers["Authorization"] = f"Bearer {self.access_token}"
        response = requests.request(
            method, self.base_url.rstrip("/") + path, json=json, params=params,
            data=data, headers=all_headers, timeout=30,
        )
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if expect is not None and response.status_code != expect:
            raise MatrixError(response.status_code, body)
        return body

    # Account -----------------------------------------------------------------

    def login(self, user: str, password: str) -> "MatrixClient":
        body = self.request("POST", "/_matrix/client/v3/login", json={
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": password,
        }, auth=False)
        return MatrixClient(self.base_url, body["user_id"], body["access_token"], body["device_id"])

    def openid_token(self) -> dict[str, Any]:
        path = f"/_matrix/client/v3/user/{quote(self.user_id)}/openid/request_token"
        return self.request("POST", path, json={})

    # Rooms -------------------------------------------------------------------

    def create_room(self, **body: Any) -> str:
        return self.request("POST", "/_matrix/client/v3/createRoom", json=body)["room_id"]

    def join(self, room_id: str) -> None:
        self.request("POST", f"/_matrix/client/v3/join/{quote(room_id)}", json={})

    def invite(self, room_id: str, user_id: str) -> None:
        self.request("POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/invite",
                     json={"user_id": user_id})

    def send_message(self, room_id: str, body: str, **extra: Any) -> str:
        content = {"msgtype": "m.text", "body": body, **extra}
        return self.send_event(room_id, "m.room.message", content)

    def send_event(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        path = (f"/_matrix/client/v3/rooms/{quote(room_id)}/send/{quote(event_type)}/"
                f"{uuid.uuid4().hex}")
        return self.request("PUT", path, json=content)["event_id"]

    def put_state(self, room_id: str, event_type: str, state_key: str,
                  content: dict[str, Any], expect: int | None = 200) -> Any:
        path = (f"/_matrix/client/v3/rooms/{quote(room_id)}/state/{quote(event_type)}/"
                f"{quote(state_key)}")
        return self.request("PUT", path, json=content, expect=expect)

    def state(self, room_id: str) -> list[dict[str, Any]]:
        return self.request("GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/state")

    def state_event(self, room_id: str, event_type: str, state_key: str = "") -> dict[str, Any]:
        path = (f"/_matrix/client/v3/rooms/{quote(room_id)}/state/{quote(event_type)}/"
                f"{quote(state_key)}")
        return self.request("GET", path)

    def membership(self, room_id: str, user_id: str) -> str | None:
        try:
            return self.state_event(room_id, "m.room.member", user_id).get("membership")
        except MatrixError as error:
            if error.status == 404:
                return None
            raise

    def messages(self, room_id: str, limit: int = 50) -> list[dict[str, Any]]:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/messages"
        return self.request("GET", path, params={"dir": "b", "limit": limit})["chunk"]

    def wait_for_message(self, room_id: str, predicate: Any, timeout_s: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            for event in self.messages(room_id):
                if event.get("type") == "m.room.message" and predicate(event):
                    return event
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching message in {room_id} after {timeout_s} s")
            time.sleep(0.2)


def quote(value: str | None) -> str:
    assert value is not None
    return urllib.parse.quote(value, safe="")


def register_with_shared_secret(base_url: str, shared_secret: str, localpart: str,
                                password: str, admin: bool = False) -> MatrixClient:
    """Register a user through Synapse's shared-secret admin API and return a client."""
    path = "/_synapse/admin/v1/register"
    nonce = requests.get(base_url.rstrip("/") + path, timeout=10).json()["nonce"]
    role = "admin" if admin else "notadmin"
    # The MAC covers the fields joined by NUL bytes, as Synapse's admin API defines.
    message = b"\x00".join(part.encode() for part in (nonce, localpart, password, role))
    mac = hmac.new(shared_secret.encode(), message, hashlib.sha1)
    response = requests.post(base_url.rstrip("/") + path, json={
        "nonce": nonce, "username": localpart, "password": password,
        "admin": admin, "mac": mac.hexdigest(),
    }, timeout=30)
    if response.status_code != 200:
        raise MatrixError(response.status_code, response.json())
    body = response.json()
    return MatrixClient(base_url, body["user_id"], body["access_token"], body["device_id"])
