# SPDX-License-Identifier: AGPL-3.0-or-later
"""Start and stop meeting recordings on the SFU, and record how each one ended.

A recording starts on a moderator's request, or by itself when a server
admin set the room to record every call. It ends when a moderator stops it
or when the SFU ends it (everyone or the initiator left, maximum duration,
SFU shutdown); the SFU reports that through the `egress_ended` webhook. A
periodic check catches recordings whose end was never reported, for
example because the SFU was killed.
"""

import logging
from pathlib import Path
from typing import Any

import av
from synapse.module_api import ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs import errors
from synapse_hubs.meetings.room_state import MeetingRoomState, load_meeting_room_state
from synapse_hubs.recording import audit_log
from synapse_hubs.recording.announcer import RecordingAnnouncer
from synapse_hubs.recording.audit_log import AuditLog
from synapse_hubs.recording.config import RecordingConfig, retention_ms
from synapse_hubs.recording.policy import (
    REASON_E2EE,
    REASON_NOT_CONFIGURED,
    RecordingPermission,
    recording_permission,
)
from synapse_hubs.recording.recording_store import (
    STATUS_DISCARDED,
    STATUS_FAILED,
    STATUS_READY,
    STATUS_RECORDING,
    Outcome,
    Recording,
    RecordingStore,
)
from synapse_hubs.recording.sfu_recording_client import SfuRecordingClient, SfuRecordingError
from synapse_hubs.rtc.identity import livekit_room_name
from synapse_hubs.rtc.participant_store import ParticipantStore

logger = logging.getLogger(__name__)

# EgressInfo.status values (LiveKit's EgressStatus names) and what they mean here.
_FINAL_STATUSES = {
    "EGRESS_COMPLETE": STATUS_READY,
    "EGRESS_LIMIT_REACHED": STATUS_READY,
    "EGRESS_ABORTED": STATUS_DISCARDED,
    "EGRESS_FAILED": STATUS_FAILED,
}
# A running recording younger than this is never reconciled: its start may still be in flight.
RECONCILE_AFTER_MS = 30_000


class RecordingControl:
    def __init__(self, api: ModuleApi, config: RecordingConfig, store: RecordingStore,
                 audit: AuditLog, announcer: RecordingAnnouncer, sfu: SfuRecordingClient,
                 participants: ParticipantStore, service_user_id: str) -> None:
        self._api = api
        self._config = config
        self._store = store
        self._audit = audit
        self._announcer = announcer
        self._sfu = sfu
        self._participants = participants
        self._service_user_id = service_user_id
        # SFU room sessions (room sids) that were already started automatically.
        self._auto_started: set[str] = set()

    async def permission(self, state: MeetingRoomState) -> RecordingPermission:
        override = await self._store.room_policy(state.room_id)
        return recording_permission(self._config, override, state.is_e2ee)

    # Starting -----------------------------------------------------------------------

    async def start(self, state: MeetingRoomState, initiator: str | None) -> Recording:
        """Start recording the meeting's call; `initiator` None means the server starts it."""
        room_id = state.room_id
        permission = await self.permission(state)
        if not permission.allowed:
            await self._audit.record(room_id, None, initiator, audit_log.START, audit_log.DENIED,
                                     permission.reason)
            raise _not_allowed_error(permission.reason)

        livekit_room = livekit_room_name(room_id)
        identities = await self._participants.identities_of(livekit_room, initiator) if initiator else []
        try:
            info = await self._sfu.start(livekit_room, identities)
        except SfuRecordingError as rejected:
            await self._audit.record(room_id, None, initiator, audit_log.START, audit_log.FAILED,
                                     f"{rejected.code}: {rejected}")
            raise _start_error(rejected) from rejected

        assert state.meeting is not None  # callers pass meeting rooms only
        recording = Recording(
            recording_id=str(info.get("egressId")), room_id=room_id, livekit_room=livekit_room,
            owner=state.meeting.owner, started_by=initiator, status=STATUS_RECORDING,
            status_detail=None, file_name=None, size_bytes=None, duration_ms=None,
            started_ts=_ns_to_ms(info.get("startedAt")) or self._api.get_current_time_msec(),
            ended_ts=None, delete_after_ts=None, shared_ts=None, shared_by=None,
        )
        await self._store.insert(recording)
        await self._audit.record(room_id, recording.recording_id, initiator, audit_log.START,
                                 audit_log.ALLOWED)
        await self._announcer.started(recording, await self._name_of(room_id, initiator))
        logger.info("Recording %s of %s started by %s", recording.recording_id, room_id,
                    initiator or "the server")
        return recording

    async def on_participant_joined(self, event: dict[str, Any]) -> None:
        """Start a recording by itself in rooms a server admin set to record every call."""
        room = event.get("room") or {}
        livekit_room, room_sid = room.get("name"), room.get("sid")
        if not isinstance(livekit_room, str) or not isinstance(room_sid, str):
            return
        if room_sid in self._auto_started:
            return
        room_id = await self._participants.room_id_for(livekit_room)
        if room_id is None:
            return
        state = await load_meeting_room_state(self._api, room_id, self._service_user_id)
        if state.meeting is None or not (await self.permission(state)).auto_start:
            return
        if await self._store.active_in_room(room_id) is not None:
            return

        self._auto_started.add(room_sid)
        try:
            await self.start(state, initiator=None)
        except SynapseError as error:
            logger.warning("Starting the automatic recording of %s failed: %s", room_id, error.msg)

    # Stopping -----------------------------------------------------------------------

    async def stop(self, room_id: str, user_id: str) -> Recording:
        recording = await self._store.active_in_room(room_id)
        if recording is None:
            raise SynapseError(404, "This meeting is not being recorded", Codes.NOT_FOUND)
        try:
            info = await self._sfu.stop(recording.livekit_room)
        except SfuRecordingError as rejected:
            if rejected.status != 404:
                await self._audit.record(room_id, recording.recording_id, user_id, audit_log.STOP,
                                         audit_log.FAILED, f"{rejected.code}: {rejected}")
                raise SynapseError(502, f"The media server could not stop the recording: {rejected}",
                                   Codes.UNKNOWN) from rejected
            # The SFU no longer runs it (it restarted): settle it from what is on disk.
            await self._audit.record(room_id, recording.recording_id, user_id, audit_log.STOP,
                                     audit_log.ALLOWED, "the media server had already ended it")
            return await self._settle_unknown(recording)

        await self._audit.record(room_id, recording.recording_id, user_id, audit_log.STOP,
                                 audit_log.ALLOWED)
        return await self.apply_outcome(recording, info)

    async def on_egress_ended(self, event: dict[str, Any]) -> None:
        info = event.get("egressInfo") or {}
        recording_id = info.get("egressId")
        if not isinstance(recording_id, str):
            raise SynapseError(400, "egress_ended needs egressInfo.egressId", Codes.BAD_JSON)
        recording = await self._store.get(recording_id)
        if recording is None:
            logger.warning("SFU reported the end of unknown recording %s", recording_id)
            return
        await self.apply_outcome(recording, info)

    async def apply_outcome(self, recording: Recording, info: dict[str, Any]) -> Recording:
        """Store the outcome the SFU reported for a recording and announce it, once."""
        status = _FINAL_STATUSES.get(str(info.get("status")))
        if status is None:
            return recording
        files = info.get("fileResults") or [{}]
        file_info = files[0] if isinstance(files[0], dict) else {}
        if status == STATUS_READY and not file_info.get("filename"):
            status = STATUS_FAILED
        detail = info.get("error") or info.get("details")
        outcome = Outcome(
            status=status, detail=str(detail) if detail else None,
            file_name=f"{recording.recording_id}.webm" if status == STATUS_READY else None,
            size_bytes=_int(file_info.get("size")),
            duration_ms=_ns_to_ms(file_info.get("duration")),
            ended_ts=_ns_to_ms(info.get("endedAt")) or self._api.get_current_time_msec(),
        )
        return await self._finish(recording, outcome)

    async def _finish(self, recording: Recording, outcome: Outcome) -> Recording:
        delete_after = outcome.ended_ts + retention_ms(self._config) if outcome.status == STATUS_READY else None
        if await self._store.finish(recording.recording_id, outcome, delete_after):
            result = audit_log.ALLOWED if outcome.status == STATUS_READY else audit_log.FAILED
            await self._audit.record(recording.room_id, recording.recording_id, None, audit_log.END,
                                     result, f"{outcome.status}: {outcome.detail or ''}".rstrip(": "))
            await self._announcer.ended(recording, outcome.ended_ts, outcome.status)
            logger.info("Recording %s of %s ended: %s (%s)", recording.recording_id,
                        recording.room_id, outcome.status, outcome.detail)
        updated = await self._store.get(recording.recording_id)
        assert updated is not None
        return updated

    # Reconciling ----------------------------------------------------------------------

    async def reconcile(self) -> None:
        """Settle recordings still marked running whose end the SFU never reported."""
        now_ms = self._api.get_current_time_msec()
        for recording in await self._store.list_active():
            if now_ms - recording.started_ts < RECONCILE_AFTER_MS:
                continue
            try:
                items = await self._sfu.list(recording.livekit_room)
            except (SfuRecordingError, SynapseError) as error:
                logger.info("Cannot check recording %s with the SFU yet: %s",
                            recording.recording_id, error)
                continue
            info = next((item for item in items if item.get("egressId") == recording.recording_id), None)
            if info is None:
                await self._settle_unknown(recording)
            elif info.get("status") != "EGRESS_ACTIVE":
                await self.apply_outcome(recording, info)

    async def _settle_unknown(self, recording: Recording) -> Recording:
        """End a recording the SFU has forgotten, from the file its recovery left, if any."""
        directory = self._config.directory
        path = directory / f"{recording.recording_id}.webm" if directory else None
        now_ms = self._api.get_current_time_msec()
        if path is not None and path.exists():
            duration_ms = await self._api.defer_to_thread(_duration_ms, path)
            outcome = Outcome(STATUS_READY, "recovered after the media server stopped",
                              path.name, path.stat().st_size, duration_ms, now_ms)
        elif path is not None and path.with_name(path.name + ".part").exists():
            # The SFU repairs it at its next start; check again later.
            return recording
        else:
            outcome = Outcome(STATUS_FAILED, "lost: the media server stopped before finishing it",
                              None, None, None, now_ms)
        return await self._finish(recording, outcome)

    async def _name_of(self, room_id: str, user_id: str | None) -> str | None:
        if user_id is None:
            return None
        state = await load_meeting_room_state(self._api, room_id, user_id)
        return state.display_name or user_id


def _not_allowed_error(reason: str | None) -> SynapseError:
    if reason == REASON_E2EE:
        return SynapseError(403, "End-to-end encrypted meetings cannot be recorded on the server",
                            errors.RECORDING_E2EE)
    if reason == REASON_NOT_CONFIGURED:
        return SynapseError(403, "Recording is not set up on this server: recording.directory is "
                            "missing from the Hubs module config", errors.RECORDING_NOT_ENABLED)
    return SynapseError(403, "Recording is not enabled for this meeting. A server admin can enable "
                        "it for the server or for this room", errors.RECORDING_NOT_ENABLED)


def _start_error(rejected: SfuRecordingError) -> SynapseError:
    if rejected.code == "not_found":
        return SynapseError(409, "Nobody is in the call yet. Join the call, then start the recording",
                            errors.NO_CALL)
    if rejected.code == "already_exists":
        return SynapseError(409, "This meeting is already being recorded", errors.RECORDING_ACTIVE)
    if rejected.code == "failed_precondition" and "encrypted" in str(rejected):
        return SynapseError(403, "The call has end-to-end encrypted media, which cannot be recorded "
                            "on the server", errors.RECORDING_E2EE)
    if rejected.code == "failed_precondition":
        return SynapseError(503, f"The media server cannot record: {rejected}",
                            errors.RECORDING_NOT_ENABLED)
    return SynapseError(502, f"The media server could not start the recording: {rejected}",
                        Codes.UNKNOWN)


def _duration_ms(path: Path) -> int | None:
    with av.open(str(path)) as container:
        return container.duration // 1000 if container.duration else None


def _ns_to_ms(value: Any) -> int | None:
    number = _int(value)
    return number // 1_000_000 if number is not None else None


def _int(value: Any) -> int | None:
    # Protobuf JSON writes 64-bit integers as strings.
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
