# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read one chat message as the requesting user sees it.

The module API has no call to fetch an event, so the message is requested
from Synapse's own client-server API with the requester's access token.
Synapse then applies its usual visibility rules: a user who cannot see the
message gets 404, exactly as in their client. The server cannot read an
end-to-end encrypted message, so for those the client sends the decrypted
text along.
"""

import logging
import unicodedata
import urllib.parse
from dataclasses import dataclass

from synapse.module_api import ModuleApi, SynapseRequest
from synapse.module_api.errors import Codes, SynapseError

logger = logging.getLogger(__name__)

ENCRYPTED_TYPE = "m.room.encrypted"
MESSAGE_TYPE = "m.room.message"
TITLE_MAX_LENGTH = 120


@dataclass(frozen=True)
class ChatMessage:
    room_id: str
    event_id: str
    sender: str
    # The message text: the server's copy, or the client's for an encrypted message.
    text: str


class ChatMessageReader:
    def __init__(self, api: ModuleApi, client_api_base_url: str) -> None:
        self._api = api
        self._base_url = client_api_base_url.rstrip("/")

    async def read(
        self, request: SynapseRequest, room_id: str, event_id: str, client_text: str | None
    ) -> ChatMessage:
        """Return the message, or raise 404 if the requester cannot see it."""
        event = await self._fetch_event(request, room_id, event_id)
        event_type = event.get("type")
        content = event.get("content") or {}

        if event_type == MESSAGE_TYPE and isinstance(content.get("body"), str):
            text = content["body"]
        elif event_type == ENCRYPTED_TYPE:
            if not client_text:
                raise SynapseError(
                    400, "The message is end-to-end encrypted; send its decrypted text in "
                    "the field text", Codes.MISSING_PARAM,
                )
            text = client_text
        else:
            raise SynapseError(400, f"Event {event_id[:80]} is not a chat message",
                               Codes.INVALID_PARAM)

        return ChatMessage(room_id, event_id, str(event.get("sender", "")), text)

    async def _fetch_event(self, request: SynapseRequest, room_id: str, event_id: str) -> dict:
        url = (f"{self._base_url}/_matrix/client/v3/rooms/{urllib.parse.quote(room_id, safe='')}"
               f"/event/{urllib.parse.quote(event_id, safe='')}")
        headers = {b"Authorization": [b"Bearer " + _access_token(request).encode("ascii")]}
        try:
            return await self._api.http_client.get_json(url, headers=headers)
        except Exception as error:
            status = getattr(error, "code", None)
            if status in (403, 404):
                raise SynapseError(404, "Message not found", Codes.NOT_FOUND) from error
            logger.warning("Reading event %s in %s through %s failed: %r",
                           event_id, room_id, self._base_url, error)
            raise SynapseError(502, "Could not read the message; try again later",
                               Codes.UNKNOWN) from error


def title_from_text(text: str) -> str:
    """Return the first non-empty line, shortened to TITLE_MAX_LENGTH characters."""
    for line in text.splitlines():
        line = _without_control_characters(line).strip()
        if line:
            if len(line) > TITLE_MAX_LENGTH:
                return line[: TITLE_MAX_LENGTH - 1].rstrip() + "…"
            return line
    return ""


def description_from_text(text: str, max_length: int) -> str:
    """Return the message text without lone surrogates and control characters.

    Line breaks and tabs stay.
    """
    cleaned = "".join(
        char for char in text
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
    )
    return cleaned.strip()[:max_length]


def _without_control_characters(line: str) -> str:
    return "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in line)


def _access_token(request: SynapseRequest) -> str:
    # get_user_by_req already accepted the token, from the header or the query.
    header = request.getHeader("Authorization") or ""
    if header.startswith("Bearer "):
        return header[len("Bearer "):]
    token = request.args.get(b"access_token", [b""])[0]
    return token.decode("ascii")
