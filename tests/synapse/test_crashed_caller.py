# SPDX-License-Identifier: AGPL-3.0-or-later
"""A caller that crashes leaves the call membership too (case C5, end to end).

A meeting member publishes its MatrixRTC call membership, gets an SFU token
from the token service and joins the SFU as a synthetic participant. Then it
vanishes without a leave. The SFU removes it, its webhook reaches the Hubs
module, and the module empties the membership event, all within 30 s. A
rejoin then gives one membership again, not two.
"""

import asyncio
import time

import jwt

from bench.loadgen.synthetic_participant import SyntheticParticipant
from tests.harness.hubs_api import create_meeting, request_sfu_get
from tests.synapse.test_sfu_webhook import CALL_MEMBER, membership_content, state_key


def call_members(client, room_id):
    return {event["state_key"]: event["content"] for event in client.state(room_id)
            if event["type"] == CALL_MEMBER}


async def test_crashed_caller_loses_call_membership(homeserver):
    loop = asyncio.get_running_loop()
    caller = homeserver.register_user()
    room_id = create_meeting(caller, title="Kraschtest")["room_id"]
    caller.put_state(room_id, CALL_MEMBER, state_key(caller), membership_content(caller))
    answer = request_sfu_get(homeserver.base_url, {
        "room": room_id, "openid_token": caller.openid_token(), "device_id": caller.device_id,
    }).json()
    assert jwt.decode(answer["jwt"], options={"verify_signature": False})["sub"] == \
        f"{caller.user_id}:{caller.device_id}"

    participant = SyntheticParticipant(answer["url"], answer["jwt"], "caller")
    try:
        await participant.join()
        await participant.publish(audio=True, video=None)
        crashed_at = time.monotonic()
        participant.crash()

        while call_members(caller, room_id).get(state_key(caller)):
            assert time.monotonic() - crashed_at < 30, "membership still present after 30 s"
            await asyncio.sleep(0.5)

        caller.put_state(room_id, CALL_MEMBER, state_key(caller), membership_content(caller))
        members = await loop.run_in_executor(None, call_members, caller, room_id)
        live = [key for key, content in members.items() if content]
        assert live == [state_key(caller)]
    finally:
        await participant.close()
