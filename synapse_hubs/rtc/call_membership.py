# SPDX-License-Identifier: AGPL-3.0-or-later
"""End a device's MatrixRTC call membership on behalf of a client that vanished.

A crashed client never sends its empty membership event. When the SFU
reports that such a participant left, we send that empty event as the user,
exactly as the client would have, so every member's client shows the call
without it.
"""

import logging

from synapse.module_api import ModuleApi

from synapse_hubs.event_types import CALL_MEMBER

logger = logging.getLogger(__name__)


def call_member_state_keys(user_id: str, device_id: str) -> tuple[str, str]:
    """Return the state keys a device's membership may use.

    matrix-js-sdk prefixes the key with '_' except in rooms whose version
    implements owned state keys (MSC3757/MSC3779), where the key starts with the user ID.
    """
    return f"_{user_id}_{device_id}_m.call", f"{user_id}_{device_id}_m.call"


async def end_call_membership(
    api: ModuleApi, room_id: str, user_id: str, device_id: str, left_at_ms: int | None
) -> bool:
    """Send an empty membership for a device whose membership is still set; return True if sent.

    A membership sent after left_at_ms belongs to a rejoin and is left alone.
    """
    keys = call_member_state_keys(user_id, device_id)
    state = await api.get_room_state(room_id, [(CALL_MEMBER, key) for key in keys])

    ended = False
    for key in keys:
        event = state.get((CALL_MEMBER, key))
        if event is None or not event.content:
            continue
        if left_at_ms is not None and event.origin_server_ts > left_at_ms:
            logger.info("Kept call membership of %s device %s in %s: it is newer than the leave",
                        user_id, device_id, room_id)
            continue

        await api.create_and_send_event_into_room({
            "type": CALL_MEMBER,
            "room_id": room_id,
            "sender": user_id,
            "state_key": key,
            "content": {},
        })
        logger.info("Ended call membership of %s device %s in %s after the SFU reported it left",
                    user_id, device_id, room_id)
        ended = True
    return ended
