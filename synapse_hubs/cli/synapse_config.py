# SPDX-License-Identifier: AGPL-3.0-or-later
"""Generate the Synapse configuration for a local Hubs deployment.

Synapse writes its own homeserver.yaml on first run (signing key, macaroon
and registration secrets). Hubs then writes hubs.yaml next to it on every
run; Synapse loads both with `-c homeserver.yaml -c hubs.yaml`, and top-level
keys in the later file win. So regenerating hubs.yaml after an upgrade never
touches the generated secrets or the data.
"""

import os
from secrets import token_hex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from synapse_hubs.cli.deployment import Deployment, DeploymentSecrets, FederationTls

MODULE_CONFIG_FILE = "hubs.yaml"
LOG_CONFIG_FILE = "log.yaml"
EID_KEY_FILE = "eid-pnr-hmac.key"

# Per-second rates for a development server where one person clicks around
# and the tests script hundreds of requests. Production keeps Synapse's
# defaults; docs/admin-guide.en.md explains how to raise them for the
# service account only.
_RELAXED_RATE = {"per_second": 1000, "burst_count": 1000}


def ensure_synapse_config(deployment: Deployment, secrets: DeploymentSecrets) -> list[Path]:
    """Create or refresh the config files and return them in load order."""
    synapse_dir = deployment.synapse_dir
    homeserver_yaml = synapse_dir / "homeserver.yaml"
    if not homeserver_yaml.exists():
        _generate_base_config(deployment, homeserver_yaml)

    log_config = synapse_dir / LOG_CONFIG_FILE
    log_config.write_text(yaml.safe_dump(_log_config(synapse_dir / "homeserver.log")))

    overlay = synapse_dir / MODULE_CONFIG_FILE
    overlay.write_text(yaml.safe_dump(synapse_overlay(deployment, secrets, log_config)))
    overlay.chmod(0o600)

    return [homeserver_yaml, overlay]


def _generate_base_config(deployment: Deployment, homeserver_yaml: Path) -> None:
    homeserver_yaml.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "synapse.app.homeserver",
            "--server-name",
            deployment.server_name,
            "--config-path",
            str(homeserver_yaml),
            "--data-directory",
            str(homeserver_yaml.parent),
            "--generate-config",
            "--report-stats=no",
        ],
        check=True,
        capture_output=True,
        cwd=homeserver_yaml.parent,
    )


def synapse_overlay(
    deployment: Deployment, secrets: DeploymentSecrets, log_config: Path
) -> dict[str, Any]:
    """Return the settings Hubs needs on top of Synapse's generated config."""
    rtc_focus = {"type": "livekit", "livekit_service_url": deployment.token_service_url}
    overlay: dict[str, Any] = {
        "public_baseurl": deployment.public_baseurl,
        "listeners": [
            {
                "port": deployment.http_port,
                "bind_addresses": deployment.http_bind_addresses,
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [
                    {"names": ["client", "federation", "openid"], "compress": False}
                ],
            }
        ],
        "database": _database_config(deployment),
        "log_config": str(log_config),
        "report_stats": False,
        # No request to matrix.org or any other third party by default.
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "url_preview_enabled": False,
        "enable_registration": False,
        # MatrixRTC: clients find the SFU token service both through
        # .well-known (older Element Call, other clients) and through the
        # rtc/transports endpoint (Element Call 0.24 and newer).
        "serve_client_wellknown": True,
        "extra_well_known_client_content": {"org.matrix.msc4143.rtc_foci": [rtc_focus]},
        "matrix_rtc": {"transports": [rtc_focus]},
        "experimental_features": {
            "msc4143_enabled": True,
            "msc3266_enabled": True,
            "msc4222_enabled": True,
        },
        # Delayed events let clients schedule their own call-leave event.
        "max_event_delay_duration": "24h",
        "modules": [
            {"module": "synapse_hubs.HubsModule", "config": _module_config(deployment, secrets)}
        ],
    }

    if deployment.federation_tls is not None:
        overlay["listeners"].append(_federation_listener(deployment))
        overlay.update(_federation_tls_settings(deployment.federation_tls))

    for limiter in ("rc_message", "rc_registration", "rc_joins", "rc_invites",
                    "rc_delayed_event_mgmt", "rc_3pid_validation", "rc_room_creation"):
        overlay[limiter] = _relaxed_limiter(limiter)
    overlay["rc_login"] = {
        "address": _RELAXED_RATE,
        "account": _RELAXED_RATE,
        "failed_attempts": _RELAXED_RATE,
    }

    overlay.update(deployment.synapse_overrides)
    return overlay


def _federation_listener(deployment: Deployment) -> dict[str, Any]:
    assert deployment.federation_tls is not None
    return {
        "port": deployment.federation_tls.port,
        "bind_addresses": deployment.http_bind_addresses,
        "type": "http",
        "tls": True,
        "x_forwarded": False,
        "resources": [{"names": ["federation", "openid"], "compress": False}],
    }


def _federation_tls_settings(tls: FederationTls) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "tls_certificate_path": str(tls.certificate_path),
        "tls_private_key_path": str(tls.private_key_path),
        # Partners are trusted only as far as their certificates prove who they are.
        "federation_verify_certificates": True,
    }
    if tls.trusted_ca_path is not None:
        settings["federation_custom_ca_list"] = [str(tls.trusted_ca_path)]
    return settings


def _relaxed_limiter(name: str) -> dict[str, Any]:
    if name == "rc_joins":
        return {"local": _RELAXED_RATE, "remote": _RELAXED_RATE}
    if name == "rc_invites":
        return {"per_room": _RELAXED_RATE, "per_user": _RELAXED_RATE, "per_issuer": _RELAXED_RATE}
    return dict(_RELAXED_RATE)


def _module_config(deployment: Deployment, secrets: DeploymentSecrets) -> dict[str, Any]:
    config: dict[str, Any] = {
        "sfu": {
            "url": deployment.sfu_ws_url,
            "api_url": deployment.sfu_http_url,
            "api_key": secrets.sfu_api_key,
            "api_secret": secrets.sfu_api_secret,
        },
        "token_service": {
            "local_openid_base_url": deployment.public_baseurl.rstrip("/"),
        },
        # Off unless enabled here or per room by a server admin.
        "recording": {"enabled": False, "directory": str(deployment.recordings_dir)},
    }
    if deployment.demo:
        config["demo"] = {"enabled": True, "cli_secret": secrets.cli_secret}
        # A demo has no real e-ID provider, so the clearly labelled test
        # provider lets users try meetings that require e-ID.
        config["eid"] = {
            "pnr_hmac_key_path": str(_ensure_eid_key(deployment.data_dir)),
            "test_provider": {"enabled": True},
        }

    for key, value in deployment.module_overrides.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    return config


def _ensure_eid_key(data_dir: Path) -> Path:
    """Create the HMAC key for identity numbers (mode 0600) on first run and return its path.

    The key lives outside the database on purpose: without it the stored
    subject keys cannot be linked to identity numbers.
    """
    path = data_dir / EID_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token_hex(32) + "\n")
    return path


def _database_config(deployment: Deployment) -> dict[str, Any]:
    if deployment.postgres_dsn is None:
        return {
            "name": "sqlite3",
            "args": {"database": str(deployment.synapse_dir / "homeserver.db")},
        }

    # psycopg2 passes a libpq connection string straight through as "dsn".
    return {
        "name": "psycopg2",
        "args": {"dsn": deployment.postgres_dsn, "cp_min": 1, "cp_max": 5},
    }


def _log_config(log_file: Path) -> dict[str, Any]:
    return {
        "version": 1,
        "formatters": {
            "precise": {
                "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - "
                "%(request)s - %(message)s"
            }
        },
        "filters": {"context": {"()": "synapse.logging.context.LoggingContextFilter", "request": ""}},
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "formatter": "precise",
                "filename": str(log_file),
                "filters": ["context"],
                "encoding": "utf8",
            }
        },
        "loggers": {
            "synapse.storage.SQL": {"level": "INFO"},
            "synapse_hubs": {"level": "DEBUG"},
        },
        "root": {"level": "INFO", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }
