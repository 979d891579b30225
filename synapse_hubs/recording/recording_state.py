# SPDX-License-Identifier: AGPL-3.0-or-later
"""Content of the `se.hubs.recording` state event (state_key "").

While a recording runs, the room state of every member (late joiners and
Element users included) contains `active: true`. Only the service account
sends this event; docs/events.md describes it.
"""

from typing import Any, Mapping

from synapse_hubs.recording.recording_store import Recording


def active_content(recording: Recording) -> dict[str, Any]:
    return {
        "active": True,
        "recording_id": recording.recording_id,
        "started_ts": recording.started_ts,
        # None when the server started the recording by itself.
        "started_by": recording.started_by,
    }


def ended_content(recording: Recording, ended_ts: int) -> dict[str, Any]:
    return {
        "active": False,
        "recording_id": recording.recording_id,
        "started_ts": recording.started_ts,
        "started_by": recording.started_by,
        "ended_ts": ended_ts,
    }


def active_recording_id(content: Mapping[str, Any] | None) -> str | None:
    """Return the recording ID of content that marks a recording as running, else None."""
    if not content or content.get("active") is not True:
        return None
    recording_id = content.get("recording_id")
    return recording_id if isinstance(recording_id, str) else None
