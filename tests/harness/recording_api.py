# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calls to the SFU's hubs.RecordingService admin API, for async tests.

The calls go through aiohttp so that synthetic participants in the same
event loop keep sending media while the SFU finalises a file.
"""

from typing import Any

import aiohttp

from tests.harness.sfu import SfuServer, mint_token


async def call_recording_api(sfu: SfuServer, method: str, room: str, expect: int = 200,
                             **fields: Any) -> dict[str, Any]:
    token = mint_token(sfu.api_key, sfu.api_secret, "admin", room, roomAdmin=True, roomJoin=False)
    url = f"{sfu.http_url}/twirp/hubs.RecordingService/{method}"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"room": room, **fields},
                                headers={"Authorization": f"Bearer {token}"}) as response:
            body = await response.json()
            assert response.status == expect, (response.status, body)
            return body
