# SPDX-License-Identifier: AGPL-3.0-or-later
"""Access rules of recordings: download, sharing, delegates and deletion.

A recording belongs to the meeting's owner. Until the owner (or a
delegate) shares it into the meeting, only they can download it; after
that every joined member can. Only the owner names delegates and deletes.
Every decision, allowed or denied, goes to the audit log.

Sharing does not copy the file into Synapse's media repository: media
there can be fetched by anyone who learns its ID, and it would outlive
deletion and retention. The shared notice links to the join page, which
downloads through the member-authenticated endpoint.
"""

import logging
import re
from pathlib import Path

from synapse.module_api import ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs import errors
from synapse_hubs.meetings.room_state import load_meeting_room_state
from synapse_hubs.recording import audit_log
from synapse_hubs.recording.announcer import RecordingAnnouncer
from synapse_hubs.recording.audit_log import AuditLog
from synapse_hubs.recording.config import RecordingConfig
from synapse_hubs.recording.recording_store import (
    STATUS_DELETED,
    STATUS_READY,
    Recording,
    RecordingStore,
)

logger = logging.getLogger(__name__)

RECORDING_ID_PATTERN = re.compile(r"^EG_[A-Za-z0-9]{1,64}$")
MAX_DELEGATES = 50
PAGE_PATH = "_synapse/client/hubs/recording/"


class RecordingAccess:
    def __init__(self, api: ModuleApi, config: RecordingConfig, store: RecordingStore,
                 audit: AuditLog, announcer: RecordingAnnouncer) -> None:
        self._api = api
        self._config = config
        self._store = store
        self._audit = audit
        self._announcer = announcer

    # Reading --------------------------------------------------------------------------

    async def can_download(self, recording: Recording, user_id: str) -> bool:
        if await self.is_owner_or_delegate(recording, user_id):
            return True
        if not recording.is_shared:
            return False
        state = await load_meeting_room_state(self._api, recording.room_id, user_id)
        return state.is_joined

    async def is_owner_or_delegate(self, recording: Recording, user_id: str) -> bool:
        return user_id == recording.owner or user_id in await self._store.delegates(recording.recording_id)

    async def open_for_download(self, recording_id: str, user_id: str) -> tuple[Recording, Path]:
        """Return the recording and its file if `user_id` may download it; audit either way."""
        recording = await self.get(recording_id)
        if recording.status == STATUS_DELETED:
            await self._audit.record(recording.room_id, recording_id, user_id, audit_log.DOWNLOAD,
                                     audit_log.DENIED, "deleted")
            raise SynapseError(410, "This recording has been deleted", errors.RECORDING_DELETED)
        if not await self.can_download(recording, user_id):
            await self._audit.record(recording.room_id, recording_id, user_id, audit_log.DOWNLOAD,
                                     audit_log.DENIED, "not the owner or a delegate, and not shared")
            raise SynapseError(403, "Only the meeting's owner and their delegates can download this "
                               "recording until it is shared with the meeting", Codes.FORBIDDEN)
        path = self.file_path(recording)
        if recording.status != STATUS_READY or path is None or not path.exists():
            await self._audit.record(recording.room_id, recording_id, user_id, audit_log.DOWNLOAD,
                                     audit_log.FAILED, f"no file (status {recording.status})")
            raise SynapseError(404, f"This recording has no file (status: {recording.status})",
                               Codes.NOT_FOUND)
        await self._audit.record(recording.room_id, recording_id, user_id, audit_log.DOWNLOAD,
                                 audit_log.ALLOWED)
        return recording, path

    async def get(self, recording_id: str) -> Recording:
        if not RECORDING_ID_PATTERN.match(recording_id):
            raise SynapseError(400, f"Invalid recording ID: {recording_id[:80]!r}", Codes.INVALID_PARAM)
        recording = await self._store.get(recording_id)
        if recording is None:
            raise SynapseError(404, "Recording not found", Codes.NOT_FOUND)
        return recording

    def file_path(self, recording: Recording) -> Path | None:
        # Built from the validated ID, never from a stored or supplied file name.
        if self._config.directory is None:
            return None
        return self._config.directory / f"{recording.recording_id}.webm"

    # Changing ---------------------------------------------------------------------------

    async def share(self, recording_id: str, user_id: str) -> Recording:
        recording = await self.get(recording_id)
        if not await self.is_owner_or_delegate(recording, user_id):
            await self._audit.record(recording.room_id, recording_id, user_id, audit_log.SHARE,
                                     audit_log.DENIED, "not the owner or a delegate")
            raise SynapseError(403, "Only the meeting's owner and their delegates can share this "
                               "recording", Codes.FORBIDDEN)
        if recording.status != STATUS_READY:
            raise SynapseError(409, f"Only a finished recording can be shared (status: {recording.status})",
                               Codes.INVALID_PARAM)

        now_ms = self._api.get_current_time_msec()
        if await self._store.mark_shared(recording_id, user_id, now_ms):
            await self._audit.record(recording.room_id, recording_id, user_id, audit_log.SHARE,
                                     audit_log.ALLOWED)
            shared = await self.get(recording_id)
            await self._announcer.shared(shared, self.page_url(recording_id))
            return shared
        return await self.get(recording_id)

    async def replace_delegates(self, recording_id: str, user_id: str, delegates: list[str]) -> list[str]:
        recording = await self.get(recording_id)
        if user_id != recording.owner:
            await self._audit.record(recording.room_id, recording_id, user_id, audit_log.DELEGATE,
                                     audit_log.DENIED, "not the owner")
            raise SynapseError(403, "Only the meeting's owner can choose delegates", Codes.FORBIDDEN)
        unique = sorted(set(delegates) - {recording.owner})
        if len(unique) > MAX_DELEGATES:
            raise SynapseError(400, f"At most {MAX_DELEGATES} delegates", Codes.INVALID_PARAM)
        await self._store.replace_delegates(recording_id, unique, user_id,
                                            self._api.get_current_time_msec())
        await self._audit.record(recording.room_id, recording_id, user_id, audit_log.DELEGATE,
                                 audit_log.ALLOWED, ", ".join(unique) or "none")
        return unique

    async def delete(self, recording_id: str, user_id: str | None) -> None:
        """Delete the file and mark the recording deleted; None as user means retention."""
        recording = await self.get(recording_id)
        action = audit_log.DELETE if user_id is not None else audit_log.EXPIRE
        if user_id is not None and user_id != recording.owner:
            await self._audit.record(recording.room_id, recording_id, user_id, action,
                                     audit_log.DENIED, "not the owner")
            raise SynapseError(403, "Only the meeting's owner can delete this recording", Codes.FORBIDDEN)
        if recording.status != STATUS_READY:
            raise SynapseError(409, f"This recording cannot be deleted (status: {recording.status})",
                               Codes.INVALID_PARAM)

        path = self.file_path(recording)
        if path is not None:
            path.unlink(missing_ok=True)
        await self._store.mark_deleted(recording_id, "by the owner" if user_id else "retention period ended")
        await self._audit.record(recording.room_id, recording_id, user_id, action, audit_log.ALLOWED)
        logger.info("Deleted recording %s of %s (%s)", recording_id, recording.room_id,
                    "by the owner" if user_id else "retention")

    async def delete_expired(self) -> int:
        """Delete every recording whose retention period has ended; return how many."""
        expired = await self._store.due_for_deletion(self._api.get_current_time_msec())
        for recording in expired:
            await self.delete(recording.recording_id, None)
        return len(expired)

    def page_url(self, recording_id: str) -> str:
        return f"{self._api.public_baseurl}{PAGE_PATH}{recording_id}"
