# SPDX-License-Identifier: AGPL-3.0-or-later
"""Synapse callbacks of recording: who may set the state, and notices for late joiners.

- `check_event_allowed`: only the service account may send `se.hubs.recording`.
  Power levels alone would not do, because a room version 12 creator has
  unlimited power.
- `on_new_event`: when someone joins the room or the call while a recording
  runs, a notice addressed to them says so. A room whose history starts at
  each member's join (public meetings) would otherwise show a late joiner
  no notice at all. Each member is reminded once per recording.
"""

import logging
from typing import Any

from synapse.module_api import EventBase, ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.event_types import CALL_MEMBER, RECORDING
from synapse_hubs.recording.announcer import RecordingAnnouncer
from synapse_hubs.recording.recording_state import active_recording_id
from synapse_hubs.recording.recording_store import STATUS_RECORDING, RecordingStore

logger = logging.getLogger(__name__)

# Members remembered per recording, so a reconnecting client is not reminded again.
MAX_REMINDED_PER_RECORDING = 10_000


class RecordingEventRules:
    def __init__(self, api: ModuleApi, store: RecordingStore, announcer: RecordingAnnouncer,
                 service_user_id: str, worker_to_run_on: str | None) -> None:
        self._api = api
        self._store = store
        self._announcer = announcer
        self._service_user_id = service_user_id
        self._runs_here = api.worker_name == worker_to_run_on
        self._reminded: dict[str, set[str]] = {}

    async def check_event_allowed(self, event: EventBase, state: Any) -> tuple[bool, dict | None]:
        if event.type != RECORDING or event.sender == self._service_user_id:
            return True, None
        logger.info("Rejected %s from %s in %s: only the service account sets it", RECORDING,
                    event.sender, event.room_id)
        if self._api.is_mine(event.sender):
            raise SynapseError(403, f"Only Hubs sets {RECORDING}; moderators start and stop "
                               "recordings through /_synapse/client/hubs/v1/meetings/{room_id}/recording",
                               Codes.FORBIDDEN)
        return False, None

    async def on_new_event(self, event: EventBase, state: Any) -> None:
        if not self._runs_here:
            return
        member = _arriving_member(event)
        if member is None or member == self._service_user_id:
            return
        recording_event = state.get((RECORDING, ""))
        recording_id = active_recording_id(recording_event.content if recording_event else None)
        if recording_id is None:
            return

        reminded = self._reminded.setdefault(recording_id, set())
        if member in reminded or len(reminded) >= MAX_REMINDED_PER_RECORDING:
            return
        reminded.add(member)
        recording = await self._store.get(recording_id)
        if recording is None or recording.status != STATUS_RECORDING:
            return
        member_event = state.get(("m.room.member", member))
        name = member_event.content.get("displayname") if member_event else None
        await self._announcer.remind(recording, name if isinstance(name, str) and name else member)


def _arriving_member(event: EventBase) -> str | None:
    """Return the user who joins the room or the call with this event, else None."""
    if event.type == "m.room.member" and event.content.get("membership") == "join":
        return event.get_state_key()
    if event.type == CALL_MEMBER and event.is_state() and event.content:
        return event.sender
    return None
