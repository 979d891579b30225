# SPDX-License-Identifier: AGPL-3.0-or-later
"""Settings of one local Hubs deployment and the secrets it keeps between runs.

`hubs up` and the test harness both describe a deployment with these
classes, so the tests run against exactly the configuration users get.
"""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SECRETS_FILE = "secrets.yaml"


@dataclass(frozen=True)
class DeploymentSecrets:
    """Secrets generated on first run and reused afterwards."""

    sfu_api_key: str
    sfu_api_secret: str
    cli_secret: str
    webhook_secret: str

    @classmethod
    def generate(cls) -> "DeploymentSecrets":
        return cls(
            sfu_api_key="hubs-" + secrets.token_hex(4),
            sfu_api_secret=secrets.token_urlsafe(32),
            cli_secret=secrets.token_urlsafe(32),
            webhook_secret=secrets.token_urlsafe(32),
        )


def load_or_create_secrets(data_dir: Path) -> DeploymentSecrets:
    """Read data_dir/secrets.yaml, creating it with mode 0600 on first run."""
    path = data_dir / SECRETS_FILE
    if path.exists():
        raw = yaml.safe_load(path.read_text()) or {}
        return DeploymentSecrets(**raw)

    data_dir.mkdir(parents=True, exist_ok=True)
    created = DeploymentSecrets.generate()
    # Create the file with its final mode so the secrets are never world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        yaml.safe_dump(created.__dict__, handle)
    return created


@dataclass(frozen=True)
class FederationTls:
    """A TLS federation listener that Synapse serves itself, for partner organisations' servers."""

    port: int
    certificate_path: Path
    private_key_path: Path
    # PEM file of the CAs trusted for other servers' certificates instead of
    # the system's, for a private CA shared by partners; None keeps the system's.
    trusted_ca_path: Path | None = None


@dataclass(frozen=True)
class Deployment:
    """Where one homeserver and its SFU listen and keep their data."""

    data_dir: Path
    server_name: str = "localhost"
    http_host: str = "127.0.0.1"
    http_port: int = 8008
    # Address in the links and URLs that browsers use; None means http_host.
    # Synapse listens on it too, besides http_host.
    public_host: str | None = None
    sfu_host: str = "127.0.0.1"
    sfu_port: int = 7880
    # Addresses the SFU announces as ICE host candidates.
    sfu_announce_addresses: tuple[str, ...] = ("127.0.0.1",)
    # libpq connection string; None selects SQLite in data_dir.
    postgres_dsn: str | None = None
    demo: bool = False
    # None: federation only through the plain HTTP listener (a reverse proxy's job).
    federation_tls: FederationTls | None = None
    # Extra top-level homeserver.yaml settings, applied last.
    synapse_overrides: dict[str, Any] = field(default_factory=dict)
    # Extra settings merged into the Hubs module's config block.
    module_overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def public_baseurl(self) -> str:
        return f"http://{self.public_host or self.http_host}:{self.http_port}/"

    @property
    def local_baseurl(self) -> str:
        """The loopback URL that the CLI itself uses, which the demo endpoints require."""
        return f"http://{self.http_host}:{self.http_port}/"

    @property
    def http_bind_addresses(self) -> list[str]:
        if self.public_host is None or self.public_host == self.http_host:
            return [self.http_host]
        return [self.http_host, self.public_host]

    @property
    def sfu_ws_url(self) -> str:
        return f"ws://{self.sfu_host}:{self.sfu_port}"

    @property
    def sfu_http_url(self) -> str:
        return f"http://{self.sfu_host}:{self.sfu_port}"

    @property
    def token_service_url(self) -> str:
        return self.public_baseurl + "_synapse/client/hubs/rtc"

    @property
    def synapse_dir(self) -> Path:
        return self.data_dir / "synapse"

    @property
    def recordings_dir(self) -> Path:
        """Where the SFU writes recordings and Synapse serves them from, outside the media store."""
        return self.data_dir / "recordings"

    @property
    def sfu_config_path(self) -> Path:
        return self.data_dir / "sfu.yaml"
