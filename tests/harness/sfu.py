# SPDX-License-Identifier: AGPL-3.0-or-later
"""A standalone SFU process for tests that need no homeserver, and token minting."""

import secrets
import sys
import time
from pathlib import Path
from typing import Any

import jwt
import requests
import yaml

from synapse_hubs.cli.processes import ManagedProcess
from tests.harness.ports import free_port


def mint_token(api_key: str, api_secret: str, identity: str, room: str,
               name: str = "", ttl_s: int = 3600, **grants: Any) -> str:
    """An HS256 LiveKit access token; keyword arguments override video grants."""
    now = int(time.time())
    video = {"room": room, "roomJoin": True, "canPublish": True, "canSubscribe": True,
             "canPublishData": True}
    video.update(grants)
    claims = {"iss": api_key, "sub": identity, "name": name or identity,
              "nbf": now - 5, "exp": now + ttl_s, "video": video}
    return jwt.encode(claims, api_secret, algorithm="HS256")


class SfuServer:
    """`python -m sfu` on loopback with a fresh key pair."""

    def __init__(self, data_dir: Path, **config_overrides: Any) -> None:
        self.api_key = "test-key"
        self.api_secret = secrets.token_urlsafe(32)
        self.port = free_port()
        self.data_dir = data_dir
        config = {
            "listen": {"host": "127.0.0.1", "port": self.port},
            "rtc": {"announce_addresses": ["127.0.0.1"]},
            "keys": {self.api_key: self.api_secret},
            "room": {"departure_timeout_s": 5, "empty_timeout_s": 30},
            "log_level": "DEBUG",
        }
        for key, value in config_overrides.items():
            if isinstance(value, dict) and isinstance(config.get(key), dict):
                config[key] = {**config[key], **value}
            else:
                config[key] = value
        self.config_path = data_dir / "sfu.yaml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.process = ManagedProcess(
            "sfu", [sys.executable, "-m", "sfu", "--config", str(self.config_path)],
            data_dir / "sfu.log", data_dir,
        )

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "SfuServer":
        self.process.start()
        self.process.wait_healthy(self.http_url + "/healthz")
        return self

    def stop(self) -> None:
        self.process.stop()

    def token(self, identity: str, room: str, **grants: Any) -> str:
        return mint_token(self.api_key, self.api_secret, identity, room, **grants)

    def admin(self, method: str, body: dict[str, Any], room: str = "",
              expect: int = 200, **grants: Any) -> dict[str, Any]:
        """Call the Twirp admin API with a roomAdmin (or roomList) token."""
        token_grants = {"roomAdmin": True, "roomList": True, "roomJoin": False}
        token_grants.update(grants)
        token = mint_token(self.api_key, self.api_secret, "admin", room, **token_grants)
        response = requests.post(f"{self.http_url}/twirp/livekit.RoomService/{method}",
                                 json=body, headers={"Authorization": f"Bearer {token}"},
                                 timeout=10)
        assert response.status_code == expect, (response.status_code, response.text)
        return response.json()

    def log(self) -> str:
        return self.process.log_path.read_text(errors="replace")
