# SPDX-License-Identifier: AGPL-3.0-or-later
"""HTTP endpoints of recording under /_synapse/client/hubs/v1 (docs/api.md lists them).

    GET    /meetings/{room_id}/recording      state and permission (member)
    POST   /meetings/{room_id}/recording      start (moderator)
    DELETE /meetings/{room_id}/recording      stop (moderator)
    GET    /meetings/{room_id}/recordings     recordings the caller may see (member)
    GET    /recordings/{id}                   one recording (owner, delegate, or member once shared)
    GET    /recordings/{id}/file              the WebM file (same rule)
    POST   /recordings/{id}/share             share with the meeting (owner or delegate)
    PUT    /recordings/{id}/delegates         choose delegates (owner)
    DELETE /recordings/{id}                   delete (owner)
    GET|PUT /admin/rooms/{room_id}/recording_policy   per-room override (server admin)
"""

import logging
import re
from typing import Any

from synapse.module_api import ModuleApi, SynapseRequest, make_deferred_yieldable, parse_json_object_from_request
from synapse.module_api.errors import Codes, SynapseError
from twisted.protocols.basic import FileSender

from synapse_hubs.http.router import JsonRouter
from synapse_hubs.meetings.access import MeetingAccess, validate_room_id
from synapse_hubs.meetings.room_state import load_meeting_room_state
from synapse_hubs.readiness import Readiness
from synapse_hubs.recording import audit_log
from synapse_hubs.recording.audit_log import AuditLog
from synapse_hubs.recording.recording_access import RecordingAccess
from synapse_hubs.recording.recording_control import RecordingControl
from synapse_hubs.recording.recording_store import Recording, RecordingStore, RoomRecordingPolicy

logger = logging.getLogger(__name__)

ROOM = r"/meetings/(?P<room_id>[^/]+)"
RECORDING = r"/recordings/(?P<recording_id>[^/]+)"
USER_ID_PATTERN = re.compile(r"^@[^:\s]+:[^\s]+$")
MAX_USER_ID_LENGTH = 255


class RecordingResource:
    def __init__(self, api: ModuleApi, readiness: Readiness, access: MeetingAccess,
                 control: RecordingControl, recordings: RecordingAccess, store: RecordingStore,
                 audit: AuditLog) -> None:
        self._api = api
        self._readiness = readiness
        self._access = access
        self._control = control
        self._recordings = recordings
        self._store = store
        self._audit = audit

    def register(self, router: JsonRouter) -> None:
        router.add("GET", f"{ROOM}/recording", self._get_state)
        router.add("POST", f"{ROOM}/recording", self._start)
        router.add("DELETE", f"{ROOM}/recording", self._stop)
        router.add("GET", f"{ROOM}/recordings", self._list)
        router.add("GET", RECORDING, self._get_recording)
        router.add("GET", f"{RECORDING}/file", self._download)
        router.add("POST", f"{RECORDING}/share", self._share)
        router.add("PUT", f"{RECORDING}/delegates", self._set_delegates)
        router.add("DELETE", RECORDING, self._delete)
        router.add("GET", r"/admin/rooms/(?P<room_id>[^/]+)/recording_policy", self._get_policy)
        router.add("PUT", r"/admin/rooms/(?P<room_id>[^/]+)/recording_policy", self._set_policy)

    # Meeting ------------------------------------------------------------------------

    async def _get_state(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        state = await self._access.require_member(room_id, user_id)
        permission = await self._control.permission(state)
        active = await self._store.active_in_room(room_id)
        return 200, {
            "allowed": permission.allowed,
            "reason": permission.reason,
            "auto_start": permission.auto_start,
            "can_control": state.is_moderator,
            "active": active is not None,
            "recording": _running_json(active) if active else None,
        }

    async def _start(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        state = await self._access.require_moderator(room_id, user_id)
        recording = await self._control.start(state, initiator=user_id)
        return 200, _running_json(recording)

    async def _stop(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        await self._access.require_moderator(room_id, user_id)
        recording = await self._control.stop(room_id, user_id)
        return 200, await self._recording_json(recording, user_id)

    async def _list(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        await self._access.require_member(room_id, user_id)
        visible = []
        for recording in await self._store.list_in_room(room_id):
            if recording.is_shared or await self._recordings.is_owner_or_delegate(recording, user_id):
                visible.append(await self._recording_json(recording, user_id))
        return 200, {"recordings": visible}

    # One recording --------------------------------------------------------------------

    async def _get_recording(self, request: SynapseRequest, recording_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        recording = await self._recordings.get(recording_id)
        if not await self._recordings.can_download(recording, user_id):
            raise SynapseError(403, "You cannot see this recording", Codes.FORBIDDEN)
        return 200, await self._recording_json(recording, user_id)

    async def _download(self, request: SynapseRequest, recording_id: str) -> None:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        recording, path = await self._recordings.open_for_download(recording_id, user_id)

        request.setResponseCode(200)
        request.setHeader(b"Content-Type", b"video/webm")
        request.setHeader(b"Content-Length", str(path.stat().st_size).encode("ascii"))
        request.setHeader(b"Content-Disposition",
                          f'attachment; filename="{recording.recording_id}.webm"'.encode("ascii"))
        request.setHeader(b"Cache-Control", b"no-store")
        request.setHeader(b"X-Content-Type-Options", b"nosniff")
        if request.method == b"HEAD":
            request.finish()
            return None

        with path.open("rb") as file:
            try:
                await make_deferred_yieldable(FileSender().beginFileTransfer(file, request))
            except Exception as error:  # noqa: BLE001 - the client went away; nothing to answer
                logger.info("Download of recording %s by %s ended early: %s", recording_id, user_id,
                            error)
                return None
        request.finish()
        return None

    async def _share(self, request: SynapseRequest, recording_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        recording = await self._recordings.share(recording_id, user_id)
        return 200, await self._recording_json(recording, user_id)

    async def _set_delegates(self, request: SynapseRequest, recording_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        delegates = _user_ids(parse_json_object_from_request(request).get("user_ids"))
        saved = await self._recordings.replace_delegates(recording_id, user_id, delegates)
        return 200, {"user_ids": saved}

    async def _delete(self, request: SynapseRequest, recording_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        user_id = await self._access.authenticate(request)
        await self._recordings.delete(recording_id, user_id)
        return 200, {}

    # Server admin -----------------------------------------------------------------------

    async def _get_policy(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        await self._require_server_admin(request)
        validate_room_id(room_id)
        policy = await self._store.room_policy(room_id)
        return 200, _policy_json(policy)

    async def _set_policy(self, request: SynapseRequest, room_id: str) -> tuple[int, Any]:
        await self._readiness.wait()
        admin = await self._require_server_admin(request)
        validate_room_id(room_id)
        body = parse_json_object_from_request(request)
        allowed = body.get("allowed")
        auto_start = body.get("auto_start", False)
        if allowed is not None and not isinstance(allowed, bool):
            raise SynapseError(400, "allowed must be true, false or null", Codes.BAD_JSON)
        if not isinstance(auto_start, bool):
            raise SynapseError(400, "auto_start must be true or false", Codes.BAD_JSON)
        if auto_start and allowed is not True:
            raise SynapseError(400, "auto_start needs allowed: true", Codes.INVALID_PARAM)
        state = await load_meeting_room_state(self._api, room_id, admin)
        if state.meeting is None:
            raise SynapseError(404, "This room is not a meeting", Codes.NOT_FOUND)

        if allowed is None:
            await self._store.clear_room_policy(room_id)
            policy = None
        else:
            policy = RoomRecordingPolicy(room_id, allowed, auto_start, admin,
                                         self._api.get_current_time_msec())
            await self._store.set_room_policy(policy)
        await self._audit.record(room_id, None, admin, audit_log.POLICY, audit_log.ALLOWED,
                                 f"allowed={allowed} auto_start={auto_start}")
        return 200, _policy_json(policy)

    async def _require_server_admin(self, request: SynapseRequest) -> str:
        user_id = await self._access.authenticate(request)
        if not await self._api.is_user_admin(user_id):
            raise SynapseError(403, "Only server admins can change the recording policy", Codes.FORBIDDEN)
        return user_id

    # Bodies -----------------------------------------------------------------------------

    async def _recording_json(self, recording: Recording, user_id: str) -> dict[str, Any]:
        is_owner = user_id == recording.owner
        return {
            **_running_json(recording),
            "status": recording.status,
            "ended_ts": recording.ended_ts,
            "duration_ms": recording.duration_ms,
            "size_bytes": recording.size_bytes,
            "shared": recording.is_shared,
            "delete_after_ts": recording.delete_after_ts,
            "is_owner": is_owner,
            "delegates": await self._store.delegates(recording.recording_id) if is_owner else None,
            "can_download": await self._recordings.can_download(recording, user_id),
            "download_path": f"/_synapse/client/hubs/v1/recordings/{recording.recording_id}/file",
        }


def _running_json(recording: Recording) -> dict[str, Any]:
    return {
        "recording_id": recording.recording_id,
        "room_id": recording.room_id,
        "started_ts": recording.started_ts,
        "started_by": recording.started_by,
    }


def _policy_json(policy: RoomRecordingPolicy | None) -> dict[str, Any]:
    if policy is None:
        return {"allowed": None, "auto_start": False}
    return {"allowed": policy.allowed, "auto_start": policy.auto_start,
            "updated_by": policy.updated_by, "updated_ts": policy.updated_ts}


def _user_ids(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SynapseError(400, "user_ids must be a list of Matrix user IDs", Codes.BAD_JSON)
    for user_id in value:
        if len(user_id) > MAX_USER_ID_LENGTH or not USER_ID_PATTERN.match(user_id):
            raise SynapseError(400, f"Invalid user ID: {user_id[:80]!r}", Codes.INVALID_PARAM)
    return value
