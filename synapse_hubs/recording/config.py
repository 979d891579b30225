# SPDX-License-Identifier: AGPL-3.0-or-later
"""The `recording:` block of the module config."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from synapse.module_api.errors import ConfigError

PATH = ("recording",)


@dataclass(frozen=True)
class RecordingConfig:
    # Server default: whether moderators may record meetings. Server admins
    # override it per room.
    enabled: bool = False
    # The folder the SFU writes recordings to (its recording.directory),
    # readable and writable by Synapse. Never inside the media store.
    directory: Path | None = None
    # Days after a recording ends until its file is deleted.
    retention_days: int = 30
    # The Synapse worker that posts the notices; None means the main process.
    worker_to_run_on: str | None = None


def parse_recording_config(raw: Any) -> RecordingConfig:
    """Build RecordingConfig from the raw mapping (absent means defaults) or raise ConfigError."""
    if raw is None:
        return RecordingConfig()
    if not isinstance(raw, Mapping):
        raise ConfigError("must be a mapping", PATH)

    enabled = raw.get("enabled", False)
    if not isinstance(enabled, bool):
        raise ConfigError("must be true or false", PATH + ("enabled",))

    directory = _directory(raw.get("directory"))
    if enabled and directory is None:
        raise ConfigError("is required when recording.enabled is true", PATH + ("directory",))

    retention_days = raw.get("retention_days", 30)
    if not isinstance(retention_days, int) or isinstance(retention_days, bool) or retention_days < 1:
        raise ConfigError("must be an integer >= 1", PATH + ("retention_days",))

    worker = raw.get("worker_to_run_on")
    if worker is not None and (not isinstance(worker, str) or not worker):
        raise ConfigError("must be a worker name or null", PATH + ("worker_to_run_on",))

    return RecordingConfig(enabled=enabled, directory=directory, retention_days=retention_days,
                           worker_to_run_on=worker)


def _directory(value: Any) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("/"):
        raise ConfigError("must be an absolute path", PATH + ("directory",))
    return Path(value)


def retention_ms(config: RecordingConfig) -> int:
    return config.retention_days * 24 * 3600 * 1000
