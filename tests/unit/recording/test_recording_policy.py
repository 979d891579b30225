# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recording config parsing and the per-meeting recording decision."""

from pathlib import Path

import pytest
from synapse.module_api.errors import ConfigError

from synapse_hubs.recording.config import RecordingConfig, parse_recording_config
from synapse_hubs.recording.policy import recording_permission
from synapse_hubs.recording.recording_store import RoomRecordingPolicy

ENABLED = RecordingConfig(enabled=True, directory=Path("/var/lib/hubs/recordings"))
DISABLED = RecordingConfig(enabled=False, directory=Path("/var/lib/hubs/recordings"))


def override(allowed: bool, auto_start: bool = False) -> RoomRecordingPolicy:
    return RoomRecordingPolicy("!room:example.org", allowed, auto_start, "@admin:example.org", 0)


def test_recording_off_by_default():
    config = parse_recording_config(None)
    assert config.enabled is False
    assert config.retention_days == 30


@pytest.mark.parametrize("raw, key", [
    ({"enabled": "yes"}, "enabled"),
    ({"enabled": True}, "directory"),
    ({"directory": "relative/path"}, "directory"),
    ({"retention_days": 0}, "retention_days"),
    ({"retention_days": True}, "retention_days"),
    ({"worker_to_run_on": ""}, "worker_to_run_on"),
])
def test_invalid_recording_option_named(raw, key):
    with pytest.raises(ConfigError) as error:
        parse_recording_config(raw)
    assert tuple(error.value.path) == ("recording", key)


@pytest.mark.parametrize("config, room, e2ee, allowed, reason", [
    (DISABLED, None, False, False, "not_enabled"),
    (ENABLED, None, False, True, None),
    (ENABLED, override(False), False, False, "not_enabled"),
    (DISABLED, override(True), False, True, None),
    (ENABLED, override(True), True, False, "e2ee"),
    (RecordingConfig(), override(True), False, False, "not_configured"),
])
def test_recording_permission(config, room, e2ee, allowed, reason):
    permission = recording_permission(config, room, e2ee)
    assert permission.allowed is allowed
    assert permission.reason == reason


def test_auto_start_only_from_room_override():
    assert recording_permission(ENABLED, None, False).auto_start is False
    assert recording_permission(DISABLED, override(True, auto_start=True), False).auto_start is True
