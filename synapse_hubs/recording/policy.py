# SPDX-License-Identifier: AGPL-3.0-or-later
"""The recording decision for a meeting, with the reason when it is no.

A server admin's per-room override wins over the server default
(`recording.enabled`). End-to-end encrypted meetings are never recorded,
whatever the policy: the SFU cannot read their media.
"""

from dataclasses import dataclass

from synapse_hubs.recording.config import RecordingConfig
from synapse_hubs.recording.recording_store import RoomRecordingPolicy

# Reasons a meeting cannot be recorded, as the API reports them.
REASON_E2EE = "e2ee"
REASON_NOT_ENABLED = "not_enabled"
REASON_NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class RecordingPermission:
    allowed: bool
    # None when allowed.
    reason: str | None
    auto_start: bool = False


def recording_permission(config: RecordingConfig, override: RoomRecordingPolicy | None,
                         is_e2ee: bool) -> RecordingPermission:
    if is_e2ee:
        return RecordingPermission(False, REASON_E2EE)
    allowed = override.allowed if override is not None else config.enabled
    if not allowed:
        return RecordingPermission(False, REASON_NOT_ENABLED)
    if config.directory is None:
        return RecordingPermission(False, REASON_NOT_CONFIGURED)
    return RecordingPermission(True, None, auto_start=override is not None and override.auto_start)
