# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tell a room about its recordings: the state event and the notices in the chat.

Everything is sent as the service account. Each notice is an `m.notice`
that every Matrix client shows, with an `se.hubs.recording` field naming
the recording and what happened, for clients that want to react to it.
"""

import logging
from typing import Any

from synapse.module_api import ModuleApi

from synapse_hubs.event_types import RECORDING
from synapse_hubs.recording import notice_texts
from synapse_hubs.recording.recording_state import active_content, ended_content
from synapse_hubs.recording.recording_store import (
    STATUS_DISCARDED,
    STATUS_READY,
    Recording,
)

logger = logging.getLogger(__name__)


class RecordingAnnouncer:
    def __init__(self, api: ModuleApi, service_user_id: str) -> None:
        self._api = api
        self._service_user_id = service_user_id

    async def started(self, recording: Recording, started_by_name: str | None) -> None:
        await self._send_state(recording.room_id, active_content(recording))
        await self._send_notice(recording, "started", notice_texts.started(started_by_name))

    async def ended(self, recording: Recording, ended_ts: int, status: str) -> None:
        await self._send_state(recording.room_id, ended_content(recording, ended_ts))
        if status == STATUS_READY:
            text = notice_texts.ended_kept()
        elif status == STATUS_DISCARDED:
            text = notice_texts.ended_discarded()
        else:
            text = notice_texts.ended_failed()
        await self._send_notice(recording, "ended", text)

    async def remind(self, recording: Recording, member_name: str) -> None:
        await self._send_notice(recording, "reminder", notice_texts.reminder(member_name))

    async def shared(self, recording: Recording, url: str) -> None:
        text = notice_texts.shared(recording.started_ts, recording.duration_ms or 0, url)
        await self._send_notice(recording, "shared", text, url=url)

    async def _send_state(self, room_id: str, content: dict[str, Any]) -> None:
        await self._api.create_and_send_event_into_room({
            "type": RECORDING, "room_id": room_id, "sender": self._service_user_id,
            "state_key": "", "content": content,
        })

    async def _send_notice(self, recording: Recording, what: str, body: str, **extra: Any) -> None:
        await self._api.create_and_send_event_into_room({
            "type": "m.room.message", "room_id": recording.room_id,
            "sender": self._service_user_id,
            "content": {"msgtype": "m.notice", "body": body,
                        RECORDING: {"recording_id": recording.recording_id, "event": what, **extra}},
        })
        logger.info("Posted the recording %s notice for %s in %s", what, recording.recording_id,
                    recording.room_id)
