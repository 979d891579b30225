# SPDX-License-Identifier: AGPL-3.0-or-later
"""Messages the service account posts in a meeting room about its schedule.

Schedule changes are `m.notice` messages. Reminders are `m.text` with
`m.mentions`, because the default push rule `.m.rule.suppress_notices`
silences every `m.notice`, while `.m.rule.is_user_mention` makes a mention
notify and highlight on every device, mobile push included (Matrix spec
v1.7 and later).
"""

import html
import logging
from typing import Any, Sequence

from synapse.module_api import ModuleApi

from synapse_hubs.event_types import EVENT_PREFIX

logger = logging.getLogger(__name__)

# Content key with the ID of the meeting a message is about, for clients and tests.
SCHEDULE_KEY = f"{EVENT_PREFIX}.schedule"


class RoomMessages:
    def __init__(self, api: ModuleApi, service_user_id: str) -> None:
        self._api = api
        self._service_user_id = service_user_id

    async def send_notice(self, room_id: str, body: str, meeting_id: str, change: str) -> str:
        """Post a notice; return its event ID."""
        content = {
            "msgtype": "m.notice",
            "body": body,
            SCHEDULE_KEY: {"meeting_id": meeting_id, "change": change},
        }
        return await self._send(room_id, content)

    async def send_reminder(
        self,
        room_id: str,
        body: str,
        mentioned: Sequence[tuple[str, str]],
        meeting_id: str,
        occurrence_ts: int,
    ) -> str:
        """Post a reminder that mentions each (user ID, display name) in `mentioned`."""
        names = ", ".join(name for _, name in mentioned)
        pills = ", ".join(
            f'<a href="https://matrix.to/#/{html.escape(user_id)}">{html.escape(name)}</a>'
            for user_id, name in mentioned
        )
        formatted = html.escape(body).replace("\n", "<br>")
        content = {
            "msgtype": "m.text",
            "body": f"{names}: {body}" if mentioned else body,
            "format": "org.matrix.custom.html",
            "formatted_body": f"{pills}: {formatted}" if mentioned else formatted,
            "m.mentions": {"user_ids": [user_id for user_id, _ in mentioned]},
            SCHEDULE_KEY: {
                "meeting_id": meeting_id,
                "change": "reminder",
                "occurrence_ts": occurrence_ts,
            },
        }
        return await self._send(room_id, content)

    async def _send(self, room_id: str, content: dict[str, Any]) -> str:
        event = await self._api.create_and_send_event_into_room({
            "type": "m.room.message",
            "room_id": room_id,
            "sender": self._service_user_id,
            "content": content,
        })
        return event.event_id
