# SPDX-License-Identifier: AGPL-3.0-or-later
"""A real Synapse process with the Hubs module, plus its SFU, for tests.

The configuration comes from the same generator `hubs up` uses. Each
instance gets its own data directory and ports, and on PostgreSQL its own
database, created with the C collation Synapse requires and dropped again.
"""

import logging
import secrets as secrets_module
import sqlite3
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg2
import requests
import yaml

from synapse_hubs.cli.deployment import Deployment, FederationTls, load_or_create_secrets
from synapse_hubs.cli.processes import (
    ManagedProcess,
    sfu_health_url,
    sfu_process,
    synapse_health_url,
    synapse_process,
)
from tests.harness.mail_sink import smtp_synapse_settings
from tests.harness.matrix_client import MatrixClient, register_with_shared_secret
from tests.harness.ports import free_port

logger = logging.getLogger(__name__)


class TestDatabase:
    """A throwaway PostgreSQL database on the server that `admin_dsn` reaches."""

    def __init__(self, admin_dsn: str) -> None:
        self._admin_dsn = admin_dsn
        self.name = f"hubs_test_{uuid.uuid4().hex[:12]}"

    def create(self) -> str:
        self._run(
            f"CREATE DATABASE {self.name} ENCODING 'UTF8' LC_COLLATE 'C' "
            "LC_CTYPE 'C' TEMPLATE template0"
        )
        return self._dsn_for(self.name)

    def drop(self) -> None:
        self._run(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def _run(self, statement: str) -> None:
        connection = psycopg2.connect(self._admin_dsn)
        try:
            # CREATE/DROP DATABASE cannot run inside a transaction block.
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    @property
    def dsn(self) -> str:
        return self._dsn_for(self.name)

    def _dsn_for(self, database: str) -> str:
        parts = [part for part in self._admin_dsn.split() if not part.startswith("dbname=")]
        return " ".join(parts + [f"dbname={database}"])


class Homeserver:
    """Synapse and the SFU of one deployment, started and stopped together."""

    def __init__(self, data_dir: Path, server_name: str = "localhost",
                 postgres_admin_dsn: str | None = None,
                 module_overrides: dict[str, Any] | None = None,
                 synapse_overrides: dict[str, Any] | None = None,
                 with_sfu: bool = True, smtp_port: int | None = None,
                 federation_tls: FederationTls | None = None) -> None:
        """`smtp_port` points Synapse's `email:` section at a MailSink on loopback.

        `federation_tls` adds a TLS federation listener (see tests/harness/federation.py).
        """
        self._database: TestDatabase | None = None
        if smtp_port is not None:
            synapse_overrides = {**smtp_synapse_settings(smtp_port), **(synapse_overrides or {})}
        postgres_dsn = None
        if postgres_admin_dsn:
            self._database = TestDatabase(postgres_admin_dsn)
            postgres_dsn = self._database.create()

        self.deployment = Deployment(
            data_dir=data_dir,
            server_name=server_name,
            http_port=free_port(),
            sfu_port=free_port(),
            postgres_dsn=postgres_dsn,
            demo=True,
            federation_tls=federation_tls,
            module_overrides=module_overrides or {},
            # Test users need no brute-force resistance, and Synapse's default
            # of 12 bcrypt rounds makes every registration take most of a second.
            synapse_overrides={"bcrypt_rounds": 4, **(synapse_overrides or {})},
        )
        self.secrets = load_or_create_secrets(data_dir)
        self.with_sfu = with_sfu
        self.synapse: ManagedProcess | None = None
        self.sfu: ManagedProcess | None = None

    @property
    def database_kind(self) -> str:
        return "postgres" if self._database else "sqlite"

    @property
    def base_url(self) -> str:
        return self.deployment.public_baseurl.rstrip("/")

    @property
    def server_name(self) -> str:
        return self.deployment.server_name

    def start(self) -> "Homeserver":
        if self.with_sfu:
            self.start_sfu()
        self.start_synapse()
        return self

    def start_sfu(self) -> None:
        self.sfu = sfu_process(self.deployment, self.secrets)
        self.sfu.start()
        self.sfu.wait_healthy(sfu_health_url(self.deployment))

    def start_synapse(self) -> None:
        self.synapse = synapse_process(self.deployment, self.secrets)
        self.synapse.start()
        self.synapse.wait_healthy(synapse_health_url(self.deployment), timeout_s=120)
        self._wait_module_ready()

    def _wait_module_ready(self, timeout_s: float = 60.0) -> None:
        """Wait for the module's background start-up, which finishes after /health returns 200."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            answer = requests.get(self.base_url + "/_synapse/client/hubs/v1/version", timeout=10)
            if answer.status_code == 200 and answer.json().get("ready"):
                return
            time.sleep(0.1)
        raise TimeoutError(f"Hubs module not ready after {timeout_s:.0f} s")

    def restart_synapse(self) -> None:
        assert self.synapse is not None
        self.synapse.stop()
        self.start_synapse()

    def reconfigure(self, **module_overrides: Any) -> None:
        """Restart Synapse with extra module settings merged in."""
        merged = {**self.deployment.module_overrides, **module_overrides}
        self.deployment = replace(self.deployment, module_overrides=merged)
        self.restart_synapse()

    def stop(self) -> None:
        for process in (self.synapse, self.sfu):
            if process is not None:
                process.stop()
        if self._database is not None:
            self._database.drop()

    # Users -------------------------------------------------------------------

    @property
    def shared_secret(self) -> str:
        homeserver_yaml = self.deployment.synapse_dir / "homeserver.yaml"
        return yaml.safe_load(homeserver_yaml.read_text())["registration_shared_secret"]

    def register_user(self, localpart: str | None = None, password: str | None = None,
                      admin: bool = False) -> MatrixClient:
        """Register a user with a random localpart unless one is given."""
        localpart = localpart or f"user{uuid.uuid4().hex[:10]}"
        password = password or secrets_module.token_urlsafe(16)
        client = register_with_shared_secret(
            self.base_url, self.shared_secret, localpart, password, admin
        )
        client.password = password  # type: ignore[attr-defined]
        return client

    def client(self, access_token: str | None = None) -> MatrixClient:
        return MatrixClient(self.base_url, access_token=access_token)

    # Database -----------------------------------------------------------------

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run one statement on Synapse's database and return its rows.

        Write `?` placeholders; they become `%s` on PostgreSQL. Tests use this
        to check what is stored, and to set state no API can, such as an
        expiry time in the past.
        """
        if self._database is not None:
            connection = psycopg2.connect(self._database.dsn)
            sql = sql.replace("?", "%s")
        else:
            # Synapse keeps the file open; wait for its write lock rather than fail.
            connection = sqlite3.connect(self.deployment.synapse_dir / "homeserver.db", timeout=30)
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
            connection.commit()
            return rows
        finally:
            connection.close()

    def synapse_log(self) -> str:
        return (self.deployment.synapse_dir / "homeserver.log").read_text(errors="replace")

    def sfu_log(self) -> str:
        assert self.sfu is not None
        return self.sfu.log_path.read_text(errors="replace")
